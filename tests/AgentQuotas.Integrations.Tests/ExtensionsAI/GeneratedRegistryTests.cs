using System.Reflection;
using System.Text.Json;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Guard;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>The generator registers every annotated method, so a tool reached by reflection gets its annotations' quota.</summary>
public sealed class GeneratedRegistryTests : IDisposable
{
    private readonly Fixture _f = new();

    public void Dispose() => _f.Dispose();

    private static Dictionary<string, object?> Args(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());

    [Fact]
    public void Every_annotated_method_is_registered_with_its_annotations()
    {
        Assert.True(ToolRegistry.Default.TryGet(typeof(SupportTools).GetMethod(nameof(SupportTools.SearchKbAsync))!, out ToolDescriptor? search));
        Assert.Equal(("search_kb", "search", 4d, false, ToolSource.Annotated), (search.Name, search.Category, search.FixedCost!.Value, search.IsPrivileged, search.Source));
        Assert.Equal("Searches the knowledge base.", search.Description);
        Assert.Null(search.Fallback);

        Assert.True(ToolRegistry.Default.TryGet("issue_refund", out ToolDescriptor? refund));
        Assert.Equal(("payments", 1d, true, true), (refund.Category, refund.FixedCost!.Value, refund.IsPrivileged, refund.RequiresApproval));
        Assert.NotNull(refund.Fallback);
        Assert.True(refund.FallbackNeedsTarget);
        Assert.True(ToolRegistry.Default.TryGet(nameof(SupportTools), "IssueRefund", out ToolDescriptor? byKernelName));
        Assert.Same(refund, byKernelName);
    }

    [Fact]
    public async Task A_reflection_function_of_an_annotated_method_is_guarded_by_its_registered_quota()
    {
        var tools = new SupportTools();
        AIFunction search = AIFunctionFactory.Create(tools.SearchKbAsync, "search_kb");
        var model = new ScriptedModel([ScriptedModel.Call("search_kb", Args("""{ "query": "refunds" }"""))]);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("hi", new ChatOptions { Tools = [search] });

        Assert.Equal(1, tools.Searches);
        Assert.Equal(6, _f.Left("search"), 9);
        Assert.Equal((1, 4d), (run.ToolCalls, run.CostSpent));
    }

    [Fact]
    public async Task The_registered_fallback_serves_a_draft_when_the_instance_is_known()
    {
        var tools = new SupportTools();
        AIFunction refund = AIFunctionFactory.Create(tools.IssueRefundAsync, "issue_refund").WithAgentQuotas(target: tools);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        object? result = await refund.InvokeAsync(new AIFunctionArguments(Args("""{ "orderId": "A-7", "amount": "12.50" }""")));

        FallbackToolResult draft = Assert.IsType<FallbackToolResult>(result);
        Assert.Equal("draft refund of 12.50 for A-7", draft.Result);
        Assert.Equal((0, 1), (tools.Refunds, tools.Drafts));
        Assert.Equal(5, _f.Left("payments"), 9);
    }

    [Fact]
    public async Task The_registered_fallback_chain_is_walked_in_order_when_the_first_is_refused()
    {
        Assert.True(ToolRegistry.Default.TryGet("chain_refund", out ToolDescriptor? descriptor));
        Assert.Equal(2, descriptor.Fallbacks.Count);
        Assert.All(descriptor.Fallbacks, step => Assert.True(step.NeedsTarget));

        var tools = new ChainTools();
        AIFunction refund = AIFunctionFactory.Create(tools.RefundAsync, "chain_refund").WithAgentQuotas(target: tools);
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);

        object? result = await refund.InvokeAsync(new AIFunctionArguments(Args("""{ "orderId": "A-9" }""")));

        FallbackToolResult draft = Assert.IsType<FallbackToolResult>(result);
        Assert.Equal("summary of A-9", draft.Result);                 // the second fallback served
        Assert.Equal("draft;summary;", tools.Tried);                  // after the first, whose quote was refused
        Assert.Equal(0, tools.Refunds);
        Assert.Single(run.Degradations);
    }

    [Fact]
    public void The_registry_holds_only_what_can_be_guarded()
    {
        MethodInfo unannotated = typeof(GeneratedRegistryTests).GetMethod(nameof(Dispose))!;
        Assert.False(ToolRegistry.Default.TryGet(unannotated, out _));
        Assert.All(ToolRegistry.Default.Tools, t => Assert.NotNull(t.Method));
    }
}
