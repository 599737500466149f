using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using AgentQuotas.Tools;

namespace AgentQuotas.Tests.Tools;

/// <summary>
/// A call a framework guard admitted is charged once, however many guards of the same tool it passes through on its way
/// to the method (a wrapped guarded function, an intercepted call in the framework's delegate): the first inner guard of
/// the same tool passes it through. Other tools called from inside, and later calls of the same tool, are charged.
/// </summary>
public sealed class NestedGuardTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly ToolDescriptor Search = new("search_kb", "search", 4);
    private static readonly ToolDescriptor Summarize = new("summarize", "search", 1);

    private readonly QuotaGate _gate = TestPolicies.Gate(QuotaPolicy.Parse(GuardedToolInvokerTests.PolicyJson), TestTime.Create());

    private double Left => _gate.Store.Peek(new BucketKey("acme", "search"), _gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;

    private static ToolCall Call(ToolDescriptor tool) => new(tool.Name) { Descriptor = tool };

    private static ValueTask<ToolCallResult> Guard(ToolDescriptor tool, Func<ValueTask<object?>> body) =>
        GuardedToolInvoker.InvokeAsync(Call(tool), _ => body());

    [Fact]
    public async Task A_guard_of_the_same_tool_inside_an_admitted_call_passes_it_through_charged_once()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        int ran = 0;

        ToolCallResult outer = await Guard(Search, async () =>
        {
            ToolCallResult inner = await Guard(Search, () => { ran++; return new ValueTask<object?>("found"); });
            Assert.Equal(ToolCallOutcome.Ran, inner.Outcome);
            return inner.Value;
        });

        Assert.Equal(ToolCallOutcome.Ran, outer.Outcome);
        Assert.Equal("found", outer.Value);
        Assert.Equal(1, ran);
        Assert.Equal((1, 4d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 4, Left, 9);
        Assert.True(AgentQuotas.Tools.AdmittedToolCall.TryPassThrough(Search.QuotaTool) is false); // nothing left marked after the call
    }

    [Fact]
    public async Task A_different_tool_inside_is_charged_and_the_same_tool_again_is_charged()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        await Guard(Search, async () =>
        {
            await Guard(Search, () => new ValueTask<object?>("first"));       // the admitted call itself: passed through
            await Guard(Search, () => new ValueTask<object?>("again"));       // a second call of the tool: charged
            await Guard(Summarize, () => new ValueTask<object?>("summary"));  // another tool: charged
            return "done";
        });

        Assert.Equal((3, 4d + 4 + 1), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 9, Left, 9);
    }

    [Fact]
    public async Task Only_the_first_guard_inside_is_compared_so_a_tool_called_back_from_another_is_charged()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        await Guard(Search, async () =>
        {
            await Guard(Summarize, async () =>
            {
                await Guard(Search, () => new ValueTask<object?>("nested")); // a new invocation of search_kb, from summarize
                return "summary";
            });
            return "done";
        });

        Assert.Equal((3, 4d + 1 + 4), (run.ToolCalls, run.CostSpent));
    }

    [Fact]
    public async Task Work_started_without_the_flow_is_not_the_admitted_call()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Task? detached = null;
        await Guard(Search, () =>
        {
            using (ExecutionContext.SuppressFlow())
            {
                detached = Task.Run(() => Assert.False(AgentQuotas.Tools.AdmittedToolCall.TryPassThrough(Search.QuotaTool)));
            }

            return new ValueTask<object?>("x");
        });

        await detached!;
    }

    [Fact]
    public async Task A_guard_in_another_run_inside_the_call_charges_that_run()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        int innerCalls = -1;

        await Guard(Search, async () =>
        {
            using AgentRun child = _gate.BeginRun(Acme);
            ToolCallResult inner = await Guard(Search, () => new ValueTask<object?>("y"));
            Assert.Equal(ToolCallOutcome.Ran, inner.Outcome);
            innerCalls = child.ToolCalls;
            return inner.Value;
        });

        Assert.Equal(1, innerCalls);
        Assert.Equal(10 - 8, Left, 9);
    }
}
