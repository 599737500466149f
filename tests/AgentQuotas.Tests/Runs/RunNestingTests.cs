using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Runs;

/// <summary>
/// While a run is open in a flow, no run of another tenant starts in that flow: not after a child run was
/// disposed from another flow, and not by opening a run while the flow is suppressed.
/// </summary>
public sealed class RunNestingTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly AgentIdentity Other = new("other", "user-2");
    private readonly QuotaGate _gate = TestPolicies.Gate(TestPolicies.Simple(), TestTime.Create());

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task A_child_disposed_on_another_flow_leaves_its_parent_current()
    {
        using AgentRun parent = _gate.BeginRun(Acme);
        AgentRun child = _gate.BeginRun(Acme);
        await Task.Run(child.Dispose);                       // AgentRun.Current of this flow still points at the child

        Assert.Throws<InvalidOperationException>(() => _gate.BeginRun(Other));
        Assert.Same(parent, AgentRun.Current);
        using AgentRun sibling = _gate.BeginRun(Acme);        // a new child of the parent
        Assert.Same(parent, sibling.Parent);
        Assert.True(AgentRun.RequireCurrent("tool").Acquire(new QuotaTool("t", "search"), 1).IsAdmitted);
    }

    [Fact]
    public async Task A_disposed_chain_fails_closed()
    {
        AgentRun parent = _gate.BeginRun(Acme);
        AgentRun child = _gate.BeginRun(Acme);
        await Task.Run(() =>
        {
            child.Dispose();
            parent.Dispose();
        });

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => AgentRun.RequireCurrent("tool"));
        Assert.Contains("disposed", e.Message);
        using AgentRun fresh = _gate.BeginRun(Other);         // nothing is open any more
        Assert.Null(fresh.Parent);
    }

    [Fact]
    public void A_run_cannot_be_opened_while_the_flow_is_suppressed()
    {
        using AgentRun parent = _gate.BeginRun(Acme);
        using (ExecutionContext.SuppressFlow())
        {
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => _gate.BeginRun(Acme));
            Assert.Contains("SuppressFlow", e.Message);
            Assert.Throws<InvalidOperationException>(() => _gate.BeginRun(Other));
            Assert.Throws<InvalidOperationException>(() => parent.BeginChild());
        }

        Assert.Same(parent, AgentRun.Current);
    }
}
