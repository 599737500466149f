namespace SupportDesk.Hosting;

/// <summary>Where the gate keeps its buckets.</summary>
public enum SupportDeskStore
{
    /// <summary>In memory, on virtual time: deterministic for a seed, minutes of traffic in seconds.</summary>
    Memory = 0,

    /// <summary>In PostgreSQL (shared by every host), on the database's real clock: the run takes as long as its duration.</summary>
    Postgres = 1,
}
