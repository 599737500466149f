using AgentQuotas;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;
using SupportDesk.Agent;
using SupportDesk.Reporting;
using SupportDesk.Tools;
using SupportDesk.Workload;

namespace SupportDesk.Hosting;

/// <summary>
/// One run: tenants' conversations arrive (seeded Poisson arrivals, bursts, a runaway), each opens an agent run for
/// its tenant and class and asks the agent; at the end new arrivals stop, conversations still running get a short
/// while to finish and are then cancelled, and the report is built. Everything waits on the run's
/// <see cref="TimeProvider"/> only, so on a <see cref="VirtualClock"/> the run is deterministic.
/// </summary>
internal sealed class SupportDeskSession
{
    /// <summary>How long conversations still running at the end may take to finish before they are cut off.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PoolSampleInterval = TimeSpan.FromMilliseconds(500);

    private readonly SupportDeskOptions _options;
    private readonly QuotaGate _gate;
    private readonly SupportAgent _agent;
    private readonly SupportBackend _backend;
    private readonly ReportCollector _collector;
    private readonly ConversationLedger _ledger = new();
    private readonly IReadOnlyList<TenantProfile> _profiles;
    private readonly Action<ProgressSnapshot>? _progress;
    private readonly CancellationToken _interrupt;
    private readonly bool _virtualTime;
    private readonly TimeProvider _time;
    private readonly List<Task> _conversations = [];
    private readonly Lock _conversationsLock = new();
    private readonly List<Exception> _failures = [];
    private readonly Dictionary<string, int> _poolPeaks = new(StringComparer.Ordinal);
    private long _start;
    private bool _draining;

    public SupportDeskSession(SupportDeskOptions options, QuotaGate gate, SupportAgent agent, SupportBackend backend, ReportCollector collector,
        IReadOnlyList<TenantProfile> profiles, Action<ProgressSnapshot>? progress, bool virtualTime, CancellationToken interrupt)
    {
        _options = options;
        _gate = gate;
        _agent = agent;
        _backend = backend;
        _collector = collector;
        _profiles = profiles;
        _progress = progress;
        _virtualTime = virtualTime;
        _interrupt = interrupt;
        _time = gate.TimeProvider;
    }

    private TimeSpan Duration => _options.EffectiveDuration;

    private TimeSpan Elapsed => _time.GetElapsedTime(_start);

    public async Task<SupportDeskReport> RunAsync()
    {
        _start = _time.GetTimestamp();
        DateTimeOffset startedAt = _time.GetUtcNow();
        using var stopArrivals = new CancellationTokenSource();
        using var cutOff = new CancellationTokenSource();
        using var stopTicking = new CancellationTokenSource();
        Task ticker = TickAsync(stopArrivals, stopTicking.Token);
        Task[] arrivals = [.. _profiles.Select((profile, index) => ArrivalsAsync(profile, index, stopArrivals.Token, cutOff.Token))];

        await Pause(Duration, stopArrivals.Token); // ended early by Ctrl+C (the ticker sees it)
        stopArrivals.Cancel();
        await Task.WhenAll(arrivals);

        // New conversations have stopped; give the running ones a while, then cut them off.
        _draining = true;
        Task all;
        lock (_conversationsLock)
        {
            all = Task.WhenAll(_conversations);
        }

        using (var drained = new CancellationTokenSource())
        {
            await Task.WhenAny(all, Pause(DrainLimit, drained.Token));
            drained.Cancel();
        }

        cutOff.Cancel();
        await all;
        stopTicking.Cancel();
        await ticker;
        Report(); // the final state, for live displays

        if (_failures.Count > 0)
        {
            throw new AggregateException("Conversations failed unexpectedly.", _failures);
        }

        return ReportBuilder.Build(_options, _gate, _profiles, _collector, _ledger, _backend, startedAt, Elapsed, _virtualTime,
            _poolPeaks);
    }

    private async Task ArrivalsAsync(TenantProfile profile, int index, CancellationToken stop, CancellationToken cutOff)
    {
        // Each tenant draws from its own sequence, so adding tenants does not change the others' traffic.
        var random = new Random(unchecked((_options.Seed * 7919) + (index * 104_729) + 17));
        double totalWeight = profile.Mix.Sum(m => m.Weight);
        while (!stop.IsCancellationRequested)
        {
            // Poisson arrivals at a rate that changes at burst and runaway boundaries: draw a gap at the current rate; if
            // it crosses the next change, go to the change and draw again (exact, since the process has no memory).
            TimeSpan now = Elapsed;
            (TimeSpan mean, TimeSpan nextChange) = Rate(profile, now);
            TimeSpan gap = TimeSpan.FromTicks(Math.Max(1, (long)(-Math.Log(1 - random.NextDouble()) * mean.Ticks)));
            bool arrives = now + gap < nextChange;
            if (!await Pause(arrives ? gap : nextChange - now, stop))
            {
                return;
            }

            if (!arrives)
            {
                continue;
            }

            bool runaway = profile.RunawayFrom is double from && Elapsed >= Duration * from;
            ConversationMix mix = runaway ? profile.Mix[0] with { Kind = ConversationKind.Investigation } : Pick(profile.Mix, totalWeight, random);
            (string question, string customer) = QuestionWriter.Write(mix.Kind, profile.Tenant, random);
            Task conversation = ConverseAsync(profile.Tenant, customer, mix, question, cutOff);
            lock (_conversationsLock)
            {
                _conversations.Add(conversation);
            }
        }
    }

    private (TimeSpan Mean, TimeSpan NextChange) Rate(TenantProfile profile, TimeSpan now)
    {
        TimeSpan next = TimeSpan.MaxValue;
        if (profile.RunawayFrom is double from)
        {
            TimeSpan runawayAt = Duration * from;
            if (now >= runawayAt)
            {
                return (profile.RunawayInterval, TimeSpan.MaxValue);
            }

            next = runawayAt;
        }

        if (profile.Burst is BurstPattern burst)
        {
            TimeSpan change = burst.NextChange(now);
            next = change < next ? change : next;
            return (burst.IsBursting(now) ? burst.MeanInterval : profile.MeanInterval, next);
        }

        return (profile.MeanInterval, next);
    }

    private static ConversationMix Pick(IReadOnlyList<ConversationMix> mix, double totalWeight, Random random)
    {
        double pick = random.NextDouble() * totalWeight;
        foreach (ConversationMix entry in mix)
        {
            if (pick < entry.Weight)
            {
                return entry;
            }

            pick -= entry.Weight;
        }

        return mix[^1];
    }

    private async Task ConverseAsync(string tenant, string customer, ConversationMix mix, string question, CancellationToken cutOff)
    {
        _ledger.Started(tenant, mix.Class);
        try
        {
            AgentAnswer answer = await SupportDeskConversation.RunAsync(_gate, _agent, new AgentIdentity(tenant, customer), mix.Class,
                "support." + mix.Kind, question, cutOff);
            _ledger.Ended(tenant, mix.Class, answer);
        }
        catch (OperationCanceledException) when (cutOff.IsCancellationRequested)
        {
            _ledger.CutOff(tenant, mix.Class);
        }
        catch (Exception e)
        {
            lock (_failures)
            {
                _failures.Add(new InvalidOperationException($"The conversation of {tenant} ({mix.Kind}, {mix.Class}) failed: {e.Message}", e));
            }

            _ledger.CutOff(tenant, mix.Class);
        }
    }

    // Samples the pools often (for their peaks) and reports progress at the progress interval; stops arrivals on Ctrl+C.
    private async Task TickAsync(CancellationTokenSource stopArrivals, CancellationToken stop)
    {
        TimeSpan interval = _options.EffectiveProgressInterval;
        TimeSpan nextReport = interval;
        Report();
        while (await Pause(PoolSampleInterval, stop))
        {
            foreach (ComputePoolStatistics pool in _gate.GetPoolStatistics())
            {
                _poolPeaks[pool.Name] = Math.Max(_poolPeaks.GetValueOrDefault(pool.Name), pool.InUse);
            }

            if (_interrupt.IsCancellationRequested && !stopArrivals.IsCancellationRequested)
            {
                stopArrivals.Cancel();
            }

            if (Elapsed >= nextReport)
            {
                nextReport += interval;
                Report();
            }
        }
    }

    private void Report()
    {
        if (_progress is null)
        {
            return;
        }

        QuotaPolicy policy = _gate.Policy;
        IReadOnlyList<ComputePoolStatistics> pools = _gate.GetPoolStatistics();
        TenantProgress[] tenants = [.. _profiles.Select(p =>
        {
            ReportCollector.Totals totals = _collector.Merge((t, _) => t == p.Tenant);
            (int started, int ended) = _ledger.Progress(p.Tenant);
            return new TenantProgress(p.Tenant, ReportBuilder.TierOf(policy, p.Tenant), started, ended, totals.Admitted, totals.Queued,
                totals.Degraded.Values.Sum(), totals.Denied.Values.Sum(), totals.Cost.Values.Sum(), _gate.Anomalies.IsFlagged(p.Tenant));
        })];
        _progress(new ProgressSnapshot(Elapsed, Duration, _draining, tenants, _gate.QueuedCount, pools.Sum(p => p.InUse), pools.Sum(p => p.Concurrency)));
    }

    // Waits on the run's clock; false when cancelled.
    private async Task<bool> Pause(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await _time.DelayAsync(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
