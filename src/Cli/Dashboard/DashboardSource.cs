using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Cli.Dashboard;

/// <summary>
/// Reads what the dashboard shows: buckets through the store's <see cref="IQuotaStore.Peek"/> for every tenant the
/// policy names or the audit trail has seen, anomalies and denials from the audit trail, and (from an in-process gate
/// only) queues, pools and the detector's flagged tenants.
/// </summary>
internal abstract class DashboardSource : IAsyncDisposable
{
    /// <summary>How many refusals the page lists.</summary>
    public const int RecentDenials = 25;

    private readonly string _name;

    protected DashboardSource(string name)
    {
        _name = name;
    }

    /// <summary>A source over an in-process gate; its audit sink must be readable (an <see cref="InMemoryAuditSink"/>) for denials.</summary>
    public static DashboardSource ForGate(QuotaGate gate) => new GateSource(gate);

    /// <summary>Reads one snapshot.</summary>
    public async Task<DashboardSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        QuotaPolicy policy = Policy;
        IReadOnlyList<QuotaAuditRecord> records = await AuditAsync(cancellationToken).ConfigureAwait(false);
        var tenants = new SortedSet<string>(policy.Tenants.Keys, StringComparer.Ordinal);
        foreach (QuotaAuditRecord record in records)
        {
            tenants.Add(record.Tenant);
        }

        var buckets = new List<DashboardBucket>();
        foreach (string tenant in tenants)
        {
            if (!policy.TryResolveTier(tenant, out TierPolicy? tier))
            {
                continue;
            }

            foreach (CategoryBudget budget in tier.Categories.Values.OrderBy(b => b.Category, StringComparer.Ordinal))
            {
                BucketSnapshot level = await PeekAsync(new BucketKey(tenant, budget.Category), budget.Limits, cancellationToken).ConfigureAwait(false);
                buckets.Add(new DashboardBucket(tenant, tier.Name, budget.Category, budget.Capacity, level.Level, level.BurstCredits, Queued(tenant, budget.Category)));
            }
        }

        DashboardDenial[] denials = records
            .Where(r => r.Decision is AuditDecision.Denied or AuditDecision.Degraded)
            .OrderByDescending(r => r.Timestamp)
            .Take(RecentDenials)
            .Select(r => new DashboardDenial(r.Timestamp, r.Tenant, r.Tool, r.Category, r.Reason.ToString(), r.Detail))
            .ToArray();
        return new DashboardSnapshot(_name, policy.Version, Now, buckets, Queues(), Pools(), Anomalies(records), denials);
    }

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected abstract QuotaPolicy Policy { get; }

    protected abstract DateTimeOffset Now { get; }

    protected abstract ValueTask<BucketSnapshot> PeekAsync(BucketKey key, BucketLimits limits, CancellationToken cancellationToken);

    protected abstract Task<IReadOnlyList<QuotaAuditRecord>> AuditAsync(CancellationToken cancellationToken);

    protected virtual int Queued(string tenant, string category) => 0;

    protected virtual IReadOnlyList<DashboardQueue>? Queues() => null;

    protected virtual IReadOnlyList<DashboardPool>? Pools() => null;

    /// <summary>Tenants whose last anomaly record flags them (not followed by a clearance).</summary>
    protected virtual IReadOnlyList<DashboardAnomaly> Anomalies(IReadOnlyList<QuotaAuditRecord> records) =>
        records.Where(r => r.Decision is AuditDecision.AnomalyFlagged or AuditDecision.AnomalyCleared)
            .GroupBy(r => r.Tenant, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.Timestamp))
            .Where(r => r.Decision == AuditDecision.AnomalyFlagged)
            .OrderBy(r => r.Tenant, StringComparer.Ordinal)
            .Select(r => new DashboardAnomaly(r.Tenant, r.Timestamp, r.Detail))
            .ToArray();

    private sealed class GateSource : DashboardSource
    {
        private readonly QuotaGate _gate;

        public GateSource(QuotaGate gate)
            : base("gate")
        {
            _gate = gate;
        }

        protected override QuotaPolicy Policy => _gate.Policy;

        protected override DateTimeOffset Now => _gate.TimeProvider.GetUtcNow();

        protected override ValueTask<BucketSnapshot> PeekAsync(BucketKey key, BucketLimits limits, CancellationToken cancellationToken) =>
            new(_gate.Store.Peek(key, limits));

        protected override Task<IReadOnlyList<QuotaAuditRecord>> AuditAsync(CancellationToken cancellationToken) =>
            Task.FromResult(_gate.AuditSink is InMemoryAuditSink memory ? memory.Snapshot() : (IReadOnlyList<QuotaAuditRecord>)[]);

        protected override int Queued(string tenant, string category) => _gate.GetQueuedCount(tenant, category);

        protected override IReadOnlyList<DashboardQueue> Queues() =>
            _gate.GetQueueDepths().Select(q => new DashboardQueue(q.Class.ToString(), q.InBucketQueues, q.InPoolQueues)).ToArray();

        protected override IReadOnlyList<DashboardPool> Pools() =>
            _gate.GetPoolStatistics().Select(p => new DashboardPool(p.Name, p.InUse, p.Concurrency, p.IsReserved)).ToArray();

        // The detector is the authority in-process; the audit record (when the sink keeps it) gives the detail.
        protected override IReadOnlyList<DashboardAnomaly> Anomalies(IReadOnlyList<QuotaAuditRecord> records)
        {
            Dictionary<string, string?> details = base.Anomalies(records).ToDictionary(a => a.Tenant, a => a.Detail, StringComparer.Ordinal);
            return _gate.Anomalies.Flagged.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => new DashboardAnomaly(f.Key, f.Value, details.GetValueOrDefault(f.Key)))
                .ToArray();
        }
    }
}
