using System.Reflection;
using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>Generated interceptors compiled, loaded and run against a real gate on virtual time.</summary>
public sealed class GuardBehaviourTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly Assembly _assembly = Compiled.Behaviour;

    public GuardBehaviourTests()
    {
        _gate = Policies.Gate(Policies.Create("{}", "search:1000:10", "payments:8:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public async Task Every_shape_runs_the_tool_when_admitted_and_counts_each_call()
    {
        object tools = New("Demo.Tools");
        using AgentRun run = _gate.BeginRun(Acme);

        object? result = await Scenario.CallAsync(_assembly, "Demo.Calls", "All", tools, CancellationToken.None);

        Assert.Equal("sync:a,42,task:c,42,7,e,2,summary of 2,refunded o-1,secret:g,12,6,H,I,sync:j", result);
        Assert.Equal(18, run.ToolCalls);
        Assert.Equal(18, _audit.Snapshot().Count(r => r.Decision == AuditDecision.Completed));
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "ToolExtensions.Shout" && r.PlannedCost == 6);
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "Tools.Secret");
    }

    [Fact]
    public void A_denied_call_throws_with_reason_category_and_retry_after()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal("charged a", Scenario.Call(_assembly, "Demo.Scenarios", "Charge", payments, "a"));

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => Scenario.Call(_assembly, "Demo.Scenarios", "Charge", payments, "b"));

        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.Equal("payments", e.Category);
        Assert.Equal("acme", e.Tenant);
        Assert.Equal("Payments.Charge", e.Tool);
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);   // 3 left, 5 needed, 1 per second
        Assert.Equal(1, Field(payments, "Refunds"));             // the tool did not run
        Assert.Contains(_audit.Snapshot(), r => r.Decision == AuditDecision.Denied && r.Tool == "Payments.Charge");
    }

    [Fact]
    public async Task A_denied_async_call_fails_its_task_and_the_tool_does_not_run()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal("charged a", await Scenario.CallAsync(_assembly, "Demo.Scenarios", "ChargeAsync", payments, "a", CancellationToken.None));

        var pending = (Task<string>)Scenario.Call(_assembly, "Demo.Scenarios", "ChargeAsync", payments, "b", CancellationToken.None)!;
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => pending);

        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
        Assert.Equal(1, Field(payments, "Refunds"));
    }

    [Fact]
    public void A_denied_call_with_a_fallback_is_served_by_it_and_says_so()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);
        dynamic full = Scenario.Call(_assembly, "Demo.Scenarios", "Refund", payments, "o-1")!;
        Assert.Equal("refunded o-1", (string)full.Text);
        Assert.Null(run.LastDegradation);

        dynamic draft = Scenario.Call(_assembly, "Demo.Scenarios", "Refund", payments, "o-2")!;

        Assert.Equal("draft for o-2", (string)draft.Text);
        DegradedCall degraded = Assert.IsType<DegradedCall>(draft.Degradation);     // the result says it
        Assert.Equal(DegradationMode.DraftOnly, degraded.Mode);
        Assert.Equal(QuotaReason.BucketExhausted, degraded.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), degraded.RetryAfter);
        Assert.Contains("Payments.Refund", degraded.Message);
        Assert.Same(degraded, run.LastDegradation);                                   // and so does the run
        Assert.Equal(1, Field(payments, "Refunds"));
        Assert.Equal(1, Field(payments, "Drafts"));
        Assert.Contains(_audit.Snapshot(), r => r.Decision == AuditDecision.Degraded && r.Mode == DegradationMode.DraftOnly);
    }

    [Fact]
    public async Task An_async_fallback_serves_a_denied_async_call()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);
        await Scenario.CallAsync(_assembly, "Demo.Scenarios", "RefundAsync", payments, "o-1");

        dynamic draft = (await Scenario.CallAsync(_assembly, "Demo.Scenarios", "RefundAsync", payments, "o-2"))!;

        Assert.Equal("draft for o-2", (string)draft.Text);
        Assert.Equal(QuotaReason.BucketExhausted, ((DegradedCall)draft.Degradation).Reason);
        Assert.Single(run.Degradations);
    }

    [Fact]
    public void Outside_a_run_a_guarded_call_fails_closed_with_a_clear_error()
    {
        object payments = New("Demo.Payments");
        Assert.Null(AgentRun.Current);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Scenario.Call(_assembly, "Demo.Scenarios", "Charge", payments, "a"));

        Assert.Contains("'Payments.Charge' is guarded by AgentQuotas", e.Message);
        Assert.Contains("gate.BeginRun", e.Message);
        Assert.Equal(0, Field(payments, "Refunds"));
    }

    [Fact]
    public async Task Outside_a_run_an_async_guarded_call_returns_a_failed_task()
    {
        object payments = New("Demo.Payments");
        var pending = (Task<string>)Scenario.Call(_assembly, "Demo.Scenarios", "ChargeAsync", payments, "a", CancellationToken.None)!;

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => pending);
        Assert.Contains("'Payments.ChargeAsync' is guarded", e.Message);
    }

    [Fact]
    public void The_estimator_sets_the_planned_cost_and_the_result_corrects_it()
    {
        object tools = New("Demo.Tools");
        using AgentRun run = _gate.BeginRun(Acme);

        Scenario.Call(_assembly, "Demo.Scenarios", "Summarize", tools, 4);

        QuotaAuditRecord admitted = Assert.Single(_audit.Snapshot(), r => r.Tool == "Tools.Summarize" && r.Decision == AuditDecision.Admitted);
        Assert.Equal(13, admitted.PlannedCost);                    // 5 + 4 docs x 2
        QuotaAuditRecord completed = Assert.Single(_audit.Snapshot(), r => r.Tool == "Tools.Summarize" && r.Decision == AuditDecision.Completed);
        Assert.Equal(6, completed.ActualCost);                     // Receipt reports 4 x 1.5
        Assert.Equal(6, run.CostSpent);
    }

    [Fact]
    public void A_tool_that_throws_is_recorded_as_failed_and_the_exception_propagates()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Scenario.Call(_assembly, "Demo.Scenarios", "Explode", payments));

        Assert.Equal("tool failed: boom", e.Message);
        QuotaAuditRecord failed = Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Failed);
        Assert.Contains("tool failed: boom", failed.Detail);
    }

    [Fact]
    public async Task An_async_tool_that_faults_later_is_recorded_as_failed()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);

        var pending = (Task<string>)Scenario.Call(_assembly, "Demo.Scenarios", "ExplodeLater", payments)!;
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => pending);

        Assert.Equal("tool failed later: bang", e.Message);
        QuotaAuditRecord failed = Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Failed);
        Assert.Equal("Payments.ExplodeLaterAsync", failed.Tool);
    }

    [Fact]
    public async Task Concurrent_degraded_calls_in_one_run_are_all_recorded()
    {
        using QuotaGate gate = Policies.Gate(Policies.Create("{}", "payments:1:0.001"), _time);
        object payments = New("Demo.Payments");
        using AgentRun run = gate.BeginRun(Acme);
        using AgentRun child = run.BeginChild(name: "worker");

        Task[] workers = [.. Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                Scenario.Call(_assembly, "Demo.Scenarios", "Refund", payments, $"o-{w}-{i}");
            }
        }))];
        await Task.WhenAll(workers);

        Assert.Equal(400, child.Degradations.Count);            // cost 5 never fits a bucket of 1
        Assert.Equal(400, run.Degradations.Count);              // ancestors see their children's
        Assert.Equal(400, child.Degradations.Select(d => d.Decision.Tool).Count(t => t == "Payments.Refund"));
    }

    [Fact]
    public async Task The_cancellation_token_argument_reaches_the_gate()
    {
        object payments = New("Demo.Payments");
        using AgentRun run = _gate.BeginRun(Acme);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var pending = (Task<string>)Scenario.Call(_assembly, "Demo.Scenarios", "ChargeAsync", payments, "a", cancelled.Token)!;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, Field(payments, "Refunds"));
        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task An_approval_answered_later_takes_the_asynchronous_path_and_then_runs_the_tool()
    {
        var approvals = new ManualApprovals();
        using QuotaGate gate = Policies.Gate(Policies.Create("{}", "payments:8:1"), _time, o => o.ApprovalService = approvals);
        object payments = New("Demo.Payments");
        using AgentRun run = gate.BeginRun(Acme);

        var pending = (Task<string>)Scenario.Call(_assembly, "Demo.Scenarios", "Wire", payments, "acct-9")!;
        Assert.False(pending.IsCompleted);                          // waiting for a person
        Assert.Equal(0, Field(payments, "Refunds"));

        approvals.Answer(ApprovalDecision.Approve("cfo"));
        Assert.Equal("wired acct-9", await pending);
        Assert.Equal(1, Field(payments, "Refunds"));
    }

    [Fact]
    public void An_agent_loop_cap_of_8_stops_the_9th_iteration()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        object? turns = Scenario.Call(_assembly, "Demo.Scenarios", "Loop");

        Assert.Equal(8, turns);
        Assert.Same(run, AgentRun.Current);                          // the loop's child run is closed
        Assert.Equal(0, run.Iterations);                             // iterations counted in the child
        QuotaAuditRecord refused = Assert.Single(_audit.Snapshot(), r => r.Reason == QuotaReason.RunIterationLimit);
        Assert.StartsWith(run.Id + ".", refused.RunId);
    }

    [Fact]
    public async Task An_async_agent_loop_enforces_its_tool_call_cap_on_guarded_calls_inside()
    {
        using QuotaGate gate = Policies.Gate(Policies.Create("{}", "payments:1000:1"), _time, o => o.AuditSink = _audit);
        object payments = New("Demo.Payments");
        using AgentRun run = gate.BeginRun(Acme);

        object? outcome = await Scenario.CallAsync(_assembly, "Demo.Scenarios", "LoopAsync", payments);

        Assert.Equal("4:RunToolCallLimit:Agent.LoopAsync", outcome);
        Assert.Equal(3, Field(payments, "Refunds"));
        Assert.Equal(3, run.ToolCalls);                              // children's calls count in the parent
        Assert.Same(run, AgentRun.Current);
    }

    private object New(string type) => Activator.CreateInstance(_assembly.GetType(type, throwOnError: true)!)!;

    private static int Field(object target, string name) => (int)target.GetType().GetField(name)!.GetValue(target)!;

    private sealed class ManualApprovals : IApprovalService
    {
        private readonly TaskCompletionSource<ApprovalDecision> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
            new(_answer.Task);

        public void Answer(ApprovalDecision decision) => _answer.SetResult(decision);
    }
}
