using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Postgres;
using AgentQuotas.Stores;

namespace AgentQuotas.Cli.Dashboard;

/// <summary>
/// The dashboard over a PostgreSQL store: buckets from its <c>buckets</c> table (through the store's read-only
/// peek), anomalies and denials from its <c>audit</c> table over the last <see cref="AuditWindow"/>. Queues and
/// pools live in each gate's process, so this source shows none.
/// </summary>
internal sealed class PostgresDashboardSource : DashboardSource
{
    /// <summary>How far back the audit table is read.</summary>
    public static readonly TimeSpan AuditWindow = TimeSpan.FromHours(24);

    private readonly PostgresQuotaStore _store;
    private readonly string _connectionString;
    private readonly QuotaPolicy _policy;
    private readonly TimeProvider _time;

    private PostgresDashboardSource(PostgresQuotaStore store, string connectionString, QuotaPolicy policy, TimeProvider time)
        : base("postgres")
    {
        _store = store;
        _connectionString = connectionString;
        _policy = policy;
        _time = time;
    }

    public static async Task<PostgresDashboardSource> OpenAsync(string connectionString, string schema, QuotaPolicy policy, TimeProvider time, CancellationToken cancellationToken)
    {
        PostgresQuotaStore store = await PostgresQuotaStore.OpenAsync(
            new PostgresQuotaStoreOptions { ConnectionString = connectionString, Schema = schema, TimeProvider = time }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PostgresDashboardSource(store, connectionString, policy, time);
    }

    protected override QuotaPolicy Policy => _policy;

    protected override DateTimeOffset Now => _time.GetUtcNow();

    public override ValueTask DisposeAsync() => _store.DisposeAsync();

    protected override ValueTask<BucketSnapshot> PeekAsync(BucketKey key, BucketLimits limits, CancellationToken cancellationToken) =>
        _store.PeekAsync(key, limits, cancellationToken);

    protected override async Task<IReadOnlyList<QuotaAuditRecord>> AuditAsync(CancellationToken cancellationToken)
    {
        var records = new List<QuotaAuditRecord>();
        await foreach (QuotaAuditRecord record in PostgresAuditReader.ReadAsync(_connectionString, _store.Schema, since: Now - AuditWindow, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(record);
        }

        return records;
    }
}
