using AgentQuotas;
using SupportDesk.Agent;

namespace SupportDesk.Reporting;

/// <summary>The agent's side of the run: how each conversation ended and what its tool calls came to. Thread-safe.</summary>
internal sealed class ConversationLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, WorkloadClass Class), Totals> _totals = new();
    private readonly Dictionary<string, DenialExample> _firstDenials = new(StringComparer.Ordinal);

    public void Started(string tenant, WorkloadClass workloadClass)
    {
        lock (_lock)
        {
            For(tenant, workloadClass).Started++;
        }
    }

    public void Ended(string tenant, WorkloadClass workloadClass, AgentAnswer answer)
    {
        lock (_lock)
        {
            Totals totals = For(tenant, workloadClass);
            totals.Turns += answer.Turns;
            totals.TurnsWithoutTools += answer.TurnsWithoutTools;
            if (answer.Status == AnswerStatus.Answered)
            {
                totals.Answered++;
            }
            else
            {
                totals.Stopped++;
                QuotaReason reason = answer.StopReason ?? QuotaReason.None;
                totals.StoppedBy[reason] = totals.StoppedBy.GetValueOrDefault(reason) + 1;
                if (answer.StopRetryAfter is TimeSpan stopRetryAfter)
                {
                    // A refused model turn is a refused call too: the guarded chat client says when to retry.
                    totals.DenialsWithRetryAfter++;
                    _firstDenials.TryAdd(tenant, new DenialExample(tenant, "chat (model turn)", reason, stopRetryAfter, answer.Text));
                }
            }

            foreach (ToolCallRecord call in answer.ToolCalls)
            {
                if (call.Outcome == ToolCallOutcome.Denied && call.RetryAfter is TimeSpan retryAfter)
                {
                    totals.DenialsWithRetryAfter++;
                    _firstDenials.TryAdd(tenant, new DenialExample(tenant, call.Tool, call.Reason!.Value, retryAfter, call.Message ?? string.Empty));
                }
            }
        }
    }

    public void CutOff(string tenant, WorkloadClass workloadClass)
    {
        lock (_lock)
        {
            For(tenant, workloadClass).CutOff++;
        }
    }

    public (int Started, int Ended) Progress(string tenant)
    {
        lock (_lock)
        {
            int started = 0, ended = 0;
            foreach (KeyValuePair<(string Tenant, WorkloadClass Class), Totals> entry in _totals)
            {
                if (entry.Key.Tenant == tenant)
                {
                    started += entry.Value.Started;
                    ended += entry.Value.Answered + entry.Value.Stopped + entry.Value.CutOff;
                }
            }

            return (started, ended);
        }
    }

    public ConversationCounts Merge(Func<string, WorkloadClass, bool> include)
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

        return new ConversationCounts
        {
            Started = merged.Started,
            Answered = merged.Answered,
            Stopped = merged.Stopped,
            CutOff = merged.CutOff,
            StoppedBy = new SortedDictionary<QuotaReason, int>(merged.StoppedBy),
            Turns = merged.Turns,
            TurnsWithoutTools = merged.TurnsWithoutTools,
            DenialsWithRetryAfter = merged.DenialsWithRetryAfter,
        };
    }

    public IReadOnlyList<WorkloadClass> ClassesOf(string tenant)
    {
        lock (_lock)
        {
            return [.. _totals.Keys.Where(k => k.Tenant == tenant).Select(k => k.Class).Order()];
        }
    }

    public DenialExample? FirstDenialWithRetryAfter(string tenant)
    {
        lock (_lock)
        {
            return _firstDenials.GetValueOrDefault(tenant);
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

    private sealed class Totals
    {
        public int Started { get; set; }

        public int Answered { get; set; }

        public int Stopped { get; set; }

        public int CutOff { get; set; }

        public int Turns { get; set; }

        public int TurnsWithoutTools { get; set; }

        public int DenialsWithRetryAfter { get; set; }

        public SortedDictionary<QuotaReason, int> StoppedBy { get; } = new();

        public void Add(Totals other)
        {
            Started += other.Started;
            Answered += other.Answered;
            Stopped += other.Stopped;
            CutOff += other.CutOff;
            Turns += other.Turns;
            TurnsWithoutTools += other.TurnsWithoutTools;
            DenialsWithRetryAfter += other.DenialsWithRetryAfter;
            foreach (KeyValuePair<QuotaReason, int> entry in other.StoppedBy)
            {
                StoppedBy[entry.Key] = StoppedBy.GetValueOrDefault(entry.Key) + entry.Value;
            }
        }
    }
}
