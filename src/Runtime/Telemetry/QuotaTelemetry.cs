using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentQuotas.Telemetry;

/// <summary>
/// Stable telemetry names. Metrics come from a <see cref="Meter"/> named <see cref="MeterName"/> (one per
/// gate, created through <see cref="IMeterFactory"/> when one is configured); spans around guarded calls
/// come from the <see cref="ActivitySource"/> named <see cref="ActivitySourceName"/>.
/// </summary>
public static class QuotaTelemetry
{
    /// <summary>The meter name: <c>AgentQuotas</c>.</summary>
    public const string MeterName = "AgentQuotas";

    /// <summary>The activity source name: <c>AgentQuotas</c>.</summary>
    public const string ActivitySourceName = "AgentQuotas";

    /// <summary>The source of spans around guarded calls.</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName, typeof(QuotaTelemetry).Assembly.GetName().Version?.ToString());

    // Instruments not tied to a gate (audit sinks) live on one shared meter.
    private static readonly Meter SharedMeter = new(MeterName, typeof(QuotaTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> AuditDropped = SharedMeter.CreateCounter<long>(
        Instruments.AuditDropped, "{record}", "Audit records a sink could not keep.");

    /// <summary>Instrument names.</summary>
    public static class Instruments
    {
        /// <summary>Calls admitted in full (counter).</summary>
        public const string Admitted = "agentquotas.admitted";

        /// <summary>Calls refused with nothing served (counter; tagged with the reason).</summary>
        public const string Denied = "agentquotas.denied";

        /// <summary>Calls served by a lower rung of the degradation ladder (counter; tagged with mode and reason).</summary>
        public const string Degraded = "agentquotas.degraded";

        /// <summary>Calls that waited in a queue (counter).</summary>
        public const string Queued = "agentquotas.queued";

        /// <summary>Time spent waiting in a queue, in seconds (histogram).</summary>
        public const string QueueWait = "agentquotas.queue.wait";

        /// <summary>Cost units charged (counter).</summary>
        public const string Cost = "agentquotas.cost";

        /// <summary>Actual cost divided by planned cost, for calls that report it (histogram).</summary>
        public const string CostRatio = "agentquotas.cost.ratio";

        /// <summary>Units left in the bucket after each decision (histogram).</summary>
        public const string BucketLevel = "agentquotas.bucket.level";

        /// <summary>Audit records lost by a sink (counter).</summary>
        public const string AuditDropped = "agentquotas.audit.dropped";

        /// <summary>Run iterations (model turns) begun (counter).</summary>
        public const string Iterations = "agentquotas.iterations";

        /// <summary>Anomalies flagged (counter; tagged with the signal, and with the tenant when tenant tags are on).</summary>
        public const string Anomalies = "agentquotas.anomalies";

        /// <summary>Circuit-breaker state changes (counter; tagged with the category and the new state).</summary>
        public const string CircuitTransitions = "agentquotas.circuit.transitions";

        /// <summary>Model routing decisions (counter; tagged with the model, the route and the class; refusals with the route <c>refused</c>).</summary>
        public const string ModelRoutes = "agentquotas.model.routes";

        /// <summary>Model turns completed (counter; tagged with the model and the class).</summary>
        public const string ModelTurns = "agentquotas.model.turns";

        /// <summary>Admitted calls that completed (<c>ticket.Complete</c>; counter).</summary>
        public const string Completed = "agentquotas.completed";

        /// <summary>Admitted calls that failed (<c>ticket.Fail</c>; counter).</summary>
        public const string Failed = "agentquotas.failed";

        /// <summary>Cost units of admissions that drew banked burst credits (counter).</summary>
        public const string BurstUsed = "agentquotas.burst.used";

        /// <summary>Decisions on privileged tools (counter; tagged with the tenant, the tool and the decision <c>admitted</c> or <c>refused</c>).</summary>
        public const string PrivilegedCalls = "agentquotas.privileged.calls";

        /// <summary>Model tokens charged or routed (counter; tagged with the model and the token type <c>input</c>, <c>output</c> or <c>total</c>).</summary>
        public const string ModelTokens = "agentquotas.model.tokens";

        /// <summary>Cost units charged for model tokens, or a routed turn's cost at the model's prices (counter; tagged with the model).</summary>
        public const string ModelCost = "agentquotas.model.cost";

        /// <summary>Calls waiting now (observable gauge; tagged with the class and the queue: <c>bucket</c> or <c>pool</c>).</summary>
        public const string QueueDepth = "agentquotas.queue.depth";

        /// <summary>Calls running now in each compute pool (observable gauge; tagged with the pool).</summary>
        public const string PoolInUse = "agentquotas.pool.in_use";

        /// <summary>Each compute pool's slots (observable gauge; tagged with the pool).</summary>
        public const string PoolConcurrency = "agentquotas.pool.concurrency";

        /// <summary>Tenants flagged by anomaly detection and not yet cleared (observable gauge).</summary>
        public const string AnomaliesFlagged = "agentquotas.anomalies.flagged";
    }

    /// <summary>Tag names.</summary>
    public static class Tags
    {
        /// <summary>The tenant (omitted when <c>QuotaGateOptions.IncludeTenantInMetrics</c> is off).</summary>
        public const string Tenant = "agentquotas.tenant";

        /// <summary>The quota category.</summary>
        public const string Category = "agentquotas.category";

        /// <summary>The workload class.</summary>
        public const string Class = "agentquotas.class";

        /// <summary>The decision reason.</summary>
        public const string Reason = "agentquotas.reason";

        /// <summary>The degradation mode.</summary>
        public const string Mode = "agentquotas.mode";

        /// <summary>The tool.</summary>
        public const string Tool = "agentquotas.tool";

        /// <summary>The audit sink.</summary>
        public const string Sink = "agentquotas.sink";

        /// <summary>The policy version.</summary>
        public const string PolicyVersion = "agentquotas.policy.version";

        /// <summary>How a wait in a queue ended: <c>granted</c>, <c>timeout</c>, <c>refused</c> or <c>cancelled</c>.</summary>
        public const string Outcome = "agentquotas.queue.outcome";

        /// <summary>A circuit breaker's new state.</summary>
        public const string CircuitState = "agentquotas.circuit.state";

        /// <summary>How a turn came to its model: <c>preferred</c>, <c>rerouted</c> or <c>refused</c>.</summary>
        public const string Route = "agentquotas.route";

        /// <summary>How a decision on a privileged tool ended: <c>admitted</c> or <c>refused</c>.</summary>
        public const string Decision = "agentquotas.decision";

        /// <summary>Where calls wait: <c>bucket</c> (a bucket's queue) or <c>pool</c> (a compute pool's).</summary>
        public const string Queue = "agentquotas.queue";

        /// <summary>The compute pool.</summary>
        public const string Pool = "agentquotas.pool";

        /// <summary>The model, as the chat client reported it (<c>unknown</c> when it did not).</summary>
        public const string Model = "agentquotas.model";

        /// <summary>The kind of tokens: <c>input</c>, <c>output</c>, or <c>total</c> (reported without the split).</summary>
        public const string TokenType = "agentquotas.token.type";

        /// <summary>The anomaly signal: <c>spend</c>, <c>requests</c> or <c>tokens</c>.</summary>
        public const string Signal = "agentquotas.anomaly.signal";
    }
}
