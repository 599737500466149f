using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Routing;

namespace SupportDesk.Reporting;

/// <summary>
/// An audit sink that keeps running totals of the gate's decisions per tenant and class, instead of the records
/// themselves, so a run of any length needs little memory. The report's call counts, queue waits, costs and anomalies
/// come from here. Thread-safe.
/// </summary>
internal sealed class ReportCollector : IQuotaAuditSink
{
    private const string IterationTool = "(iteration)";
    private const string AnomalyTool = "(anomaly)";

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, WorkloadClass Class), Totals> _totals = new();
    private readonly List<(string Tenant, DateTimeOffset At, string? Detail)> _anomalies = [];
    private readonly ModelRoutingTotals _routes = new();
    private readonly string _chatTool;
    private long _records;

    public ReportCollector(string chatTool)
    {
        _chatTool = chatTool;
    }

    public long DroppedCount => 0;

    public long Records => Interlocked.Read(ref _records);

    /// <summary>The model routing decisions so far, per model.</summary>
    public IReadOnlyList<ModelUsage> Models()
    {
        lock (_lock)
        {
            return _routes.ToUsage();
        }
    }

    public bool TryWrite(in QuotaAuditRecord record)
    {
        Interlocked.Increment(ref _records);
        if (record.Tool == IterationTool)
        {
            return true; // model turns and loop caps are counted by the agent
        }

        lock (_lock)
        {
            if (record.Decision == AuditDecision.AnomalyFlagged)
            {
                _anomalies.Add((record.Tenant, record.Timestamp, record.Detail));
                return true;
            }

            if (record.Tool == AnomalyTool)
            {
                return true;
            }

            if (record.Category == ModelRouter.RouteCategory)
            {
                _routes.Add(record); // a routing decision, not a tool call
                return true;
            }

            Totals totals = For(record.Tenant, record.WorkloadClass);
            if (record.Tool == _chatTool)
            {
                if (record.Decision == AuditDecision.Completed)
                {
                    totals.AddCost(record.Category, record.ActualCost ?? record.PlannedCost);
                }

                return true; // a refused model turn stops a conversation; the agent reports it
            }

            switch (record.Decision)
            {
                case AuditDecision.Admitted:
                    totals.Admitted++;
                    totals.Waits.Add(record.QueueWait);
                    if (record.Mode == DegradationMode.Queued)
                    {
                        totals.AdmittedAfterWaiting++;
                        totals.Queued++;
                    }

                    break;

                case AuditDecision.Degraded:
                    totals.Degraded[record.Mode] = totals.Degraded.GetValueOrDefault(record.Mode) + 1;
                    totals.DegradedReasons[record.Reason] = totals.DegradedReasons.GetValueOrDefault(record.Reason) + 1;
                    totals.Queued += record.QueueWait > TimeSpan.Zero ? 1 : 0;
                    break;

                case AuditDecision.Denied when record.Reason == QuotaReason.Cancelled:
                    break; // the run ended while the call waited: its conversation is counted as cut off

                case AuditDecision.Denied:
                    totals.Denied[record.Reason] = totals.Denied.GetValueOrDefault(record.Reason) + 1;
                    totals.Queued += record.QueueWait > TimeSpan.Zero ? 1 : 0;
                    break;

                case AuditDecision.Completed:
                    totals.AddCost(record.Category, record.ActualCost ?? record.PlannedCost);
                    break;

                case AuditDecision.Failed:
                    totals.Failed++;
                    totals.AddCost(record.Category, record.PlannedCost); // the bucket was charged what was planned
                    break;
            }
        }

        return true;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>A copy of the totals of one tenant and class, or of everything matching the filter merged.</summary>
    public Totals Merge(Func<string, WorkloadClass, bool> include)
    {
        var merged = new Totals();
        lock (_lock)
        {
            foreach (KeyValuePair<(string Tenant, WorkloadClass Class), Totals> entry in _totals)
            {
                if (include(entry.Key.Tenant, entry.Key.Class))
                {
                    merged.Add(entry.Value);
                }
            }
        }

        return merged;
    }

    public IReadOnlyList<(string Tenant, DateTimeOffset At, string? Detail)> Anomalies()
    {
        lock (_lock)
        {
            return [.. _anomalies];
        }
    }

    private Totals For(string tenant, WorkloadClass workloadClass)
    {
        if (!_totals.TryGetValue((tenant, workloadClass), out Totals? totals))
        {
            totals = new Totals();
            _totals.Add((tenant, workloadClass), totals);
        }

        return totals;
    }

    /// <summary>Running totals of one tenant and class (or a merge of several).</summary>
    internal sealed class Totals
    {
        public int Admitted { get; set; }

        public int AdmittedAfterWaiting { get; set; }

        public int Queued { get; set; }

        public int Failed { get; set; }

        public SortedDictionary<DegradationMode, int> Degraded { get; } = new();

        public SortedDictionary<QuotaReason, int> DegradedReasons { get; } = new();

        public SortedDictionary<QuotaReason, int> Denied { get; } = new();

        public List<TimeSpan> Waits { get; } = [];

        public SortedDictionary<string, double> Cost { get; } = new(StringComparer.Ordinal);

        public void AddCost(string category, double cost) => Cost[category] = Cost.GetValueOrDefault(category) + cost;

        public void Add(Totals other)
        {
            Admitted += other.Admitted;
            AdmittedAfterWaiting += other.AdmittedAfterWaiting;
            Queued += other.Queued;
            Failed += other.Failed;
            Merge(Degraded, other.Degraded);
            Merge(DegradedReasons, other.DegradedReasons);
            Merge(Denied, other.Denied);
            Waits.AddRange(other.Waits);
            foreach (KeyValuePair<string, double> cost in other.Cost)
            {
                AddCost(cost.Key, cost.Value);
            }
        }

        public CallCounts ToCallCounts() => new()
        {
            Admitted = Admitted,
            AdmittedAfterWaiting = AdmittedAfterWaiting,
            Queued = Queued,
            Failed = Failed,
            Degraded = new SortedDictionary<DegradationMode, int>(Degraded),
            DegradedReasons = new SortedDictionary<QuotaReason, int>(DegradedReasons),
            Denied = new SortedDictionary<QuotaReason, int>(Denied),
        };

        private static void Merge<TKey>(SortedDictionary<TKey, int> into, SortedDictionary<TKey, int> from)
            where TKey : notnull
        {
            foreach (KeyValuePair<TKey, int> entry in from)
            {
                into[entry.Key] = into.GetValueOrDefault(entry.Key) + entry.Value;
            }
        }
    }
}
