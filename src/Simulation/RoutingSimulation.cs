using System.Globalization;
using AgentQuotas.Policy;
using AgentQuotas.Routing;

namespace AgentQuotas.Simulation;

/// <summary>
/// The routing scenario (issue 17): High-class model turns arrive faster than the premium model's pool serves them.
/// With routing, the real <see cref="QuotaGate"/>'s <see cref="ModelRouter"/> sends each turn to the premium model unless
/// its pool is saturated or its estimated wait exceeds the class's budget, and then to the small model; a rule sends
/// triage turns to the small model from the start. Without routing, the same turns (same arrival times, token counts and
/// run times, drawn once from the seed) all queue first come, first served for the premium model's slots. Everything runs
/// on virtual time on one thread, so the same options always give the same report.
/// </summary>
public static class RoutingSimulation
{
    // After the last arrival, time for the turns still queued to be served (bounded: no event loop without an end).
    private static readonly long Drain = TimeSpan.FromDays(2).Ticks;

    /// <summary>Runs both arms of the scenario.</summary>
    /// <param name="options">What to simulate; <see langword="null"/> for the defaults.</param>
    /// <returns>The report of both arms.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static RoutingSimulationReport Run(RoutingSimulationOptions? options = null)
    {
        options ??= new RoutingSimulationOptions();
        options.Validate();
        Turn[] turns = Draw(options);

        // Continuations of granted waits run inline, in event order; no ambient context may reorder them.
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return new RoutingSimulationReport(options, Routed(options, turns), PremiumOnly(options, turns));
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>The scenario's policy: two models in their own pools, the triage rule, the High class's wait budget.</summary>
    /// <param name="options">The scenario.</param>
    public static QuotaPolicy Policy(RoutingSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return QuotaPolicy.Parse(string.Format(CultureInfo.InvariantCulture, """
            {{
              "version": "routing-scenario-1",
              "tiers": {{ "standard": {{ "categories": {{ "model": {{ "capacity": 1000000000, "refillPerSecond": 1000000 }} }} }} }},
              "defaultTier": "standard",
              "classes": {{ "High": {{ "maxQueueWait": "{0}" }} }},
              "pools": {{ "premium": {{ "concurrency": {1} }}, "small": {{ "concurrency": {2} }} }},
              "models": {{
                "premium": {{ "pool": "premium", "inputCostPer1K": {3}, "outputCostPer1K": {4}, "rank": 3 }},
                "small":   {{ "pool": "small",   "inputCostPer1K": {5}, "outputCostPer1K": {6}, "rank": 1 }}
              }},
              "routing": [ {{ "workflow": "triage", "model": "small" }} ]
            }}
            """,
            options.WaitBudget.ToString("c", CultureInfo.InvariantCulture), options.PremiumConcurrency, options.SmallConcurrency,
            options.PremiumPricePer1K.Input, options.PremiumPricePer1K.Output, options.SmallPricePer1K.Input, options.SmallPricePer1K.Output),
            "routing-scenario");
    }

    // The turns, drawn once: arrival time, workflow, tokens, and a unit-mean exponential draw scaled by the model's mean run time.
    private static Turn[] Draw(RoutingSimulationOptions o)
    {
        var random = new Random(o.Seed);
        var turns = new List<Turn>();
        double at = 0;
        while (true)
        {
            at += -Math.Log(1 - random.NextDouble()) / o.ArrivalsPerSecond;
            if (at >= o.Duration.TotalSeconds)
            {
                return [.. turns];
            }

            bool triage = random.NextDouble() < o.TriageShare;
            long input = random.NextInt64(1500, 2501);
            long output = random.NextInt64(300, 701);
            double work = -Math.Log(1 - random.NextDouble());
            turns.Add(new Turn((long)(at * TimeSpan.TicksPerSecond), triage, input, output, work));
        }
    }

    private static RoutingArmReport Routed(RoutingSimulationOptions o, Turn[] turns)
    {
        QuotaPolicy policy = Policy(o);
        var clock = new SimulationClock();
        var audit = new CountingAuditSink();
        using var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = clock, AuditSink = audit, InlineQueueCompletions = true });
        var identity = new AgentIdentity("acme", "simulated");
        var main = new AgentRun(gate, identity, WorkloadClass.High, "support", name: null, limits: null, parent: null);
        var triage = new AgentRun(gate, identity, WorkloadClass.High, "triage", name: null, limits: null, parent: null);
        var tally = new Tally("with routing");
        Exception? failure = null;
        foreach (Turn turn in turns)
        {
            clock.Schedule(turn.At, () =>
            {
                Task<ModelRoute> routing = gate.Models.RouteAsync(turn.Triage ? triage : main).AsTask();
                if (routing.IsCompleted)
                {
                    Served(routing);
                }
                else
                {
                    routing.ContinueWith(Served, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                void Served(Task<ModelRoute> done)
                {
                    if (done.Exception?.InnerException is QuotaExceededException)
                    {
                        tally.Refused++;
                        return;
                    }

                    if (done.Exception is not null)
                    {
                        failure ??= done.Exception.InnerException;
                        return;
                    }

                    ModelRoute route = done.Result;
                    TimeSpan mean = route.Model.Name == "premium" ? o.PremiumTurnTime : o.SmallTurnTime;
                    tally.Wait(route.Waited, o.WaitBudget);
                    tally.Rerouted += route.Kind == ModelRouteKind.Rerouted ? 1 : 0;
                    clock.Schedule(clock.Now + (long)(turn.Work * mean.Ticks), () =>
                    {
                        double cost = route.Complete(turn.Input, turn.Output);
                        tally.Add(route.Model.Name, cost);
                    });
                }
            });
        }

        clock.RunUntil(o.Duration.Ticks + Drain); // every turn arrives, is served or refused, and ends
        if (failure is not null)
        {
            throw new InvalidOperationException("The routing simulation failed: " + failure.Message, failure);
        }

        return tally.Report(turns.Length);
    }

    // Without routing: every turn queues for the premium model's slots, first come first served, for as long as it takes.
    private static RoutingArmReport PremiumOnly(RoutingSimulationOptions o, Turn[] turns)
    {
        QuotaPolicy policy = Policy(o);
        policy.TryGetModel("premium", out ModelPolicy? premium);
        var clock = new SimulationClock();
        var tally = new Tally("without routing");
        var line = new Queue<(Turn Turn, long Arrived)>();
        int free = o.PremiumConcurrency;

        void Start(Turn turn, long arrived)
        {
            free--;
            tally.Wait(TimeSpan.FromTicks(clock.Now - arrived), o.WaitBudget);
            clock.Schedule(clock.Now + (long)(turn.Work * o.PremiumTurnTime.Ticks), () =>
            {
                tally.Add("premium", premium!.CostOf(turn.Input, turn.Output));
                free++;
                if (line.TryDequeue(out (Turn Turn, long Arrived) next))
                {
                    Start(next.Turn, next.Arrived);
                }
            });
        }

        foreach (Turn turn in turns)
        {
            clock.Schedule(turn.At, () =>
            {
                if (free > 0 && line.Count == 0)
                {
                    Start(turn, clock.Now);
                }
                else
                {
                    line.Enqueue((turn, clock.Now));
                }
            });
        }

        clock.RunUntil(o.Duration.Ticks + Drain);
        return tally.Report(turns.Length);
    }

    private readonly record struct Turn(long At, bool Triage, long Input, long Output, double Work);

    private sealed class Tally(string name)
    {
        private readonly List<long> _waits = [];
        private readonly SortedDictionary<string, long> _turns = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, double> _cost = new(StringComparer.Ordinal);
        private long _overBudget;

        public long Refused { get; set; }

        public long Rerouted { get; set; }

        public void Wait(TimeSpan waited, TimeSpan budget)
        {
            _waits.Add(waited.Ticks);
            _overBudget += waited > budget ? 1 : 0;
        }

        public void Add(string model, double cost)
        {
            _turns[model] = _turns.GetValueOrDefault(model) + 1;
            _cost[model] = _cost.GetValueOrDefault(model) + cost;
        }

        public RoutingArmReport Report(long offered) => new(name, offered, _turns.Values.Sum(), Refused,
            TimeSpan.FromTicks(Percentile(0.50)), TimeSpan.FromTicks(Percentile(0.95)), TimeSpan.FromTicks(_waits.Count == 0 ? 0 : _waits.Max()),
            new Dictionary<string, long>(_turns), new Dictionary<string, double>(_cost), Rerouted, _overBudget);

        // Nearest-rank percentile.
        private long Percentile(double p)
        {
            if (_waits.Count == 0)
            {
                return 0;
            }

            long[] sorted = [.. _waits];
            Array.Sort(sorted);
            int rank = (int)Math.Ceiling(p * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }
}
