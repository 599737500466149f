using AgentQuotas;

namespace SupportDesk.Hosting;

/// <summary>What a SupportDesk run does. Validated when the run starts.</summary>
public sealed class SupportDeskOptions
{
    /// <summary>Default traffic time on the memory store (simulated, so it takes a few seconds).</summary>
    public static readonly TimeSpan DefaultMemoryDuration = TimeSpan.FromMinutes(3);

    /// <summary>Default traffic time on PostgreSQL (real time).</summary>
    public static readonly TimeSpan DefaultPostgresDuration = TimeSpan.FromSeconds(20);

    /// <summary>Longest run on the memory store.</summary>
    public static readonly TimeSpan MaxMemoryDuration = TimeSpan.FromHours(1);

    /// <summary>Longest run on PostgreSQL.</summary>
    public static readonly TimeSpan MaxPostgresDuration = TimeSpan.FromMinutes(10);

    /// <summary>How long tenants send new conversations; <see langword="null"/> for the store's default.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>How many tenants (1 to 12, from <see cref="Workload.TenantCatalog"/>). Default 6.</summary>
    public int Tenants { get; set; } = 6;

    /// <summary>The seed of the workload. Default 42; on the memory store the same seed gives the same report.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Where buckets live. Default <see cref="SupportDeskStore.Memory"/>.</summary>
    public SupportDeskStore Store { get; set; }

    /// <summary>The PostgreSQL connection string; required with <see cref="SupportDeskStore.Postgres"/> and only then.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The policy file. Default: agentquotas.json next to the program.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>A file to write the audit trail to as JSON lines (readable by <c>agentquotas audit</c>), or <see langword="null"/>.</summary>
    public string? AuditFile { get; set; }

    /// <summary>Decides refunds; default <see cref="Workload.SupportDeskApprover"/> (by each tenant's delegation).</summary>
    public IApprovalService? ApprovalService { get; set; }

    /// <summary>How often progress is reported, on the run's clock; <see langword="null"/> for 10 s (memory) or 2 s (PostgreSQL).</summary>
    public TimeSpan? ProgressInterval { get; set; }

    /// <summary>
    /// On the memory store, virtual seconds per second of wall time so a person can watch the live view (30 plays three
    /// minutes in six seconds); <see langword="null"/> (the default) runs as fast as possible. Ignored on PostgreSQL.
    /// </summary>
    public double? Pace { get; set; }

    /// <summary>The traffic time that applies.</summary>
    public TimeSpan EffectiveDuration => Duration ?? (Store == SupportDeskStore.Postgres ? DefaultPostgresDuration : DefaultMemoryDuration);

    /// <summary>The progress interval that applies.</summary>
    public TimeSpan EffectiveProgressInterval => ProgressInterval ?? (Store == SupportDeskStore.Postgres ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10));

    /// <summary>The policy path that applies.</summary>
    public string EffectivePolicyPath => PolicyPath ?? Path.Combine(AppContext.BaseDirectory, "agentquotas.json");

    /// <summary>Checks every option and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Store))
        {
            problems.Add($"Store must be memory or postgres, not {Store}.");
        }

        TimeSpan max = Store == SupportDeskStore.Postgres ? MaxPostgresDuration : MaxMemoryDuration;
        if (EffectiveDuration <= TimeSpan.Zero || EffectiveDuration > max)
        {
            problems.Add($"The duration must be more than 0 and at most {max:g} with the {Store.ToString().ToLowerInvariant()} store, not {EffectiveDuration:g}.");
        }

        if (Tenants is < 1 or > Workload.TenantCatalog.MaxTenants)
        {
            problems.Add($"The number of tenants must be 1 to {Workload.TenantCatalog.MaxTenants}, not {Tenants}.");
        }

        if (Store == SupportDeskStore.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("The postgres store needs a connection string, e.g. \"Host=localhost;Username=postgres;Password=...;Database=postgres\".");
        }

        if (Store == SupportDeskStore.Memory && ConnectionString is not null)
        {
            problems.Add("A connection string only applies to the postgres store; add --store postgres or leave it out.");
        }

        if (Pace is double pace && (!double.IsFinite(pace) || pace <= 0))
        {
            problems.Add($"The pace must be a positive number of virtual seconds per second, not {pace}.");
        }

        if (ProgressInterval is TimeSpan interval && interval <= TimeSpan.Zero)
        {
            problems.Add($"The progress interval must be positive, not {interval:g}.");
        }

        if (!File.Exists(EffectivePolicyPath))
        {
            problems.Add($"The policy file '{EffectivePolicyPath}' does not exist.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems));
        }
    }
}
