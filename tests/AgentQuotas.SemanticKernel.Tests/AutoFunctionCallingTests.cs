using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.SemanticKernel.Tests.Harness;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;

namespace AgentQuotas.SemanticKernel.Tests;

/// <summary>
/// Automatic function calling (FunctionChoiceBehavior.Auto) through Semantic Kernel's own function-invoking chat client,
/// with a scripted model: the model's calls get the decision of a direct call and read refusals as results.
/// </summary>
public sealed class AutoFunctionCallingTests : IDisposable
{
    private static readonly PromptExecutionSettings Auto = new() { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

    private readonly Fixture _f = new();
    private readonly DeskPlugin _desk = new();
    private readonly WebPlugin _web = new();

    public void Dispose() => _f.Dispose();

    private Kernel Kernel(ScriptedChatClient model, Action<AgentQuotasKernelOptions>? configure = null)
    {
        IKernelBuilder builder = Microsoft.SemanticKernel.Kernel.CreateBuilder().AddAgentQuotas(o =>
        {
            o.PluginTargets.Add(_desk);
            configure?.Invoke(o);
        });
        builder.Services.AddSingleton<IChatCompletionService>(model.AsBuilder().UseKernelFunctionInvocation().Build().AsChatCompletionService());
        builder.Plugins.AddFromObject(_desk, "Desk");
        builder.Plugins.AddFromObject(_web, "Web");
        return builder.Build();
    }

    private static JsonElement Seen(FunctionResultContent result) => JsonSerializer.SerializeToElement(result.Result, AIJsonUtilities.DefaultOptions);

    [Fact]
    public async Task A_privileged_function_the_model_asks_for_never_runs_without_approval()
    {
        var model = new ScriptedChatClient(
            [ScriptedChatClient.Call("close_account", ("accountId", "C-1")), ScriptedChatClient.Call("issue_refund", ("orderId", "A-1"), ("amount", 12.5))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        FunctionResult answer = await Kernel(model).InvokePromptAsync("close C-1 and refund A-1", new KernelArguments(Auto));

        Assert.Equal((0, 0, 1), (_desk.Closures, _desk.Refunds, _desk.Drafts));
        FunctionResultContent[] seen = [.. model.ResultsSeen];
        Assert.Equal("ApprovalRequired", Seen(seen[0]).GetProperty("reason").GetString());
        Assert.Equal("quota", Seen(seen[0]).GetProperty("error").GetString());
        JsonElement draft = Seen(seen[1]);
        Assert.True(draft.GetProperty("degraded").GetBoolean());
        Assert.Equal("draft refund of 12.5 for A-1", draft.GetProperty("result").GetString());
        Assert.Equal("done after 2 turns", answer.GetValue<string>());
        Assert.Equal(2, run.Iterations);
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, _f.Left("payments"), 9);
    }

    [Fact]
    public async Task Calls_through_the_chat_completion_service_are_guarded_too()
    {
        var model = new ScriptedChatClient([ScriptedChatClient.Call("close_account", ("accountId", "C-1"))], [ScriptedChatClient.Call("search_kb", ("query", "refunds"))]);
        Kernel kernel = Kernel(model);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        IChatCompletionService chat = kernel.GetRequiredService<IChatCompletionService>();
        await chat.GetChatMessageContentsAsync(new ChatHistory("close C-1"), Auto, kernel);

        Assert.Equal((0, 1), (_desk.Closures, _desk.Searches));
        Assert.Equal("ApprovalRequired", Seen(model.ResultsSeen.First()).GetProperty("reason").GetString());
        Assert.Equal((1, 4d), (run.ToolCalls, run.CostSpent));
    }

    [Fact]
    public async Task Outside_a_run_the_prompt_fails_closed_before_the_model_is_called()
    {
        var model = new ScriptedChatClient([ScriptedChatClient.Call("search_kb", ("query", "x"))]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Kernel(model).InvokePromptAsync("hi", new KernelArguments(Auto)));

        Assert.Equal(0, model.Calls);
        Assert.Equal(0, _desk.Searches);
    }

    [Fact]
    public async Task A_denial_reaches_the_model_with_its_reason_and_retry_after()
    {
        var search = ScriptedChatClient.Call("web_search", ("query", "x"));
        var model = new ScriptedChatClient([search], [search], [search], [search]);   // 4 x 3 units from a bucket of 10
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Kernel(model).InvokePromptAsync("hi", new KernelArguments(Auto));

        Assert.Equal(3, _web.Searches);
        JsonElement refused = Seen(model.ResultsSeen.Last());
        Assert.Equal("BucketExhausted", refused.GetProperty("reason").GetString());
        Assert.Equal(2, refused.GetProperty("retryAfterSeconds").GetDouble(), 9);
        Assert.Contains("Retry after 2 s", refused.GetProperty("message").GetString());
        Assert.Equal(3, run.ToolCalls);
    }

    [Fact]
    public async Task A_function_the_model_names_that_nobody_described_is_refused_and_recorded()
    {
        var model = new ScriptedChatClient([ScriptedChatClient.Call("drop_tables")]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Kernel(model).InvokePromptAsync("hi", new KernelArguments(Auto));

        Assert.Equal(0, _web.Drops);
        JsonElement refused = Seen(model.ResultsSeen.Single());
        Assert.Equal("unknown_tool", refused.GetProperty("error").GetString());
        Assert.Contains("Tool 'drop_tables' has no quota", refused.GetProperty("message").GetString());
        Assert.Single(_f.Audit.Snapshot(), r => r.Reason == QuotaReason.UnknownTool && r.Tool == "drop_tables");
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task A_function_that_throws_fails_its_ticket_and_the_model_reads_an_error()
    {
        _desk.SearchBody = () => throw new IOException("index offline");
        var model = new ScriptedChatClient([ScriptedChatClient.Call("search_kb", ("query", "x"))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Kernel(model).InvokePromptAsync("hi", new KernelArguments(Auto));

        Assert.Contains("Error", model.ResultsSeen.Single().Result?.ToString());
        Assert.Equal(AuditDecision.Failed, _f.Audit.Snapshot().Last().Decision);
        Assert.Equal(1, run.ToolCalls);
    }

    [Fact]
    public async Task A_runaway_model_is_capped_by_the_run_and_the_refused_round_runs_no_tool()
    {
        var model = new ScriptedChatClient { Forever = ScriptedChatClient.Call("search_kb", ("query", "again")) };
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme, limits: new RunLimits { MaxIterations = 3 });

        await Kernel(model).InvokePromptAsync("loop", new KernelArguments(Auto));

        Assert.Equal(3, model.Calls);          // the 4th turn was refused: the loop ended
        Assert.Equal(3, run.Iterations);
        Assert.Equal(2, _desk.Searches);       // the calls of the refused round did not run
        Assert.Equal(2, run.ToolCalls);
        Assert.Contains(_f.Audit.Snapshot(), r => r.Reason == QuotaReason.RunIterationLimit);
    }

    [Fact]
    public async Task Turns_are_not_counted_when_the_chat_client_counts_them()
    {
        var model = new ScriptedChatClient([ScriptedChatClient.Call("search_kb", ("query", "x"))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await Kernel(model, o => o.CountModelTurns = false).InvokePromptAsync("hi", new KernelArguments(Auto));

        Assert.Equal(0, run.Iterations);
        Assert.Equal(1, run.ToolCalls);
    }
}
