using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Stores;

namespace AgentQuotas.Simulation;

/// <summary>
/// Runs the real <see cref="QuotaGate"/> (queues, pools, breakers and all) against a simulated multi-tenant
/// workload on virtual time: every arrival, completion and timer is an event on one thread, drawn from a
/// seeded random source, so the same <see cref="SimulationOptions"/> always give the same
/// <see cref="SimulationReport"/>. Shared by the CLI (which renders the report) and the fairness tests.
/// </summary>
public static class FairnessSimulation
{
    /// <summary>Runs a simulation.</summary>
    /// <param name="options">What to simulate; <see langword="null"/> for the defaults.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">The policy has no budget for <see cref="SimulationOptions.Category"/> in its default tier.</exception>
    public static SimulationReport Run(SimulationOptions? options = null)
    {
        options ??= new SimulationOptions();
        options.Validate();
        QuotaPolicy policy = options.Policy ?? options.DefaultPolicy();

        // Continuations of granted waits run inline, in event order; no ambient context may reorder them.
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            using var runner = new SimulationRunner(options, policy);
            return runner.Run();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}

/// <summary>One simulation run: the workload generator, the event loop and the bookkeeping.</summary>
internal sealed class SimulationRunner : IDisposable
{
    private const int Classes = 4;

    private readonly SimulationOptions _o;
    private readonly QuotaPolicy _policy;
    private readonly SimulationClock _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CountingAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly Random _random;
    private readonly BucketLimits _limits;
    private readonly string[] _tenants;
    private readonly AgentRun[,] _runs;
    private readonly QuotaTool[,] _tools;
    private readonly long _duration;
    private readonly double _meanCost;

    // Bookkeeping.
    private readonly long[] _offered = new long[Classes];
    private readonly long[] _admitted = new long[Classes];
    private readonly long[] _queued = new long[Classes];
    private readonly long[] _degraded = new long[Classes];
    private readonly long[] _denied = new long[Classes];
    private readonly double[] _units = new double[Classes];
    private readonly List<long>[] _waits = [new(), new(), new(), new()];
    private readonly long[] _tenantOffered;
    private readonly long[] _tenantAdmitted;
    private readonly double[] _tenantUnits;
    private readonly long[] _tenantDegraded;
    private readonly long[] _tenantDenied;
    private readonly decimal[] _tenantAdmittedUnits;
    private readonly SortedDictionary<QuotaReason, long> _reasons = new();
    private readonly Dictionary<string, int> _poolRunning = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _poolConcurrency = new(StringComparer.Ordinal);
    private readonly List<SimulationSample> _series = new();
    private readonly List<long>[] _intervalWaits = [new(), new(), new(), new()];
    private readonly long[] _intervalAdmitted = new long[Classes];
    private long _intervalDegraded;
    private long _intervalDenied;
    private decimal _overAdmission;
    private int _poolOverAdmission;
    private int _circuitOpenings;
    private long _pending;
    private Exception? _failure;

    public SimulationRunner(SimulationOptions options, QuotaPolicy policy)
    {
        _o = options;
        _policy = policy;
        _random = new Random(options.Seed);
        _duration = options.Duration.Ticks;
        _gate = new QuotaGate(policy, new QuotaGateOptions
        {
            TimeProvider = _clock,
            AuditSink = _audit,
            InlineQueueCompletions = true,
            OnCircuitStateChanged = a =>
            {
                if (a.State == CircuitState.Open)
                {
                    _circuitOpenings++;
                }

                return ValueTask.CompletedTask;
            },
        });
        if (policy.DefaultTier?.TryGetBudget(options.Category, out CategoryBudget? budget) != true)
        {
            throw new ArgumentException($"The simulated policy needs a default tier with a budget for category '{options.Category}'.", nameof(options));
        }

        _limits = budget!.Limits;
        _tenants = Enumerable.Range(0, options.Tenants).Select(i => "tenant-" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        _runs = new AgentRun[_tenants.Length, Classes];
        _tools = new QuotaTool[Classes, 2];
        for (int c = 0; c < Classes; c++)
        {
            _tools[c, 0] = new QuotaTool("sim." + (WorkloadClass)c, options.Category);
            _tools[c, 1] = new QuotaTool("sim." + (WorkloadClass)c + ".draftable", options.Category, hasFallback: true);
            for (int t = 0; t < _tenants.Length; t++)
            {
                _runs[t, c] = new AgentRun(_gate, new AgentIdentity(_tenants[t], "simulated"), (WorkloadClass)c, "simulation", name: null, limits: null, parent: null);
            }
        }

        _tenantOffered = new long[_tenants.Length];
        _tenantAdmitted = new long[_tenants.Length];
        _tenantUnits = new double[_tenants.Length];
        _tenantDegraded = new long[_tenants.Length];
        _tenantDenied = new long[_tenants.Length];
        _tenantAdmittedUnits = new decimal[_tenants.Length];
        double mix = options.ClassMix.Sum();
        _meanCost = Enumerable.Range(0, Classes).Sum(c => options.ClassMix[c] / mix * options.ClassCost[c]);
        foreach (PoolPolicy pool in policy.Pools)
        {
            _poolRunning[pool.Name] = 0;
            _poolConcurrency[pool.Name] = pool.Concurrency;
        }
    }

    public SimulationReport Run()
    {
        for (int t = 0; t < _tenants.Length; t++)
        {
            int tenant = t;
            _clock.Schedule(NextArrival(tenant), () => Arrive(tenant));
        }

        for (long at = _o.SampleInterval.Ticks; at <= _duration; at += _o.SampleInterval.Ticks)
        {
            _clock.Schedule(at, Sample);
        }

        long events = _clock.RunUntil(_duration);

        // The end: requests still waiting give up (their callers cancel); they are reported as unfinished.
        _stop.Cancel();

        if (_failure is not null)
        {
            throw new InvalidOperationException("The simulation failed: " + _failure.Message, _failure);
        }

        return BuildReport(events);
    }

    public void Dispose()
    {
        _gate.Dispose();
        _stop.Dispose();
    }

    private long NextArrival(int tenant)
    {
        // Poisson arrivals: the offered cost rate is OverloadFactor x refill, so the request rate is that / mean cost.
        double rate = _o.OverloadFactor * _limits.RefillPerSecond / _meanCost;
        if (tenant < _o.BurstingTenants && InBurst(_clock.Now))
        {
            rate *= _o.BurstFactor;
        }

        double seconds = -Math.Log(1 - _random.NextDouble()) / rate;
        return _clock.Now + Math.Max(1, (long)(seconds * TimeSpan.TicksPerSecond));
    }

    private bool InBurst(long now)
    {
        // Bursts start half a period in, then every BurstEvery.
        long offset = (now - (_o.BurstEvery.Ticks / 2)) % _o.BurstEvery.Ticks;
        return now >= _o.BurstEvery.Ticks / 2 && offset < _o.BurstLength.Ticks;
    }

    private void Arrive(int tenant)
    {
        if (_clock.Now >= _duration)
        {
            return;
        }

        double pick = _random.NextDouble() * _o.ClassMix.Sum();
        int c = 0;
        while (c < Classes - 1 && pick >= _o.ClassMix[c])
        {
            pick -= _o.ClassMix[c];
            c++;
        }

        bool draftable = c >= (int)WorkloadClass.Standard && _random.NextDouble() < _o.FallbackShare;
        double serviceSeconds = -Math.Log(1 - _random.NextDouble()) * _o.MeanServiceTime.TotalSeconds;
        double failureDraw = _random.NextDouble();
        _ = Request(tenant, c, _o.ClassCost[c], draftable, serviceSeconds, failureDraw);
        _clock.Schedule(NextArrival(tenant), () => Arrive(tenant));
    }

    private async Task Request(int tenant, int c, double cost, bool draftable, double serviceSeconds, double failureDraw)
    {
        _offered[c]++;
        _tenantOffered[tenant]++;
        _pending++;
        long arrival = _clock.Now;
        try
        {
            QuotaTicket ticket = await _runs[tenant, c].AcquireAsync(_tools[c, draftable ? 1 : 0], cost, _stop.Token).ConfigureAwait(false);
            _pending--;
            Decided(tenant, c, cost, ticket, _clock.Now - arrival, serviceSeconds, failureDraw);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Still waiting at the end of the run: counted in Unfinished.
        }
        catch (Exception e)
        {
            _failure ??= e;
        }
    }

    private void Decided(int tenant, int c, double cost, QuotaTicket ticket, long waited, double serviceSeconds, double failureDraw)
    {
        if (!ticket.IsAdmitted)
        {
            _reasons[ticket.Decision.Reason] = _reasons.GetValueOrDefault(ticket.Decision.Reason) + 1;
            if (ticket.Mode == DegradationMode.DraftOnly)
            {
                _degraded[c]++;
                _tenantDegraded[tenant]++;
                _intervalDegraded++;
            }
            else
            {
                _denied[c]++;
                _tenantDenied[tenant]++;
                _intervalDenied++;
            }

            return;
        }

        _admitted[c]++;
        _queued[c] += ticket.Mode == DegradationMode.Queued ? 1 : 0;
        _units[c] += cost;
        _waits[c].Add(waited);
        _intervalWaits[c].Add(waited);
        _intervalAdmitted[c]++;
        _tenantAdmitted[tenant]++;
        _tenantUnits[tenant] += cost;

        // Over-admission: what the tenant was admitted may never exceed what its bucket supplied.
        _tenantAdmittedUnits[tenant] += (decimal)cost;
        bool mayBorrow = _policy.DefaultTier!.AllowsEmergency((WorkloadClass)c);
        decimal supplied = (decimal)_limits.Capacity + (decimal)_limits.BurstCredits + (mayBorrow ? (decimal)_limits.EmergencyDebt : 0)
            + ((decimal)_limits.RefillPerSecond * _clock.Now / TimeSpan.TicksPerSecond);
        _overAdmission = Math.Max(_overAdmission, _tenantAdmittedUnits[tenant] - supplied);

        string? pool = ticket.Lease.PoolName;
        if (pool is not null)
        {
            int running = ++_poolRunning[pool];
            _poolOverAdmission = Math.Max(_poolOverAdmission, running - _poolConcurrency[pool]);
        }

        _clock.Schedule(_clock.Now + Math.Max(1, (long)(serviceSeconds * TimeSpan.TicksPerSecond)), () =>
        {
            if (pool is not null)
            {
                _poolRunning[pool]--;
            }

            bool outage = _o.OutageLength > TimeSpan.Zero && _clock.Now >= _o.OutageStart.Ticks && _clock.Now < (_o.OutageStart + _o.OutageLength).Ticks;
            if (failureDraw < (outage ? _o.OutageFailureRate : _o.FailureRate))
            {
                ticket.Fail(new TimeoutException("simulated worker failure"));
            }
            else
            {
                ticket.Complete();
            }
        });
    }

    private void Sample()
    {
        var p95 = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            p95[c] = _intervalWaits[c].Count == 0 ? double.NaN : TimeSpan.FromTicks(Percentile(_intervalWaits[c], 0.95)).TotalSeconds;
            _intervalWaits[c].Clear();
        }

        double level = 0;
        foreach (string tenant in _tenants)
        {
            level += _gate.Store.Peek(new BucketKey(tenant, _o.Category), _limits).Available;
        }

        int[] pools = _gate.GetPoolStatistics().Select(p => p.InUse).ToArray();
        _series.Add(new SimulationSample(
            TimeSpan.FromTicks(_clock.Now - _o.SampleInterval.Ticks),
            _intervalAdmitted.ToArray(),
            p95,
            _intervalDegraded,
            _intervalDenied,
            _gate.QueuedCount,
            level / _tenants.Length,
            pools,
            _gate.CircuitBreakers.GetState(_o.Category) != CircuitState.Closed));
        Array.Clear(_intervalAdmitted);
        _intervalDegraded = 0;
        _intervalDenied = 0;
    }

    private SimulationReport BuildReport(long events)
    {
        double allUnits = _units.Sum();
        double supplied = _tenants.Length * (_limits.Capacity + (_limits.RefillPerSecond * _duration / TimeSpan.TicksPerSecond));
        var classes = new SimulationClassReport[Classes];
        for (int c = 0; c < Classes; c++)
        {
            List<long> waits = _waits[c];
            classes[c] = new SimulationClassReport((WorkloadClass)c, _offered[c], _admitted[c], _queued[c], _degraded[c], _denied[c],
                _units[c], allUnits == 0 ? 0 : _units[c] / allUnits, _units[c] / supplied,
                TimeSpan.FromTicks(Percentile(waits, 0.50)), TimeSpan.FromTicks(Percentile(waits, 0.95)),
                TimeSpan.FromTicks(Percentile(waits, 0.99)), TimeSpan.FromTicks(waits.Count == 0 ? 0 : waits.Max()));
        }

        var tenants = new SimulationTenantReport[_tenants.Length];
        for (int t = 0; t < _tenants.Length; t++)
        {
            tenants[t] = new SimulationTenantReport(_tenants[t], t < _o.BurstingTenants, _tenantOffered[t], _tenantAdmitted[t], _tenantUnits[t],
                _tenantDegraded[t], _tenantDenied[t]);
        }

        double sum = _tenantUnits.Sum();
        double squares = _tenantUnits.Sum(x => x * x);
        double jain = squares == 0 ? 1 : sum * sum / (_tenantUnits.Length * squares);
        double criticalCost = _o.ClassCost[(int)WorkloadClass.Critical];
        return new SimulationReport(
            _o,
            _policy.Version,
            classes,
            tenants,
            jain,
            (double)Math.Max(0, _overAdmission),
            Math.Max(0, _poolOverAdmission),
            new SortedDictionary<QuotaReason, long>(_reasons),
            TimeSpan.FromSeconds(criticalCost / _limits.RefillPerSecond),
            _policy.GetClass(WorkloadClass.Batch).ReservedShare,
            _circuitOpenings,
            _pending,
            events,
            _gate.GetPoolStatistics().Select(p => p.Name).ToArray(),
            _series);
    }

    // Nearest-rank percentile.
    private static long Percentile(List<long> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        long[] sorted = values.ToArray();
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
