using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Tools;

// The gate bounds how long it waits for an approval service, for direct calls as for framework calls.
public class ApprovalTimeoutTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Refund = new("issue_refund", "payments", requiresApproval: true);
    private readonly FakeTimeProvider _time = TestTime.Create();

    [Fact]
    public async Task A_direct_call_waits_at_most_the_approval_timeout_then_gives_everything_back()
    {
        var never = new TaskCompletionSource<ApprovalDecision>();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 5, refill: 0.05, category: "payments"), _time, o =>
        {
            o.ApprovalService = new Hanging(never.Task);
            o.ApprovalTimeout = TimeSpan.FromSeconds(5);
        });
        using AgentRun run = gate.BeginRun(Acme);

        ValueTask<QuotaTicket> pending = run.AcquireAsync(Refund, 1);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        QuotaTicket ticket = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(ticket.IsAdmitted);
        Assert.Equal(QuotaReason.ApprovalRequired, ticket.Decision.Reason);
        Assert.Contains("did not answer within 5 s", ticket.Decision.Detail);
        Assert.Equal(0, run.ToolCalls);
        Assert.Equal(5, gate.Store.Peek(new BucketKey("acme", "payments"), gate.Policy.Tiers["standard"].Categories["payments"].Limits).Available, 9);
        never.SetException(new InvalidOperationException("late fault")); // observed, never rethrown
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_401)]
    public void The_approval_timeout_must_be_positive_and_at_most_a_day(int seconds)
    {
        var options = new QuotaGateOptions { ApprovalTimeout = TimeSpan.FromSeconds(seconds) };
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuotaGate(TestPolicies.Simple(), options));
    }

    private sealed class Hanging(Task<ApprovalDecision> answer) : IApprovalService
    {
        public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) => new(answer);
    }
}
