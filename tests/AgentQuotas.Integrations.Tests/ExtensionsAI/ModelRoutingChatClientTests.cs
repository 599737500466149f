using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.Policy;
using AgentQuotas.Routing;
using AgentQuotas.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>ModelRoutingChatClient (issue 17): each turn goes to the client of the model the run's gate routes it to.</summary>
public sealed class ModelRoutingChatClientTests : IDisposable
{
    private const string Policy = """
        {
          "version": "routing-client-1",
          "tiers": { "standard": { "categories": { "model": { "capacity": 1000000, "refillPerSecond": 1000 } } } },
          "defaultTier": "standard",
          "pools": { "premium": { "concurrency": 1 }, "small": { "concurrency": 4 } },
          "models": {
            "premium": { "pool": "premium", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": 3 },
            "small":   { "pool": "small",   "inputCostPer1K": 0.25, "outputCostPer1K": 1.25, "rank": 1 }
          },
          "routing": [ { "workflow": "triage", "model": "small" } ]
        }
        """;

    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly ScriptedModel _premium = new() { UsagePerTurn = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 1000 } };
    private readonly ScriptedModel _small = new() { UsagePerTurn = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 1000 } };

    public ModelRoutingChatClientTests()
    {
        _gate = new QuotaGate(QuotaPolicy.Parse(Policy), new QuotaGateOptions { TimeProvider = _time, AuditSink = _audit });
    }

    public void Dispose() => _gate.Dispose();

    private ModelRoutingChatClient Client(ModelRoutingChatClientOptions? options = null) =>
        new(new Dictionary<string, IChatClient> { ["premium"] = _premium, ["small"] = _small }, options);

    [Fact]
    public async Task A_turn_goes_to_the_preferred_models_client_with_its_model_id_and_route()
    {
        using AgentRun run = _gate.BeginRun(Fixture.Acme, WorkloadClass.High);
        IChatClient client = Client();

        ChatResponse response = await client.GetResponseAsync("hello");

        Assert.Equal(1, _premium.Calls);
        Assert.Equal(0, _small.Calls);
        Assert.Equal("premium", _premium.Requests[0].Options?.ModelId);
        var route = Assert.IsType<ModelRoute>(response.AdditionalProperties?[ModelRoutingChatClient.RouteKey]);
        Assert.Equal(("premium", ModelRouteKind.Preferred), (route.Model.Name, route.Kind));
        Assert.Equal(0, _gate.Models.Snapshot().Single(p => p.Pool == "premium").InUse); // the slot is back after the turn
    }

    [Fact]
    public async Task A_turn_moves_to_the_small_model_while_the_premium_pool_is_full()
    {
        using AgentRun run = _gate.BeginRun(Fixture.Acme, WorkloadClass.High);
        using ModelRoute held = _gate.Models.Route(run); // the premium pool's only slot
        IChatClient client = Client(new ModelRoutingChatClientOptions { AllowWaiting = false });

        ChatResponse response = await client.GetResponseAsync("hello");

        Assert.Equal(1, _small.Calls);
        Assert.Equal("small", _small.Requests[0].Options?.ModelId);
        Assert.Equal(ModelRouteKind.Rerouted, ((ModelRoute)response.AdditionalProperties![ModelRoutingChatClient.RouteKey]!).Kind);
    }

    [Fact]
    public async Task A_rule_sends_triage_to_the_small_model_and_the_cost_is_charged_at_its_prices()
    {
        using AgentRun run = _gate.BeginRun(Fixture.Acme, WorkloadClass.Standard, workflow: "triage");
        IChatClient client = Client(new ModelRoutingChatClientOptions { CostCategory = "model" });

        await client.GetResponseAsync("classify", new ChatOptions { ModelId = "premium" });

        Assert.Equal(1, _small.Calls);
        Assert.Equal(0, _premium.Calls);
        Assert.Equal(1.5, run.CostSpent); // 1 x 0.25 + 1 x 1.25
        Assert.Contains(_audit.Snapshot(), r => r.Category == ModelRouter.RouteCategory && r.Tool == "small" && r.Detail!.Contains("routing[0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_model_the_policy_does_not_know_is_refused_before_any_model_is_called()
    {
        using AgentRun run = _gate.BeginRun(Fixture.Acme, WorkloadClass.High);
        IChatClient client = Client();

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-9" }));

        Assert.Equal(QuotaReason.UnknownModel, refused.Reason);
        Assert.Equal(0, _premium.Calls + _small.Calls);
    }

    [Fact]
    public async Task Streaming_turns_are_routed_and_their_usage_counted()
    {
        using AgentRun run = _gate.BeginRun(Fixture.Acme, WorkloadClass.High);
        IChatClient client = Client(new ModelRoutingChatClientOptions { CostCategory = "model" });

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hello"))
        {
            updates.Add(update);
        }

        Assert.IsType<ModelRoute>(updates[0].AdditionalProperties?[ModelRoutingChatClient.RouteKey]);
        Assert.Equal(18, run.CostSpent); // premium: 1 x 3 + 1 x 15
        Assert.Equal(0, _gate.Models.Snapshot().Single(p => p.Pool == "premium").InUse);
    }

    [Fact]
    public async Task A_turn_outside_any_run_fails_closed()
    {
        IChatClient client = Client();

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("hello"));
        Assert.Equal(0, _premium.Calls + _small.Calls);
    }

    [Fact]
    public void A_client_needs_at_least_one_model()
    {
        Assert.Throws<ArgumentException>(() => new ModelRoutingChatClient(new Dictionary<string, IChatClient>()));
    }
}
