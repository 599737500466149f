using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Routing;
using AgentQuotas.Telemetry;
using AgentQuotas.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Routing;

/// <summary>
/// Queue-aware model routing (issue 17): the preferred model unless its pool is saturated or its estimated wait is over
/// the class's budget, then the next model able to serve the turn; rules send cheap work to the small model from the
/// start; every decision is audited (model and why) and counted per model.
/// </summary>
public class ModelRouterTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly AgentIdentity Freebie = new("freebie", "user-7");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();

    // premium: 2 slots, rank 3; small: 4 slots, rank 1. High may wait 5 s.
    internal static QuotaPolicy Policy(string extraRules = "") => QuotaPolicy.Parse($$"""
        {
          "version": "routing-1",
          "tiers": {
            "standard": { "categories": { "model": { "capacity": 1000000, "refillPerSecond": 1000 } } },
            "free":     { "categories": { "model": { "capacity": 1000, "refillPerSecond": 1 } } }
          },
          "tenants": { "freebie": { "tier": "free" } },
          "defaultTier": "standard",
          "classes": { "High": { "maxQueueWait": "00:00:05" } },
          "pools": {
            "premium": { "concurrency": 2 },
            "small":   { "concurrency": 4 }
          },
          "models": {
            "premium": { "pool": "premium", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": 3 },
            "small":   { "pool": "small",   "inputCostPer1K": 0.25, "outputCostPer1K": 1.25, "rank": 1 }
          },
          "routing": [
            { "workflow": "triage", "model": "small" },
            { "workflow": "legal", "minRank": 3 },
            { "tier": "free", "model": "small" }{{extraRules}}
          ]
        }
        """);

    private QuotaGate Gate(Action<QuotaGateOptions>? configure = null) => TestPolicies.Gate(Policy(), _time, o =>
    {
        o.AuditSink = _audit;
        configure?.Invoke(o);
    });

    private List<QuotaAuditRecord> Routes() => _audit.Snapshot().Where(r => r.Category == ModelRouter.RouteCategory).ToList();

    [Fact]
    public void A_turn_goes_to_the_most_capable_model_while_its_pool_has_a_free_slot()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);

        using ModelRoute route = gate.Models.Route(run);

        Assert.Equal("premium", route.Model.Name);
        Assert.Equal(ModelRouteKind.Preferred, route.Kind);
        QuotaAuditRecord record = Assert.Single(Routes());
        Assert.Equal("premium", record.Tool);
        Assert.Equal(AuditDecision.Admitted, record.Decision);
        Assert.Contains("most capable", record.Detail, StringComparison.Ordinal);
        Assert.Equal(Acme.Principal, record.Principal); // the identity comes from the run
    }

    [Fact]
    public async Task A_saturated_pool_sends_the_turn_to_the_next_model()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        ModelRoute a = gate.Models.Route(run);
        ModelRoute b = gate.Models.Route(run);

        // No wait history yet, so the first two turns queue for premium (bounded by the class's 5 s); the line is then
        // as deep as the pool: saturated.
        ValueTask<ModelRoute> c = gate.Models.RouteAsync(run);
        ValueTask<ModelRoute> d = gate.Models.RouteAsync(run);
        Assert.False(c.IsCompleted);
        Assert.False(d.IsCompleted);

        using ModelRoute e = await gate.Models.RouteAsync(run);

        Assert.Equal("small", e.Model.Name);
        Assert.Equal(ModelRouteKind.Rerouted, e.Kind);
        Assert.Contains("pool 'premium' of 'premium' is saturated (2/2 running, 2 waiting)", e.Detail, StringComparison.Ordinal);
        Assert.Equal(e.Detail, Routes()[^1].Detail);

        a.Complete(100, 10);
        b.Complete(100, 10);
        using ModelRoute cRoute = await c;
        using ModelRoute dRoute = await d;
        Assert.Equal("premium", cRoute.Model.Name);
        Assert.Equal("premium", dRoute.Model.Name);
    }

    [Fact]
    public async Task An_estimated_wait_over_the_class_budget_sends_the_turn_to_the_next_model()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        HoldPremium(gate, run, TimeSpan.FromSeconds(20)); // premium turns take 20 s

        ModelRoute a = gate.Models.Route(run);
        ModelRoute b = gate.Models.Route(run);
        using ModelRoute c = await gate.Models.RouteAsync(run); // would wait 20 s x 1 / 2 = 10 s > 5 s

        Assert.Equal("small", c.Model.Name);
        Assert.Equal(ModelRouteKind.Rerouted, c.Kind);
        Assert.Contains("estimated wait of 10 s for 'premium'", c.Detail, StringComparison.Ordinal);
        Assert.Contains("High class's budget of 5 s", c.Detail, StringComparison.Ordinal);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task An_estimated_wait_within_budget_waits_for_the_preferred_model()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        HoldPremium(gate, run, TimeSpan.FromSeconds(4)); // estimate 4 s x 1 / 2 = 2 s <= 5 s

        ModelRoute a = gate.Models.Route(run);
        ModelRoute b = gate.Models.Route(run);
        ValueTask<ModelRoute> c = gate.Models.RouteAsync(run);
        Assert.False(c.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(3));
        a.Complete(10, 10);
        using ModelRoute served = await c;

        Assert.Equal("premium", served.Model.Name);
        Assert.Equal(ModelRouteKind.Preferred, served.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), served.Waited);
        QuotaAuditRecord record = Routes()[^1];
        Assert.Equal(TimeSpan.FromSeconds(3), record.QueueWait);
        Assert.Equal(DegradationMode.Queued, record.Mode);
        b.Dispose();
    }

    [Fact]
    public async Task A_wait_that_outlasts_the_budget_takes_a_free_slot_of_the_next_model()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        using ModelRoute a = gate.Models.Route(run);
        using ModelRoute b = gate.Models.Route(run);
        ValueTask<ModelRoute> c = gate.Models.RouteAsync(run); // no history: queues for premium

        _time.Advance(TimeSpan.FromSeconds(5));
        using ModelRoute served = await c;

        Assert.Equal(("small", ModelRouteKind.Rerouted), (served.Model.Name, served.Kind));
        Assert.Equal(TimeSpan.FromSeconds(5), served.Waited);
        Assert.Contains("waited 5 s, the High class's budget, for a slot of pool 'premium'", served.Detail, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), Routes()[^1].QueueWait);
    }

    [Fact]
    public async Task A_wait_that_outlasts_the_budget_with_no_other_able_model_is_refused_with_QueueTimeout()
    {
        using QuotaGate gate = Gate();
        using AgentRun legal = gate.BeginRun(Acme, WorkloadClass.High, workflow: "legal"); // minRank 3: premium only
        using ModelRoute a = gate.Models.Route(legal);
        using ModelRoute b = gate.Models.Route(legal);
        Task<ModelRoute> c = gate.Models.RouteAsync(legal).AsTask();

        _time.Advance(TimeSpan.FromSeconds(5));

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => c);
        Assert.Equal(QuotaReason.QueueTimeout, refused.Reason);
        QuotaAuditRecord record = Routes()[^1];
        Assert.Equal((AuditDecision.Denied, QuotaReason.QueueTimeout, "premium"), (record.Decision, record.Reason, record.Tool));
        Assert.Equal(0, gate.Models.Snapshot().Single(p => p.Pool == "small").InUse);
    }

    [Fact]
    public void Rules_send_cheap_work_to_the_small_model_from_the_start()
    {
        using QuotaGate gate = Gate();
        using (AgentRun triage = gate.BeginRun(Acme, WorkloadClass.High, workflow: "triage"))
        {
            using ModelRoute byWorkflow = gate.Models.Route(triage);
            Assert.Equal(("small", ModelRouteKind.Preferred), (byWorkflow.Model.Name, byWorkflow.Kind));
            Assert.Contains("routing[0] (workflow triage)", byWorkflow.Detail, StringComparison.Ordinal);
        }

        using AgentRun free = gate.BeginRun(Freebie, WorkloadClass.Standard);
        using ModelRoute byTier = gate.Models.Route(free);
        using ModelRoute asked = gate.Models.Route(free, requestedModel: "premium"); // the policy's rule wins over the request

        Assert.Equal(("small", ModelRouteKind.Preferred), (byTier.Model.Name, byTier.Kind));
        Assert.Contains("routing[2] (tier free)", byTier.Detail, StringComparison.Ordinal);
        Assert.Equal("small", asked.Model.Name);
        Assert.Equal(0, gate.Models.Snapshot().Single(p => p.Pool == "premium").InUse);
    }

    [Fact]
    public void A_request_names_its_preferred_model_when_no_rule_does()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);

        using ModelRoute route = gate.Models.Route(run, requestedModel: "small");

        Assert.Equal(("small", ModelRouteKind.Preferred), (route.Model.Name, route.Kind));
        Assert.Contains("the request names it", route.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_the_policy_does_not_know_is_refused_with_UnknownModel()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);

        var refused = Assert.Throws<QuotaExceededException>(() => gate.Models.Route(run, requestedModel: "gpt-9"));

        Assert.Equal(QuotaReason.UnknownModel, refused.Reason);
        Assert.Contains("'gpt-9'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("known models: premium, small", refused.Message, StringComparison.Ordinal);
        QuotaAuditRecord record = Assert.Single(Routes());
        Assert.Equal((AuditDecision.Denied, QuotaReason.UnknownModel), (record.Decision, record.Reason));
    }

    [Fact]
    public void Work_that_needs_a_rank_is_never_routed_to_a_lower_model_and_is_refused_when_none_can_serve()
    {
        using QuotaGate gate = Gate();
        using AgentRun legal = gate.BeginRun(Acme, WorkloadClass.High, workflow: "legal");
        using ModelRoute a = gate.Models.Route(legal);
        using ModelRoute b = gate.Models.Route(legal);

        var refused = Assert.Throws<QuotaExceededException>(() => gate.Models.Route(legal)); // small is free, but rank 1 < 3

        Assert.Equal(QuotaReason.NoModelAvailable, refused.Reason);
        Assert.Contains("'small' (rank 1) is below routing[1] (workflow legal)'s minRank 3", refused.Message, StringComparison.Ordinal);
        Assert.Equal(QuotaReason.NoModelAvailable, Routes()[^1].Reason);
        Assert.Equal(2, gate.Models.Snapshot().Single(p => p.Pool == "premium").InUse);
        Assert.Equal(0, gate.Models.Snapshot().Single(p => p.Pool == "small").InUse); // nothing was taken by the refusal
    }

    [Fact]
    public void No_model_able_to_serve_refuses_with_NoModelAvailable_and_a_retry_hint()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        HoldPremium(gate, run, TimeSpan.FromSeconds(2));
        var held = new List<ModelRoute>();
        for (int i = 0; i < 6; i++)
        {
            held.Add(gate.Models.Route(run)); // 2 premium, then 4 small
        }

        var refused = Assert.Throws<QuotaExceededException>(() => gate.Models.Route(run));

        Assert.Equal(QuotaReason.NoModelAvailable, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter); // premium: 2 s held x 1 / 2 slots
        Assert.Contains("pool 'small' of 'small' is busy", refused.Message, StringComparison.Ordinal);
        Assert.Equal(4, held.Count(r => r.Model.Name == "small"));
        held.ForEach(r => r.Dispose());
    }

    [Fact]
    public void Every_routing_decision_writes_one_audit_record_with_the_model_and_why()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        using AgentRun triage = gate.BeginRun(Acme, WorkloadClass.Standard, workflow: "triage");
        var routes = new List<ModelRoute> { gate.Models.Route(run), gate.Models.Route(run), gate.Models.Route(run), gate.Models.Route(triage) };
        Assert.Throws<QuotaExceededException>(() => gate.Models.Route(run, "nope"));

        List<QuotaAuditRecord> records = Routes();

        Assert.Equal(5, records.Count);
        Assert.Equal(["premium", "premium", "small", "small", "nope"], records.Select(r => r.Tool));
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r.Detail)));
        Assert.All(records, r => Assert.Equal("routing-1", r.PolicyVersion));
        routes.ForEach(r => r.Dispose());
    }

    [Fact]
    public void A_refused_audit_record_under_RequireAudit_refuses_the_route_and_frees_the_slot()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o =>
        {
            o.AuditSink = new InMemoryAuditSink(capacity: 1, AuditFullMode.DropNewest);
            o.RequireAudit = true;
        });
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        using ModelRoute first = gate.Models.Route(run);

        var refused = Assert.Throws<QuotaExceededException>(() => gate.Models.Route(run));

        Assert.Equal(QuotaReason.AuditUnavailable, refused.Reason);
        Assert.Equal(1, gate.Models.Snapshot().Single(p => p.Pool == "premium").InUse);
    }

    [Fact]
    public void Turns_tokens_and_cost_are_counted_per_model()
    {
        using QuotaGate gate = Gate();
        using var routes = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.ModelRoutes);
        using var turns = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.ModelTurns);
        using var tokens = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.ModelTokens);
        using var cost = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.ModelCost);
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        ModelRoute p1 = gate.Models.Route(run);
        ModelRoute p2 = gate.Models.Route(run);
        ModelRoute s1 = gate.Models.Route(run);

        Assert.Equal(33, p1.Complete(1000, 2000));      // 1 x 3 + 2 x 15
        Assert.Equal(3, p2.Complete(1000, 0));
        Assert.Equal(2.75, s1.Complete(1000, 2000));     // 1 x 0.25 + 2 x 1.25

        Assert.Equal(2, Sum(routes, "premium", QuotaTelemetry.Tags.Route, "preferred"));
        Assert.Equal(1, Sum(routes, "small", QuotaTelemetry.Tags.Route, "rerouted"));
        Assert.Equal(2, Sum(turns, "premium"));
        Assert.Equal(1, Sum(turns, "small"));
        Assert.Equal(2000, Sum(tokens, "premium", QuotaTelemetry.Tags.TokenType, "input"));
        Assert.Equal(2000, Sum(tokens, "premium", QuotaTelemetry.Tags.TokenType, "output"));
        Assert.Equal(36, cost.GetMeasurementSnapshot().Where(m => Is(m.Tags, QuotaTelemetry.Tags.Model, "premium")).Sum(m => m.Value));
        Assert.Equal(2.75, cost.GetMeasurementSnapshot().Where(m => Is(m.Tags, QuotaTelemetry.Tags.Model, "small")).Sum(m => m.Value));
        Assert.Throws<InvalidOperationException>(() => p1.Complete(1, 1));
    }

    [Fact]
    public void A_route_can_charge_its_priced_cost_to_the_run()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        ModelRoute route = gate.Models.Route(run);

        route.Complete(1000, 1000, chargeTo: new QuotaTool("chat", "model"));

        Assert.Equal(18, run.CostSpent);
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "chat" && r.ActualCost == 18);
    }

    [Fact]
    public void Model_pools_hold_model_turns_only_so_tool_calls_never_wait_for_them()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        using ModelRoute a = gate.Models.Route(run);
        using ModelRoute b = gate.Models.Route(run);

        QuotaTicket ticket = run.Acquire(new QuotaTool("summarize", "model"), 1); // no tool pool: not held back by the full model pool

        Assert.True(ticket.IsAdmitted);
        ticket.Complete();
    }

    [Fact]
    public async Task Concurrent_routes_never_run_more_turns_than_a_pool_has_slots()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);
        int peakPremium = 0;
        var premiumRunning = 0;
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            ModelRoute route;
            try
            {
                route = gate.Models.Route(run);
            }
            catch (QuotaExceededException e) when (e.Reason == QuotaReason.NoModelAvailable)
            {
                return;
            }

            if (route.Model.Name == "premium")
            {
                int now = Interlocked.Increment(ref premiumRunning);
                InterlockedMax(ref peakPremium, now);
                await Task.Yield();
                Interlocked.Decrement(ref premiumRunning);
            }

            route.Complete(1, 1);
        });

        Assert.InRange(peakPremium, 1, 2);
        Assert.All(gate.Models.Snapshot(), p => Assert.Equal(0, p.InUse));
    }

    private void HoldPremium(QuotaGate gate, AgentRun run, TimeSpan hold)
    {
        ModelRoute a = gate.Models.Route(run);
        ModelRoute b = gate.Models.Route(run);
        Assert.Equal(("premium", "premium"), (a.Model.Name, b.Model.Name));
        _time.Advance(hold);
        a.Complete(0, 0);
        b.Complete(0, 0);
    }

    private static long Sum(MetricCollector<long> collector, string model, string? tag = null, string? value = null) =>
        collector.GetMeasurementSnapshot()
            .Where(m => Is(m.Tags, QuotaTelemetry.Tags.Model, model) && (tag is null || Is(m.Tags, tag, value!)))
            .Sum(m => m.Value);

    private static bool Is(IReadOnlyDictionary<string, object?> tags, string name, string value) =>
        tags.TryGetValue(name, out object? v) && Equals(v, value);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
