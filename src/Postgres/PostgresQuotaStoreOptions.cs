using AgentQuotas.Postgres.Internal;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>Options of <see cref="PostgresQuotaStore"/>. Validated by <see cref="PostgresQuotaStore.OpenAsync"/>.</summary>
public sealed class PostgresQuotaStoreOptions
{
    /// <summary>
    /// An Npgsql connection string (for example <c>Host=db;Port=5432;Database=app;Username=quotas;Password=...</c>).
    /// The store builds and owns its own connection pool from it. Set this or <see cref="DataSource"/>, not both.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>A data source owned by the caller (not disposed by the store). Set this or <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The schema holding the tables and functions. Default <c>agentquotas</c>. A lower-case identifier
    /// (letters, digits, underscores; at most 63 characters; not starting with a digit or <c>pg_</c>).
    /// </summary>
    public string Schema { get; set; } = PostgresSchema.DefaultSchema;

    /// <summary>
    /// Whether opening the store creates or migrates the schema (under an advisory lock, so many hosts may
    /// start at once). Default <see langword="true"/>. When <see langword="false"/>, opening fails unless the
    /// schema is already at <see cref="PostgresSchema.LatestVersion"/>.
    /// </summary>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>What to decide while the server cannot be reached. Default <see cref="StoreFailureMode.FailClosed"/>.</summary>
    public StoreFailureMode FailureMode { get; set; } = StoreFailureMode.FailClosed;

    /// <summary>
    /// How many hosts share the buckets; <see cref="StoreFailureMode.LocalFallback"/> gives each host this
    /// share of a bucket while the server is away. Default 1; at least 1.
    /// </summary>
    public int ExpectedHosts { get; set; } = 1;

    /// <summary>
    /// Whether a host takes a slice of a bucket (<see cref="LeaseFraction"/> of its capacity) in one round trip
    /// and serves small requests from it locally, returning what it did not use. Default <see langword="false"/>:
    /// every request is one round trip and the shared bound is exact over any window. With leasing, the
    /// total admitted since a bucket was created still never exceeds what it supplied, but over a window
    /// up to one slice per host leased before the window may be spent in it (see docs/postgres.md).
    /// </summary>
    public bool EnableLeasing { get; set; }

    /// <summary>
    /// The size of a lease as a fraction of the bucket's capacity, and at most the same fraction of the tenant's
    /// daily and monthly ceilings. Requests at least this large always go to the server. Default 0.1; greater
    /// than 0, at most 1.
    /// </summary>
    public double LeaseFraction { get; set; } = 0.1;

    /// <summary>
    /// The longest a lease serves requests; a sweep every half lifetime then returns its unused units to the
    /// shared bucket (a lease also ends at the UTC day boundary, so spend lands on the right day). Default
    /// 1 second; from 10 ms to 1 hour.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// While the server is unreachable, requests are decided by <see cref="FailureMode"/> without waiting, and one
    /// request at a time tries the server: at once after the first failure (a restarted server only left dead
    /// pooled connections behind), then after this interval, doubling after each failed try up to
    /// <see cref="MaxRetryInterval"/>. Default 1 second; positive.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between tries while the server is unreachable. Default 30 seconds; at least <see cref="RetryInterval"/>.</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most concurrent acquisitions, of any buckets and tenants, decided in one round trip. While the store's
    /// round trips of acquisitions are in flight, further asynchronous acquisitions wait and then go together
    /// in one call that decides each in arrival order, in one transaction (so one commit flush serves them
    /// all; rows are locked in key order, so batches never deadlock). 1 turns combining off. Default 256;
    /// from 1 to 10,000.
    /// </summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>How long one statement may run before the server counts as unavailable. Default 5 seconds; 1 second to 10 minutes (whole seconds).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most buckets whose corrections (refunds, cost corrections, fail-open and fallback charges, returned
    /// leases) may wait for the server; corrections to the same bucket are summed. Default 100,000; at least 1.
    /// </summary>
    public int MaxPendingCorrections { get; set; } = 100_000;

    /// <summary>
    /// The host's clock for retry intervals, lease lifetimes and fallback buckets (buckets themselves use the
    /// database clock). Default <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Called when the store loses or regains the server: on the thread pool, never awaited by requests, one
    /// change at a time and in the order the changes happened (a callback still running delays the next; an
    /// exception it throws is logged and the next change is still delivered).
    /// </summary>
    public Func<StoreAvailabilityChangedArguments, ValueTask>? OnAvailabilityChanged { get; set; }

    internal void Validate()
    {
        ConnectionSettings.Validate(ConnectionString, DataSource, Schema, nameof(ConnectionString), nameof(DataSource), nameof(Schema));
        if (!Enum.IsDefined(FailureMode))
        {
            throw new ArgumentOutOfRangeException(nameof(FailureMode), FailureMode, "Unknown failure mode.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ExpectedHosts, 1, nameof(ExpectedHosts));
        if (!double.IsFinite(LeaseFraction) || LeaseFraction <= 0 || LeaseFraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseFraction), LeaseFraction, "The lease fraction must be greater than 0 and at most 1.");
        }

        if (LeaseDuration < TimeSpan.FromMilliseconds(10) || LeaseDuration > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "The lease duration must be from 10 ms to 1 hour.");
        }

        if (RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryInterval), RetryInterval, "The retry interval must be positive.");
        }

        if (MaxRetryInterval < RetryInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryInterval), MaxRetryInterval, "The longest retry interval must be at least RetryInterval.");
        }

        if (CommandTimeout < TimeSpan.FromSeconds(1) || CommandTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(CommandTimeout), CommandTimeout, "The command timeout must be from 1 second to 10 minutes.");
        }

        if (MaxBatchSize is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "The batch size must be from 1 (no combining) to 10,000.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingCorrections, 1, nameof(MaxPendingCorrections));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
