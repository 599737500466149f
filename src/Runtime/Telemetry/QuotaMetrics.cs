using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentQuotas.Telemetry;

/// <summary>The instruments of one gate. Tags are built only when an instrument has a listener.</summary>
internal sealed partial class QuotaMetrics : IDisposable
{
    // Cached names, so tagging never allocates for enums.
    private static readonly string[] ClassNames = Enum.GetNames<WorkloadClass>();
    // Indexed by the reason's value: the values have gaps (numbers are reserved per feature), so not by position.
    private static readonly string[] ReasonNames = NamesByValue();
    private static readonly string[] ModeNames = Enum.GetNames<DegradationMode>();
    private static readonly string[] SignalNames = ["spend", "requests", "tokens"];

    private readonly bool _ownsMeter;
    private readonly bool _includeTenant;

    public QuotaMetrics(IMeterFactory? factory, bool includeTenant)
    {
        _includeTenant = includeTenant;
        if (factory is null)
        {
            Meter = new Meter(QuotaTelemetry.MeterName, typeof(QuotaMetrics).Assembly.GetName().Version?.ToString());
            _ownsMeter = true;
        }
        else
        {
            Meter = factory.Create(new MeterOptions(QuotaTelemetry.MeterName) { Version = typeof(QuotaMetrics).Assembly.GetName().Version?.ToString() });
        }

        Admitted = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Admitted, "{call}", "Calls admitted in full.");
        Denied = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Denied, "{call}", "Calls refused with nothing served.");
        Degraded = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Degraded, "{call}", "Calls served by a lower rung of the degradation ladder.");
        Queued = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Queued, "{call}", "Calls that waited in a queue.");
        QueueWait = Meter.CreateHistogram<double>(QuotaTelemetry.Instruments.QueueWait, "s", "Time spent waiting in a queue.");
        Cost = Meter.CreateCounter<double>(QuotaTelemetry.Instruments.Cost, "{unit}", "Cost units charged.");
        CostRatio = Meter.CreateHistogram<double>(QuotaTelemetry.Instruments.CostRatio, "1", "Actual cost divided by planned cost.");
        BucketLevel = Meter.CreateHistogram<double>(QuotaTelemetry.Instruments.BucketLevel, "{unit}", "Units left in the bucket after a decision.");
        Iterations = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Iterations, "{iteration}", "Run iterations begun.");
        Anomalies = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Anomalies, "{anomaly}", "Tenants flagged by anomaly detection (tagged with the signal that flagged them).");
        CircuitTransitions = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.CircuitTransitions, "{transition}", "Circuit-breaker state changes.");
        ModelRoutes = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.ModelRoutes, "{decision}", "Model routing decisions, per model.");
        ModelTurns = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.ModelTurns, "{turn}", "Model turns completed, per model.");
        Completed = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Completed, "{call}", "Admitted calls that completed.");
        Failed = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.Failed, "{call}", "Admitted calls that failed.");
        BurstUsed = Meter.CreateCounter<double>(QuotaTelemetry.Instruments.BurstUsed, "{unit}", "Cost units of admissions that drew banked burst credits.");
        PrivilegedCalls = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.PrivilegedCalls, "{call}", "Decisions on privileged tools.");
        ModelTokens = Meter.CreateCounter<long>(QuotaTelemetry.Instruments.ModelTokens, "{token}", "Model tokens charged, by the model the chat client reported.");
        ModelCost = Meter.CreateCounter<double>(QuotaTelemetry.Instruments.ModelCost, "{unit}", "Cost units charged for model tokens, by model.");
    }

    public Counter<long> Completed { get; }

    public Counter<long> Failed { get; }

    public Counter<double> BurstUsed { get; }

    public Counter<long> PrivilegedCalls { get; }

    public Counter<long> ModelTokens { get; }

    public Counter<double> ModelCost { get; }

    /// <summary>
    /// Registers the observable gauges: read from <paramref name="source"/> only when a listener collects, so the
    /// decision path does no work and allocates nothing for them.
    /// </summary>
    public void ObserveGate(IQuotaGaugeSource source)
    {
        Meter.CreateObservableGauge(QuotaTelemetry.Instruments.QueueDepth, () => QueueDepths(source), "{call}",
            "Calls waiting now, by workload class and by where they wait (a bucket's queue or a compute pool's).");
        Meter.CreateObservableGauge(QuotaTelemetry.Instruments.PoolInUse, () => PoolSlots(source, inUse: true), "{call}",
            "Calls running now in each compute pool.");
        Meter.CreateObservableGauge(QuotaTelemetry.Instruments.PoolConcurrency, () => PoolSlots(source, inUse: false), "{call}",
            "Slots of each compute pool (its concurrency).");
        Meter.CreateObservableGauge(QuotaTelemetry.Instruments.AnomaliesFlagged, () => source.FlaggedTenants, "{tenant}",
            "Tenants flagged by anomaly detection and not yet cleared.");
    }

    private static Measurement<int>[] QueueDepths(IQuotaGaugeSource source)
    {
        Span<int> buckets = stackalloc int[ClassNames.Length];
        Span<int> pools = stackalloc int[ClassNames.Length];
        source.CountWaiting(buckets, pools);
        var measurements = new Measurement<int>[ClassNames.Length * 2];
        for (int c = 0; c < ClassNames.Length; c++)
        {
            measurements[2 * c] = new Measurement<int>(buckets[c],
                new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Class, ClassNames[c]), new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Queue, "bucket"));
            measurements[(2 * c) + 1] = new Measurement<int>(pools[c],
                new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Class, ClassNames[c]), new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Queue, "pool"));
        }

        return measurements;
    }

    private static IEnumerable<Measurement<int>> PoolSlots(IQuotaGaugeSource source, bool inUse) =>
        source.Pools().Select(p => new Measurement<int>(inUse ? p.InUse : p.Concurrency, new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Pool, p.Name)));

    public Counter<long> Anomalies { get; }

    public Counter<long> CircuitTransitions { get; }

    public Meter Meter { get; }

    public Counter<long> Admitted { get; }

    public Counter<long> Denied { get; }

    public Counter<long> Degraded { get; }

    public Counter<long> Queued { get; }

    public Histogram<double> QueueWait { get; }

    public Counter<double> Cost { get; }

    public Histogram<double> CostRatio { get; }

    public Histogram<double> BucketLevel { get; }

    public Counter<long> Iterations { get; }

    public void RecordDecision(in QuotaDecision decision, WorkloadClass workloadClass)
    {
        if (decision.IsAdmitted)
        {
            if (Admitted.Enabled)
            {
                TagList tags = Tags(decision.Tenant, decision.Category, workloadClass);
                tags.Add(QuotaTelemetry.Tags.Mode, ModeNames[(int)decision.Mode]);
                Admitted.Add(1, tags);
            }

            if (Cost.Enabled)
            {
                Cost.Add(decision.Cost, Tags(decision.Tenant, decision.Category, workloadClass));
            }
        }
        else if (decision.Mode is DegradationMode.DraftOnly or DegradationMode.ApprovalRequired)
        {
            if (Degraded.Enabled)
            {
                TagList tags = Tags(decision.Tenant, decision.Category, workloadClass);
                tags.Add(QuotaTelemetry.Tags.Reason, ReasonNames[(int)decision.Reason]);
                tags.Add(QuotaTelemetry.Tags.Mode, ModeNames[(int)decision.Mode]);
                Degraded.Add(1, tags);
            }
        }
        else if (Denied.Enabled)
        {
            TagList tags = Tags(decision.Tenant, decision.Category, workloadClass);
            tags.Add(QuotaTelemetry.Tags.Reason, ReasonNames[(int)decision.Reason]);
            Denied.Add(1, tags);
        }

        if (BucketLevel.Enabled && double.IsFinite(decision.Remaining))
        {
            BucketLevel.Record(decision.Remaining, Tags(decision.Tenant, decision.Category, workloadClass));
        }
    }

    public void RecordCostCorrection(string tenant, string category, WorkloadClass workloadClass, double planned, double actual)
    {
        if (CostRatio.Enabled && planned > 0)
        {
            CostRatio.Record(actual / planned, Tags(tenant, category, workloadClass));
        }

        if (Cost.Enabled && actual != planned)
        {
            Cost.Add(actual - planned, Tags(tenant, category, workloadClass));
        }
    }

    public void RecordIteration(string tenant, WorkloadClass workloadClass)
    {
        if (Iterations.Enabled)
        {
            var tags = default(TagList);
            if (_includeTenant)
            {
                tags.Add(QuotaTelemetry.Tags.Tenant, tenant);
            }

            tags.Add(QuotaTelemetry.Tags.Class, ClassNames[(int)workloadClass]);
            Iterations.Add(1, tags);
        }
    }

    public void RecordQueued(string tenant, string category, WorkloadClass workloadClass, QuotaReason reason)
    {
        if (Queued.Enabled)
        {
            TagList tags = Tags(tenant, category, workloadClass);
            tags.Add(QuotaTelemetry.Tags.Reason, ReasonNames[(int)reason]);
            Queued.Add(1, tags);
        }
    }

    public void RecordQueueWait(string tenant, string category, WorkloadClass workloadClass, TimeSpan waited, string outcome)
    {
        if (QueueWait.Enabled)
        {
            TagList tags = Tags(tenant, category, workloadClass);
            tags.Add(QuotaTelemetry.Tags.Outcome, outcome);
            QueueWait.Record(waited.TotalSeconds, tags);
        }
    }

    public void RecordAnomaly(string tenant, Policy.AnomalySignal signal)
    {
        if (Anomalies.Enabled)
        {
            var tags = default(TagList);
            if (_includeTenant)
            {
                tags.Add(QuotaTelemetry.Tags.Tenant, tenant);
            }

            tags.Add(QuotaTelemetry.Tags.Signal, SignalNames[(int)signal]);
            Anomalies.Add(1, tags);
        }
    }

    /// <summary>Counts the end of an admitted call: completed, or failed.</summary>
    public void RecordOutcome(in QuotaDecision decision, WorkloadClass workloadClass, bool failed)
    {
        Counter<long> counter = failed ? Failed : Completed;
        if (counter.Enabled)
        {
            counter.Add(1, Tags(decision.Tenant, decision.Category, workloadClass));
        }
    }

    public void RecordBurst(in QuotaDecision decision, WorkloadClass workloadClass)
    {
        if (BurstUsed.Enabled)
        {
            BurstUsed.Add(decision.Cost, Tags(decision.Tenant, decision.Category, workloadClass));
        }
    }

    public void RecordPrivileged(in QuotaDecision decision)
    {
        if (PrivilegedCalls.Enabled)
        {
            var tags = default(TagList);
            if (_includeTenant)
            {
                tags.Add(QuotaTelemetry.Tags.Tenant, decision.Tenant);
            }

            tags.Add(QuotaTelemetry.Tags.Tool, decision.Tool);
            tags.Add(QuotaTelemetry.Tags.Decision, decision.IsAdmitted ? "admitted" : "refused");
            PrivilegedCalls.Add(1, tags);
        }
    }

    public void RecordModelUsage(string tenant, string model, long inputTokens, long outputTokens, long unsplitTokens, double cost)
    {
        if (ModelTokens.Enabled)
        {
            AddTokens(tenant, model, "input", inputTokens);
            AddTokens(tenant, model, "output", outputTokens);
            AddTokens(tenant, model, "total", unsplitTokens);
        }

        if (ModelCost.Enabled && cost != 0)
        {
            ModelCost.Add(cost, ModelTags(tenant, model));
        }
    }

    private void AddTokens(string tenant, string model, string type, long tokens)
    {
        if (tokens > 0)
        {
            TagList tags = ModelTags(tenant, model);
            tags.Add(QuotaTelemetry.Tags.TokenType, type);
            ModelTokens.Add(tokens, tags);
        }
    }

    private TagList ModelTags(string tenant, string model)
    {
        var tags = default(TagList);
        if (_includeTenant)
        {
            tags.Add(QuotaTelemetry.Tags.Tenant, tenant);
        }

        tags.Add(QuotaTelemetry.Tags.Model, model);
        return tags;
    }

    public void RecordCircuitTransition(string category, string state)
    {
        if (CircuitTransitions.Enabled)
        {
            var tags = default(TagList);
            tags.Add(QuotaTelemetry.Tags.Category, category);
            tags.Add(QuotaTelemetry.Tags.CircuitState, state);
            CircuitTransitions.Add(1, tags);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private TagList Tags(string tenant, string category, WorkloadClass workloadClass)
    {
        var tags = default(TagList);
        if (_includeTenant)
        {
            tags.Add(QuotaTelemetry.Tags.Tenant, tenant);
        }

        tags.Add(QuotaTelemetry.Tags.Category, category);
        tags.Add(QuotaTelemetry.Tags.Class, ClassNames[(int)workloadClass]);
        return tags;
    }

    private static string[] NamesByValue()
    {
        QuotaReason[] reasons = Enum.GetValues<QuotaReason>();
        var names = new string[(int)reasons.Max() + 1];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = ((QuotaReason)i).ToString();
        }

        return names;
    }
}
