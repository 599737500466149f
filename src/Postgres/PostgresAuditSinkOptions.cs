using AgentQuotas.Postgres.Internal;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>Options of <see cref="PostgresAuditSink"/>. Validated by <see cref="PostgresAuditSink.OpenAsync"/>.</summary>
public sealed class PostgresAuditSinkOptions
{
    /// <summary>An Npgsql connection string; the sink builds and owns its pool. Set this or <see cref="DataSource"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A data source owned by the caller (not disposed by the sink). Set this or <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>The schema holding the <c>audit</c> table. Default <c>agentquotas</c>; same rules as <see cref="PostgresQuotaStoreOptions.Schema"/>.</summary>
    public string Schema { get; set; } = PostgresSchema.DefaultSchema;

    /// <summary>Whether opening creates or migrates the schema. Default <see langword="true"/>.</summary>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>
    /// Most records waiting to be written. While the server is away records wait here; one arriving when
    /// this many wait is refused (<c>TryWrite</c> returns <see langword="false"/>) and counted as dropped:
    /// that is the back-pressure. Default 100,000; at least 1.
    /// </summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Most records per INSERT. Default 500; 1 to 10,000.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The wait before retrying a failed batch; doubles per failure up to <see cref="MaxRetryDelay"/>. Default 200 ms; positive.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries. Default 10 seconds; at least <see cref="RetryDelay"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many times a batch the server rejects for another reason than being unreachable (a missing right,
    /// a constraint) is tried before it is dropped and counted. Batches are retried without limit while
    /// the server is unreachable. Default 10; at least 1.
    /// </summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How long disposing waits for waiting records to be written; records still waiting then are counted
    /// as dropped. Default 30 seconds; zero or more.
    /// </summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Written to each row's <c>host</c> column. Default <see cref="Environment.MachineName"/>.</summary>
    public string? HostName { get; set; } = Environment.MachineName;

    /// <summary>The clock for retry delays. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ConnectionSettings.Validate(ConnectionString, DataSource, Schema, nameof(ConnectionString), nameof(DataSource), nameof(Schema));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 10_000, nameof(BatchSize));
        if (RetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "The retry delay must be positive.");
        }

        if (MaxRetryDelay < RetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "The longest retry delay must be at least RetryDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        if (DisposeTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DisposeTimeout), DisposeTimeout, "The dispose timeout must be zero or more.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
