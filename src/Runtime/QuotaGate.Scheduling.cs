using System.Globalization;
using System.Runtime.InteropServices;
using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas;

// Scheduling under contention: priority queues, compute pools, circuit breakers and anomaly detection,
// as the decision pipeline uses them.
public sealed partial class QuotaGate
{
    private const string AnomalyTool = "(anomaly)";
    private const string TenantCategory = "(tenant)";

    /// <summary>The circuit breakers, one per category (created on a category's first failure).</summary>
    public CircuitBreakerRegistry CircuitBreakers => _breakers;

    /// <summary>The spend-anomaly detector: which tenants are flagged, their rates, and <see cref="AnomalyDetector.Clear"/>.</summary>
    public AnomalyDetector Anomalies => _anomalies;

    /// <summary>The compute pools of the policy in force and how many of their slots are in use.</summary>
    public IReadOnlyList<ComputePoolStatistics> GetPoolStatistics()
    {
        _pools.Sync(_provider.Current);
        return _pools.Snapshot().Select(p => new ComputePoolStatistics(p.Name, p.Concurrency, p.InUse, p.Reserved)).ToArray();
    }

    /// <summary>Requests waiting now for units of <paramref name="tenant"/>'s bucket for <paramref name="category"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="category">The category.</param>
    public int GetQueuedCount(string tenant, string category)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(category);
        return _buckets.TryGet(new BucketKey(tenant, category), out BucketQueue? queue) ? queue.Count : 0;
    }

    /// <summary>Requests waiting now in any bucket queue or for a compute-pool slot.</summary>
    public int QueuedCount => _buckets.Waiting + _pools.Waiting;

    internal BucketScheduler BucketQueues => _buckets;

    internal ComputePoolSet Pools => _pools;

    private bool EnterBreaker(ref Attempt a, out QuotaDecision refused)
    {
        refused = default;
        if (!a.Policy.CircuitBreakers.Enabled || _breakers.TryEnter(a.Tool.Category, out bool probe, out TimeSpan retryAfter) && !probe)
        {
            return true;
        }

        if (probe)
        {
            a = a.AsProbe();
            return true;
        }

        refused = Deny(a, QuotaReason.CircuitOpen, store: null,
            string.Format(CultureInfo.InvariantCulture, "{0} consecutive calls failed; the breaker lets a probe call through after its break.",
                _breakers.TryGet(a.Tool.Category, out CircuitBreaker? breaker) ? breaker.ConsecutiveFailures : 0),
            retryAfter);
        return false;
    }

    // Compute pools hold a slot until the ticket ends, so they govern calls in runs (which have tickets).
    private bool UsesPools(in Attempt a)
    {
        if (a.Run is null || a.Policy.Pools.Count == 0)
        {
            return false;
        }

        _pools.Sync(a.Policy);
        return _pools.IsConfigured;
    }

    /// <summary>
    /// Whether a call may wait on the Queued rung: the ladder enables it, the tool has no fallback that the
    /// ladder would serve first (DraftOnly comes before Queued), and the class may queue at all.
    /// </summary>
    private bool MayWait(in Attempt a) =>
        a.Policy.AllowsQueueing && !(a.Tool.HasFallback && a.Policy.AllowsDraftOnly) && QueueLimit(a) > 0;

    /// <summary>Whether a store refusal is one that waiting can cure and the call may wait for it.</summary>
    private bool MayQueueFor(in Attempt a, in QuotaStoreResult taken) =>
        taken.Outcome == QuotaStoreOutcome.BucketExhausted && taken.RetryAfter is not null && MayWait(a);

    private int QueueLimit(in Attempt a) => a.Policy.Schedule.QueueLimits[(int)a.WorkloadClass] ?? _defaultQueueLimit;

    private BucketArrival Arrival(in Attempt a, in QuotaStoreRequest request, bool canWait) =>
        new(request, a.WorkloadClass, a.Identity.Tenant, a.MayBorrow, a.Policy.Schedule, QueueLimit(a), canWait);

    private void ReleasePool(in PoolLease lease)
    {
        if (lease.IsHeld)
        {
            _pools.Release(lease);
        }
    }

    private void RecordQueued(in Attempt a, QuotaReason why, string detail)
    {
        var decision = new QuotaDecision(false, why, DegradationMode.Queued, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, double.NaN, retryAfter: null, a.Policy.Version, detail, a.Policy.ContentHash);
        WriteAudit(a.Timestamp, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Queued, actualCost: null, a.Policy.Version, detail);
        _metrics.RecordQueued(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, why);
        Log.Queued(_logger, a.Tool.Name, a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, why);
    }

    private void RecordCancelled(in Attempt a, TimeSpan waited)
    {
        Abandon(a, releaseRun: false);
        const string Detail = "The caller cancelled while the call waited in the queue; nothing was charged.";
        var decision = new QuotaDecision(false, QuotaReason.Cancelled, DegradationMode.Rejected, a.Identity.Tenant, a.Tool.Category, a.Tool.Name,
            a.Cost, double.NaN, retryAfter: null, a.Policy.Version, Detail, a.Policy.ContentHash);
        WriteAudit(a.Timestamp, a.Run, a.Identity, a.WorkloadClass, a.Workflow, decision, AuditDecision.Denied, actualCost: null, a.Policy.Version, Detail, waited);
        _metrics.RecordQueueWait(a.Identity.Tenant, a.Tool.Category, a.WorkloadClass, waited, "cancelled");
    }

    // Cost is observed when charged (admission) and when corrected (completion with an actual cost).
    private void ObserveSpend(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaPolicy policy, double cost)
    {
        if (policy.Anomaly is not AnomalyPolicy anomaly || _anomalies.Observe(identity.Tenant, cost, anomaly) is not { } finding)
        {
            return;
        }

        string? quarantine = anomaly.QuarantineTier;
        string action = quarantine is null ? "flagged for review" : "moved to tier '" + quarantine + "' until cleared";
        string detail = string.Format(CultureInfo.InvariantCulture,
            "Spend of {0:0.##} units in the current {1} interval is more than {2:0.##} x the baseline of {3:0.##} units per interval; {4}.",
            finding.Current, QuotaMessages.FormatDuration(anomaly.Interval), anomaly.Factor, finding.Baseline, action);
        var decision = new QuotaDecision(false, QuotaReason.AnomalyQuarantine, DegradationMode.Full, identity.Tenant, TenantCategory, AnomalyTool,
            finding.Current, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        WriteAudit(_clock.Timestamp(), run, identity, workloadClass, workflow, decision, AuditDecision.AnomalyFlagged, actualCost: null, policy.Version, detail);
        _metrics.RecordAnomaly(identity.Tenant);
        Log.AnomalyFlagged(_logger, identity.Tenant, finding.Current, finding.Baseline, anomaly.Factor, action);
        if (_onAnomaly is { } handler)
        {
            Raise(handler, new AnomalyDetectedArguments(identity.Tenant, finding.Current, finding.Baseline, anomaly.Factor, anomaly.Interval,
                quarantine, policy.Version, TimeProvider.GetUtcNow()), nameof(QuotaGateOptions.OnAnomalyDetected));
        }
    }

    private void OnAnomalyCleared(string tenant)
    {
        QuotaPolicy policy = _provider.Current;
        const string Detail = "The spend anomaly was cleared after review; the tenant is back on its own tier and its baseline starts again.";
        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, tenant, TenantCategory, AnomalyTool,
            0, double.NaN, retryAfter: null, policy.Version, Detail, policy.ContentHash);
        WriteAudit(_clock.Timestamp(), run: null, new AgentIdentity(tenant, "(operator)"), WorkloadClass.Standard, workflow: null, decision, AuditDecision.AnomalyCleared,
            actualCost: null, policy.Version, Detail);
        Log.AnomalyCleared(_logger, tenant);
    }

    private void OnCircuitChanged(CircuitBreaker breaker, CircuitState from, CircuitState to, Exception? lastFailure)
    {
        Log.CircuitStateChanged(_logger, breaker.Category, from, to, breaker.ConsecutiveFailures);
        _metrics.RecordCircuitTransition(breaker.Category, to.ToString());
        if (_onCircuit is { } handler)
        {
            TimeSpan? duration = to == CircuitState.Open ? _provider.Current.CircuitBreakers.For(breaker.Category).BreakDuration : null;
            Raise(handler, new CircuitStateChangedArguments(breaker.Category, from, to, breaker.ConsecutiveFailures, duration, lastFailure,
                TimeProvider.GetUtcNow()), nameof(QuotaGateOptions.OnCircuitStateChanged));
        }
    }

    private void Raise<TArguments>(Func<TArguments, ValueTask> handler, TArguments arguments, string name)
    {
        ValueTask pending;
        try
        {
            pending = handler(arguments);
        }
        catch (Exception e)
        {
            Log.EventHandlerFailed(_logger, e, name);
            return;
        }

        if (!pending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(pending, name);
        }

        async Task ObserveAsync(ValueTask task, string eventName)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.EventHandlerFailed(_logger, e, eventName);
            }
        }
    }

    /// <summary>A decision and, when admitted in a run with compute pools, the slot it holds.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct Admission
    {
        public Admission(in QuotaDecision decision, PoolLease lease = default)
        {
            Decision = decision;
            Lease = lease;
        }

        public QuotaDecision Decision { get; }

        public PoolLease Lease { get; }
    }
}
