using System.Globalization;
using System.Runtime.InteropServices;
using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;
using AgentQuotas.Telemetry;

namespace AgentQuotas;

// What the gate shows of scheduling under contention: priority queues, compute pools, circuit breakers and
// anomaly detection (the decision pipeline's steps use them; see Pipeline/).
public sealed partial class QuotaGate : IQuotaGaugeSource
{
    int IQuotaGaugeSource.FlaggedTenants => _anomalies.FlaggedCount;

    void IQuotaGaugeSource.CountWaiting(Span<int> buckets, Span<int> pools)
    {
        _buckets.CountWaiting(buckets);
        _pools.CountWaiting(pools);
    }

    IReadOnlyList<ComputePoolStatistics> IQuotaGaugeSource.Pools() => GetPoolStatistics();

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

    /// <summary>Requests waiting now, by workload class (highest first), in bucket queues and for compute-pool slots.</summary>
    public IReadOnlyList<QueueDepth> GetQueueDepths()
    {
        Span<int> buckets = stackalloc int[WaitingLine.ClassCount];
        Span<int> pools = stackalloc int[WaitingLine.ClassCount];
        _buckets.CountWaiting(buckets);
        _pools.CountWaiting(pools);
        var depths = new QueueDepth[WaitingLine.ClassCount];
        for (int c = 0; c < depths.Length; c++)
        {
            depths[c] = new QueueDepth((WorkloadClass)c, buckets[c], pools[c]);
        }

        return depths;
    }

    /// <summary>Requests waiting now in any bucket queue or for a compute-pool slot.</summary>
    public int QueuedCount => _buckets.Waiting + _pools.Waiting;

    internal BucketScheduler BucketQueues => _buckets;

    internal ComputePoolSet Pools => _pools;

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
}
