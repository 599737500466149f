using AgentQuotas.Audit;

namespace AgentQuotas.Cli.Reporting;

/// <summary>Audit records summarised per tenant: what was decided, why, and what it cost.</summary>
internal sealed class AuditSummary
{
    private readonly Dictionary<string, TenantSummary> _tenants = new(StringComparer.Ordinal);

    public int Records { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    public SortedSet<string> PolicyVersions { get; } = new(StringComparer.Ordinal);

    public IEnumerable<TenantSummary> Tenants => _tenants.Values.OrderBy(t => t.Tenant, StringComparer.Ordinal);

    public static AuditSummary From(IEnumerable<QuotaAuditRecord> records, string? tenant = null, DateTimeOffset? since = null)
    {
        var summary = new AuditSummary();
        foreach (QuotaAuditRecord record in records)
        {
            if ((tenant is null || record.Tenant == tenant) && (since is null || record.Timestamp >= since))
            {
                summary.Add(record);
            }
        }

        return summary;
    }

    public static async Task<AuditSummary> FromAsync(IAsyncEnumerable<QuotaAuditRecord> records, CancellationToken cancellationToken)
    {
        var summary = new AuditSummary();
        await foreach (QuotaAuditRecord record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            summary.Add(record);
        }

        return summary;
    }

    public void Add(in QuotaAuditRecord record)
    {
        Records++;
        First = First is null || record.Timestamp < First ? record.Timestamp : First;
        Last = Last is null || record.Timestamp > Last ? record.Timestamp : Last;
        PolicyVersions.Add(record.PolicyVersion);
        if (!_tenants.TryGetValue(record.Tenant, out TenantSummary? t))
        {
            t = new TenantSummary(record.Tenant);
            _tenants.Add(record.Tenant, t);
        }

        t.Add(record);
    }
}

/// <summary>One tenant's part of an <see cref="AuditSummary"/>.</summary>
internal sealed class TenantSummary(string tenant)
{
    private readonly List<double> _queueWaits = [];

    public string Tenant { get; } = tenant;

    public int Admitted { get; private set; }

    public int Completed { get; private set; }

    public int Failed { get; private set; }

    public int Denied { get; private set; }

    public int Degraded { get; private set; }

    public int Queued { get; private set; }

    public int Anomalies { get; private set; }

    /// <summary>Cost charged: planned cost of admissions, corrected by reported actual costs.</summary>
    public double Cost { get; private set; }

    public Dictionary<QuotaReason, int> DenialReasons { get; } = [];

    public Dictionary<DegradationMode, int> DegradedModes { get; } = [];

    public SortedSet<string> Principals { get; } = new(StringComparer.Ordinal);

    public double QueueWaitPercentile(double p) => Percentile(_queueWaits, p);

    public void Add(in QuotaAuditRecord r)
    {
        Principals.Add(r.Principal);
        if (r.QueueWait > TimeSpan.Zero)
        {
            _queueWaits.Add(r.QueueWait.TotalSeconds);
        }

        switch (r.Decision)
        {
            case AuditDecision.Admitted:
                Admitted++;
                Cost += r.PlannedCost;
                if (r.Outcome is AuditDecision.Completed)
                {
                    // The end written into the admission's record (the gate's default sink): counted as its own record would be.
                    Completed++;
                    if (r.ActualCost is double ended)
                    {
                        Cost += ended - r.PlannedCost;
                    }
                }
                else if (r.Outcome is AuditDecision.Failed)
                {
                    Failed++;
                }

                break;
            case AuditDecision.Completed:
                Completed++;
                if (r.ActualCost is double actual)
                {
                    Cost += actual - r.PlannedCost;
                }

                break;
            case AuditDecision.Failed:
                Failed++;
                break;
            case AuditDecision.Denied:
                Denied++;
                DenialReasons[r.Reason] = DenialReasons.GetValueOrDefault(r.Reason) + 1;
                break;
            case AuditDecision.Degraded:
                Degraded++;
                DegradedModes[r.Mode] = DegradedModes.GetValueOrDefault(r.Mode) + 1;
                break;
            case AuditDecision.Queued:
                Queued++;
                break;
            case AuditDecision.AnomalyFlagged:
                Anomalies++;
                break;
        }
    }

    // Nearest-rank percentile: the smallest value with at least p of the samples at or below it.
    internal static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        int rank = (int)Math.Ceiling(p * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)];
    }
}
