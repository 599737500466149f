using AgentQuotas;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;
using SupportDesk.Hosting;
using SupportDesk.Tools;
using SupportDesk.Workload;

namespace SupportDesk.Reporting;

/// <summary>Puts the report together from the audit totals, the agent's ledger, the backend's ledger and the gate's statistics.</summary>
internal static class ReportBuilder
{
    public static SupportDeskReport Build(SupportDeskOptions options, QuotaGate gate, IReadOnlyList<TenantProfile> profiles, ReportCollector collector,
        ConversationLedger ledger, SupportBackend backend, DateTimeOffset startedAt, TimeSpan elapsed, bool virtualTime, IReadOnlyDictionary<string, int> poolPeaks)
    {
        QuotaPolicy policy = gate.Policy;
        string? quarantine = policy.Anomaly?.QuarantineTier;
        AnomalyReport[] anomalies = [.. collector.Anomalies().Select(a => new AnomalyReport(a.Tenant, a.At - startedAt, quarantine, a.Detail ?? string.Empty))];
        IReadOnlyDictionary<string, TenantActivity> activity = backend.Snapshot();

        TenantReport[] tenants = [.. profiles.Select(p =>
        {
            ReportCollector.Totals totals = collector.Merge((t, _) => t == p.Tenant);
            TenantActivity done = activity.GetValueOrDefault(p.Tenant) ?? new TenantActivity();
            return new TenantReport
            {
                Tenant = p.Tenant,
                Tier = TierOf(policy, p.Tenant),
                Role = p.Role,
                Classes = ledger.ClassesOf(p.Tenant),
                Conversations = ledger.Merge((t, _) => t == p.Tenant),
                Calls = totals.ToCallCounts(),
                QueueWait = QueueWaitStats.From(totals.Waits),
                Cost = totals.Cost.Values.Sum(),
                CostByCategory = new SortedDictionary<string, double>(totals.Cost, StringComparer.Ordinal),
                Activity = new TenantActivityView(done.Searches, done.Summaries, done.RefundsIssued, done.RefundedAmount, done.RefundsDrafted, done.EmailsSent),
                Anomaly = anomalies.FirstOrDefault(a => a.Tenant == p.Tenant),
                FirstDenialWithRetryAfter = ledger.FirstDenialWithRetryAfter(p.Tenant),
            };
        })];

        ClassReport[] classes = [.. Enum.GetValues<WorkloadClass>()
            .Select(c => (Class: c, Tenants: tenants.Where(t => t.Classes.Contains(c)).Select(t => t.Tenant).ToArray()))
            .Where(c => c.Tenants.Length > 0)
            .Select(c =>
            {
                ReportCollector.Totals totals = collector.Merge((_, k) => k == c.Class);
                return new ClassReport
                {
                    Class = c.Class,
                    Tenants = c.Tenants,
                    Conversations = ledger.Merge((_, k) => k == c.Class),
                    Calls = totals.ToCallCounts(),
                    QueueWait = QueueWaitStats.From(totals.Waits),
                    Cost = totals.Cost.Values.Sum(),
                };
            })];

        PoolUsage[] pools = [.. gate.GetPoolStatistics().Select(p => new PoolUsage(p.Name, p.Concurrency, poolPeaks.GetValueOrDefault(p.Name)))];
        return new SupportDeskReport
        {
            Seed = options.Seed,
            Duration = options.EffectiveDuration,
            Elapsed = elapsed,
            VirtualTime = virtualTime,
            Store = options.Store == SupportDeskStore.Postgres ? "postgres" : "memory",
            PolicyVersion = policy.Version,
            Tenants = tenants,
            Classes = classes,
            Anomalies = anomalies,
            Pools = pools,
            Models = collector.Models(),
            BatchReservedShare = policy.GetClass(WorkloadClass.Batch).ReservedShare,
            AuditRecords = collector.Records,
        };
    }

    public static string TierOf(QuotaPolicy policy, string tenant) =>
        policy.TryResolveTier(tenant, out TierPolicy? tier) ? tier.Name : "(unknown)";
}
