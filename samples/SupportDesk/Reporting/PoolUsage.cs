namespace SupportDesk.Reporting;

/// <summary>A compute pool of the policy and the most of its slots seen in use at once (sampled at each progress tick).</summary>
/// <param name="Pool">The pool's name.</param>
/// <param name="Concurrency">Its slots.</param>
/// <param name="PeakInUse">The most slots seen in use at once.</param>
public sealed record PoolUsage(string Pool, int Concurrency, int PeakInUse);
