using System.Runtime.CompilerServices;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>The guarded chat client: model turns are iterations, tokens are cost, an exhausted tool budget degrades.</summary>
public sealed class GuardedChatClientTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly FakeChatClient _model = new();

    public GuardedChatClientTests()
    {
        _gate = Policies.Gate(Policies.Create("""{ "maxIterations": 20 }""", "search:100:1", "tokens:10:0.5"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task Each_turn_is_an_iteration_and_the_9th_of_an_8_cap_loop_is_refused()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var chat = new GuardedChatClient(_model);

        object? turns = await Scenario.CallAsync(Compiled.AI, "Demo.AI.ChatAgent", "Start", chat);

        Assert.Equal(8, turns);                         // generated [AgentLoop(MaxIterations = 8)] child run
        Assert.Equal(8, _model.Calls);                  // the 9th never reached the model
        Assert.Same(run, AgentRun.Current);
    }

    [Fact]
    public async Task Token_usage_is_charged_to_the_configured_category_and_the_run()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var chat = new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = "tokens", InputTokenCost = 0.01, OutputTokenCost = 0.03 });
        _model.Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 };

        await chat.GetResponseAsync("hello");

        Assert.Equal(2.5, run.CostSpent, 6);
        Assert.Equal(7.5, _gate.Store.Peek(new BucketKey("acme", "tokens"), _gate.Policy.DefaultTier!.Categories["tokens"].Limits).Available, 6);
        QuotaAuditRecord charged = Assert.Single(_audit.Snapshot(), r => r.Category == "tokens");
        Assert.Equal(AuditDecision.Completed, charged.Decision);
        Assert.Equal(2.5, charged.ActualCost!.Value, 6);
        Assert.Equal(1, run.Iterations);
    }

    [Fact]
    public async Task A_spent_token_budget_refuses_the_next_turn_with_retry_after()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var chat = new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = "tokens" });
        _model.Usage = new UsageDetails { TotalTokenCount = 12 };
        await chat.GetResponseAsync("hello");              // 10 in the bucket, 12 spent: 2 in debt

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => chat.GetResponseAsync("again"));

        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.Equal("tokens", e.Category);
        Assert.Equal(TimeSpan.FromSeconds(6), e.RetryAfter);  // (1 - (-2)) units at 0.5 per second
        Assert.Equal(1, _model.Calls);
    }

    [Fact]
    public async Task A_model_reporting_1e13_output_tokens_leaves_the_bucket_in_debt_not_full()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var chat = new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = "tokens" });
        _model.Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10_000_000_000_000 };
        await chat.GetResponseAsync("hello");

        // The debt saturates at 100,000,000 s of refill (0.5 units/s): the next turns are refused, none admitted.
        Assert.Equal(-0.5 * 100_000_000, _gate.Store.Peek(new BucketKey("acme", "tokens"), _gate.Policy.DefaultTier!.Categories["tokens"].Limits).Available, 3);
        _model.Usage = new UsageDetails { TotalTokenCount = 1 };
        for (int i = 0; i < 10; i++)                       // the run allows 20 turns: every refusal here is the bucket's
        {
            QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => chat.GetResponseAsync("again"));
            Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        }

        Assert.Equal(1, _model.Calls);
    }

    [Fact]
    public async Task When_the_run_has_no_tool_calls_left_the_turn_is_answered_without_tools_and_says_why()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 1 });
        Assert.True(run.Acquire(new QuotaTool("search_kb", "search"), 1).IsAdmitted);
        Assert.Equal(0, run.RemainingToolCalls);
        var chat = new GuardedChatClient(_model);
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("search_kb", "Searches", default)], Instructions = "Be brief." };

        ChatResponse response = await chat.GetResponseAsync("hello", options);

        Assert.Null(_model.LastOptions!.Tools);
        Assert.Equal(ChatToolMode.None, _model.LastOptions.ToolMode);
        Assert.StartsWith("Be brief.", _model.LastOptions.Instructions);
        Assert.Contains("Tools are unavailable for this turn", _model.LastOptions.Instructions);
        Assert.NotNull(options.Tools);                                   // the caller's options are untouched
        ChatTurnDegradation degradation = Assert.IsType<ChatTurnDegradation>(response.AdditionalProperties![GuardedChatClient.DegradationKey]);
        Assert.Equal(QuotaReason.RunToolCallLimit, degradation.Reason);
        Assert.Equal(1, degradation.WithheldTools);
        Assert.Equal(run.Id, degradation.RunId);
    }

    [Fact]
    public async Task With_tool_calls_left_the_tools_are_passed_through()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 3 });
        var chat = new GuardedChatClient(_model);
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("search_kb", "Searches", default)] };

        ChatResponse response = await chat.GetResponseAsync("hello", options);

        Assert.Same(options, _model.LastOptions);
        Assert.Null(response.AdditionalProperties);
        Assert.Equal(3, run.RemainingToolCalls);
    }

    [Fact]
    public async Task Streaming_turns_count_charge_usage_and_report_degradation_on_the_first_update()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 1 });
        run.Acquire(new QuotaTool("search_kb", "search"), 1);
        var chat = new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = "tokens" });
        _model.Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 1 };
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("search_kb", "Searches", default)] };

        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync("hello", options))
        {
            updates.Add(update);
        }

        Assert.IsType<ChatTurnDegradation>(updates[0].AdditionalProperties![GuardedChatClient.DegradationKey]);
        Assert.Null(updates[1].AdditionalProperties);
        Assert.Equal(1, run.Iterations);
        Assert.Equal(1 + 4, run.CostSpent, 6);   // the tool call plus 4 tokens
    }

    [Fact]
    public async Task A_turn_outside_any_run_fails_closed()
    {
        var chat = new GuardedChatClient(_model);
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => chat.GetResponseAsync("hello"));
        Assert.Contains("chat model turn", e.Message);
        Assert.Equal(0, _model.Calls);
    }

    [Fact]
    public async Task A_token_category_missing_from_the_policy_refuses_the_turn()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var chat = new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = "gpu" });
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => chat.GetResponseAsync("hello"));
        Assert.Equal(QuotaReason.UnknownCategory, e.Reason);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuardedChatClient(_model, new GuardedChatClientOptions { InputTokenCost = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuardedChatClient(_model, new GuardedChatClientOptions { OutputTokenCost = double.NaN }));
        Assert.Throws<ArgumentException>(() => new GuardedChatClient(_model, new GuardedChatClientOptions { TokenCategory = " " }));
        Assert.Throws<ArgumentException>(() => new GuardedChatClient(_model, new GuardedChatClientOptions { ToolName = "" }));
    }

    private sealed class FakeChatClient : IChatClient
    {
        public int Calls { get; private set; }

        public ChatOptions? LastOptions { get; private set; }

        public UsageDetails? Usage { get; set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            LastOptions = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = Usage });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls++;
            LastOptions = options;
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "o");
            yield return new ChatResponseUpdate(ChatRole.Assistant, "k");
            if (Usage is not null)
            {
                yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage)] };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
