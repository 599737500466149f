using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>The run's iteration cap and FunctionInvokingChatClient.MaximumIterationsPerRequest: the tighter ends the loop, and says so.</summary>
public sealed class TurnLimitTests : IDisposable
{
    private readonly Fixture _f = new();
    private int _ran;

    public void Dispose() => _f.Dispose();

    private ScriptedModel Runaway() => new() { Forever = () => ScriptedModel.Call("web_search", new Dictionary<string, object?> { ["query"] = "more" }) };

    private ChatOptions Tools() => new() { Tools = [AIFunctionFactory.Create((string query) => { _ran++; return "hits"; }, "web_search")] };

    [Fact]
    public async Task The_runs_cap_ends_the_loop_with_an_answer_when_it_is_tighter()
    {
        ScriptedModel model = Runaway();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, limits: new RunLimits { MaxIterations = 3, MaxToolCalls = 100 });
        IChatClient client = model.AsBuilder().UseAgentQuotas(o => o.ConfigureFunctionInvocation = c => c.MaximumIterationsPerRequest = 10).Build();

        ChatResponse response = await client.GetResponseAsync("dig", Tools());

        Assert.Equal(3, model.Calls);
        Assert.Equal(3, run.Iterations);
        Assert.Null(model.Requests[^1].Options?.Tools);           // the last turn the run allows is offered no tools
        Assert.Equal(2, _ran);
        Assert.Equal("done after 3 turns", response.Text);
        var degradation = Assert.IsType<ChatTurnDegradation>(response.Messages[^1].AdditionalProperties?[GuardedChatClient.DegradationKey]
            ?? response.AdditionalProperties?[GuardedChatClient.DegradationKey]);
        Assert.Equal(ChatTurnDegradation.RunIterationLimit, degradation.Limit);
        Assert.Equal(QuotaReason.RunIterationLimit, degradation.Reason);
    }

    [Fact]
    public async Task The_function_invoking_limit_ends_the_loop_when_it_is_tighter_and_is_named()
    {
        ScriptedModel model = Runaway();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, limits: new RunLimits { MaxIterations = 10, MaxToolCalls = 100 });
        IChatClient client = model.AsBuilder().UseAgentQuotas(o => o.ConfigureFunctionInvocation = c => c.MaximumIterationsPerRequest = 2).Build();

        ChatResponse response = await client.GetResponseAsync("dig", Tools());

        Assert.Equal(3, model.Calls);                              // 2 iterations with tools, then one without
        Assert.Equal(3, run.Iterations);
        Assert.Equal(2, _ran);
        var degradation = Assert.IsType<ChatTurnDegradation>(response.Messages[^1].AdditionalProperties?[GuardedChatClient.DegradationKey]
            ?? response.AdditionalProperties?[GuardedChatClient.DegradationKey]);
        Assert.Equal(ChatTurnDegradation.MaximumIterationsPerRequest, degradation.Limit);
        Assert.Contains("MaximumIterationsPerRequest (2)", degradation.Message);
    }

    [Fact]
    public async Task Token_usage_of_every_turn_is_charged()
    {
        var model = new ScriptedModel([ScriptedModel.Call("web_search", new Dictionary<string, object?> { ["query"] = "x" })])
        {
            UsagePerTurn = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
        };
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        IChatClient client = model.AsBuilder().UseAgentQuotas(o => o.Turns = new GuardedChatClientOptions { TokenCategory = "tokens" }).Build();

        await client.GetResponseAsync("hi", Tools());

        Assert.Equal(2, model.Calls);
        Assert.Equal(1000 - 220, _f.Left("tokens"), 9);
        Assert.Equal(220 + 3, run.CostSpent, 9);
    }
}
