using System.Reflection;
using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentQuotas.Generators.Integration.ModelCalls;

/// <summary>
/// [AgentLoop] caps what it claims: every model call written in the method's body is an iteration of the loop's
/// run, whether the method was called directly (an interceptor wraps it), by reflection, or by a host (no
/// interceptor wraps it), and its tokens are charged like GuardedChatClient charges them.
/// </summary>
public sealed class AgentLoopModelCallTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-7");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly ScriptedChatClient _chat = new();
    private readonly ChatLoops _loops = new();

    public AgentLoopModelCallTests()
    {
        _gate = new QuotaGate(QuotaPolicy.Parse("""
            {
              "version": "loops-1",
              "tiers": { "standard": {
                "categories": { "chat": { "capacity": 100000, "refillPerSecond": 1 }, "search": { "capacity": 100, "refillPerSecond": 1 } },
                "limits": { "maxIterations": 50 } } },
              "defaultTier": "standard"
            }
            """), new QuotaGateOptions { TimeProvider = _time, AuditSink = _audit });
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task A_plain_chat_client_loop_stops_at_its_cap_when_called_directly()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => _loops.UntilRefusedAsync(_chat));

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(10, _chat.Calls);
        Assert.Same(run, AgentRun.Current);   // the loop's child run is gone
    }

    [Fact]
    public async Task It_stops_at_its_cap_when_invoked_by_reflection_where_no_interceptor_wraps_it()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        MethodInfo method = typeof(ChatLoops).GetMethod(nameof(ChatLoops.UntilRefusedAsync))!;

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => (Task<int>)method.Invoke(_loops, [_chat])!);

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Contains("ChatLoops.UntilRefusedAsync", e.Message, StringComparison.Ordinal);
        Assert.Equal(10, _chat.Calls);
        Assert.Same(run, AgentRun.Current);   // the run the first model call opened belonged to the method's invocation
        Assert.Equal(0, run.Iterations);      // and the turns were not counted in the caller's run
    }

    [Fact]
    public async Task A_hosted_worker_whose_ExecuteAsync_the_host_calls_stops_at_its_cap()
    {
        var worker = new PollingWorker(_chat);
        using AgentRun run = _gate.BeginRun(Acme);

        await worker.StartAsync(CancellationToken.None);
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => worker.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(3, worker.Turns);
        Assert.Equal(3, _chat.Calls);
        worker.Dispose();
    }

    [Fact]
    public async Task Two_sequential_invocations_by_reflection_each_get_their_own_cap()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        MethodInfo method = typeof(ChatLoops).GetMethod(nameof(ChatLoops.TurnsAsync))!;

        Assert.Equal(7, await (Task<int>)method.Invoke(_loops, [_chat, 7])!);
        Assert.Equal(7, await (Task<int>)method.Invoke(_loops, [_chat, 7])!);   // 14 turns in all, 7 per invocation: each under 10

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => (Task<int>)method.Invoke(_loops, [_chat, 11])!);
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(24, _chat.Calls);
    }

    [Fact]
    public async Task Two_sequential_direct_calls_each_get_their_own_cap()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        Assert.Equal(7, await _loops.TurnsAsync(_chat, 7));
        Assert.Equal(7, await _loops.TurnsAsync(_chat, 7));
        Assert.Equal(14, _chat.Calls);
    }

    [Fact]
    public async Task Nested_loop_methods_invoked_by_reflection_count_against_their_own_caps()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        MethodInfo outer = typeof(ChatLoops).GetMethod(nameof(ChatLoops.OuterAsync))!;

        // The outer loop uses all 5 of its turns; each inner invocation (by reflection) uses 2 of its own 2.
        Assert.Equal(4, await (Task<int>)outer.Invoke(_loops, [_chat])!);
        Assert.Equal(9, _chat.Calls);

        // Called directly, the same holds (the interceptor opens the outer run up front).
        Assert.Equal(4, await _loops.OuterAsync(_chat));
        Assert.Equal(18, _chat.Calls);
    }

    [Fact]
    public async Task A_streaming_loop_counts_each_stream_and_stops_at_its_cap()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal(6, await _loops.StreamAsync(_chat, 3));   // 2 updates per stream

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => _loops.StreamAsync(_chat, 4));
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(6, _chat.Calls);   // the 4th stream was refused before it reached the model
    }

    [Fact]
    public async Task Structured_output_calls_are_counted()
    {
        _chat.ResponseText = """{"value":2}""";
        using AgentRun run = _gate.BeginRun(Acme);

        Assert.Equal(6, await _loops.StructuredAsync(_chat, 3));
        await Assert.ThrowsAsync<QuotaExceededException>(() => _loops.StructuredAsync(_chat, 4));
        Assert.Equal(6, _chat.Calls);
    }

    [Fact]
    public async Task With_a_token_category_each_call_is_charged_to_the_bucket_and_the_run()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        Assert.Equal(3, await _loops.ChargedAsync(_chat, 3));

        // 10 input tokens at 1 + 5 output tokens at 2 = 20 per call, charged to the run and its parent.
        Assert.Equal(60, run.CostSpent);
        QuotaAuditRecord[] charges = [.. _audit.Snapshot().Where(r => r.Tool == "ChatLoops.ChargedAsync (model tokens)")];
        Assert.Equal(3, charges.Length);
        Assert.All(charges, r => Assert.Equal(20, r.ActualCost));
        Assert.All(charges, r => Assert.Equal("chat", r.Category));
    }

    [Fact]
    public async Task Outside_any_run_the_model_call_fails_closed_and_the_model_is_not_called()
    {
        MethodInfo method = typeof(ChatLoops).GetMethod(nameof(ChatLoops.UntilRefusedAsync))!;

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => (Task<int>)method.Invoke(_loops, [_chat])!);

        Assert.Contains("can only run inside an agent run", e.Message, StringComparison.Ordinal);
        Assert.Contains("gate.BeginRun", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _chat.Calls);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _loops.UntilRefusedAsync(_chat));
        Assert.Equal(0, _chat.Calls);
    }

    [Fact]
    public async Task A_model_call_in_a_lambda_counts_against_the_run_the_method_opened()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        MethodInfo bodyThenLambda = typeof(ChatLoops).GetMethod(nameof(ChatLoops.BodyThenLambdaAsync))!;

        Assert.Equal(3, await (Task<int>)bodyThenLambda.Invoke(_loops, [_chat, 2])!);
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => (Task<int>)bodyThenLambda.Invoke(_loops, [_chat, 3])!);
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);

        // Through the interceptor the loop's run is open before the lambda runs.
        Assert.Equal(2, await _loops.LambdaFirstAsync(_chat));
    }

    [Fact]
    public async Task A_first_model_call_in_a_lambda_of_a_method_no_interceptor_entered_fails_closed()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        MethodInfo lambdaFirst = typeof(ChatLoops).GetMethod(nameof(ChatLoops.LambdaFirstAsync))!;

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => (Task<int>)lambdaFirst.Invoke(_loops, [_chat])!);

        Assert.Contains("in a lambda or local function of [AgentLoop] method ChatLoops.LambdaFirstAsync", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _chat.Calls);
    }

    [Fact]
    public async Task A_non_async_loop_method_invoked_by_reflection_leaves_its_run_current_in_the_callers_flow()
    {
        // The documented limit: a method that is not async has no async context of its own, so the run its first
        // model call opens stays current in its caller's flow, and later invocations from that flow share its cap.
        using AgentRun run = _gate.BeginRun(Acme);

        // Called directly, the interceptor scopes the loop's run to the call.
        await _loops.SyncAsk(_chat);
        await _loops.SyncAsk(_chat);
        await _loops.SyncAsk(_chat);
        Assert.Same(run, AgentRun.Current);
        Assert.Equal(3, _chat.Calls);

        MethodInfo sync = typeof(ChatLoops).GetMethod(nameof(ChatLoops.SyncAsk))!;
        await (Task<ChatResponse>)sync.Invoke(_loops, [_chat])!;
        Assert.Equal("ChatLoops.SyncAsk", AgentRun.Current!.Name);
        Assert.Same(run, AgentRun.Current.Parent);
        await (Task<ChatResponse>)sync.Invoke(_loops, [_chat])!;
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => (Task<ChatResponse>)sync.Invoke(_loops, [_chat])!);

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(5, _chat.Calls);
    }

    [Fact]
    public async Task A_guarded_chat_client_inside_the_loop_is_not_counted_twice()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        IChatClient guarded = _chat.WithAgentQuotas();

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => _loops.UntilRefusedAsync(guarded));

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(10, _chat.Calls);   // 10 turns, not 5
    }

    [Fact]
    public async Task Behind_a_function_invoking_client_every_round_trip_through_a_guarded_client_counts_once()
    {
        var chat = new ScriptedChatClient(functionCalls: 1);
        IChatClient pipeline = new ChatClientBuilder(chat)
            .UseFunctionInvocation()
            .Use(inner => inner.WithAgentQuotas(new GuardedChatClientOptions { TokenCategory = "chat" }))
            .Build();
        using AgentRun run = _gate.BeginRun(Acme);
        var noop = AIFunctionFactory.Create(() => "done", "noop");

        // One call in the loop makes two round trips (the model asks for 'noop', then answers).
        Assert.Equal(1, await new FunctionLoop().OnceAsync(pipeline, noop));

        Assert.Equal(2, chat.Calls);
        AgentRun loopRun = Assert.Single(FunctionLoop.Runs);
        Assert.Equal(2, loopRun.Iterations);                 // the interceptor's count was claimed by the first round trip
        Assert.Equal(30, run.CostSpent);                     // tokens charged once, by the guarded client (15 per round trip)
    }

    [Fact]
    public async Task The_AQ0003_compliant_example_is_true()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        List<ChatMessage> messages = [new ChatMessage(ChatRole.User, "Plan the refund.")];

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => new Aq0003CompliantExample().RunAsync(_chat, messages));

        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(8, _chat.Calls);          // 8 turns; the 9th is refused before it reaches the model
        Assert.Equal(9, messages.Count);       // the question and 8 answers
    }

    [Fact]
    public async Task Semantic_Kernel_chat_completion_loops_stop_at_their_cap_and_charge_metadata_usage()
    {
        var service = new ScriptedChatCompletionService();
        var loops = new KernelLoops();
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => loops.ChatCompletionAsync(service));
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(3, service.Calls);
        Assert.Equal(45, run.CostSpent);   // 15 tokens per call from Metadata["Usage"]

        await Assert.ThrowsAsync<QuotaExceededException>(() => loops.SingleReplyAsync(service));
        Assert.Equal(6, service.Calls);

        Assert.Equal(6, await loops.StreamingAsync(service, 3));
        await Assert.ThrowsAsync<QuotaExceededException>(() => loops.StreamingAsync(service, 4));   // 3 streams, then refused
        Assert.Equal(12, service.Calls);
        Assert.Equal(135, run.CostSpent);   // 3 + 3 charged streams at 15
    }

    [Fact]
    public async Task Kernel_prompt_loops_stop_at_their_cap()
    {
        var service = new ScriptedChatCompletionService();
        IKernelBuilder builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(service);
        Kernel kernel = builder.Build();
        var loops = new KernelLoops();
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => loops.PromptAsync(kernel));
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(3, service.Calls);

        Assert.Equal(6, await loops.PromptStreamingAsync(kernel, 3));
        await Assert.ThrowsAsync<QuotaExceededException>(() => loops.PromptStreamingAsync(kernel, 4));   // its own cap of 3, then refused
        Assert.Equal(9, service.Calls);
    }

    [Fact]
    public async Task Agent_Framework_loops_stop_at_their_cap_and_charge_the_agents_usage()
    {
        AIAgent agent = new ChatClientAgent(_chat);
        var loops = new AgentFrameworkLoops();
        using AgentRun run = _gate.BeginRun(Acme);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => loops.RunAsync(agent));
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
        Assert.Equal(3, _chat.Calls);
        Assert.Equal(45, run.CostSpent);

        Assert.True(await loops.RunStreamingAsync(agent, 3) > 0);
        await Assert.ThrowsAsync<QuotaExceededException>(() => loops.RunStreamingAsync(agent, 4));   // its own cap of 3, then refused
        Assert.Equal(9, _chat.Calls);
    }
}
