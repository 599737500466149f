using System.Collections.Concurrent;
using AgentQuotas.Audit;
using AgentQuotas.Deferred;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using AgentQuotas.Tests.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Degradation;

// Issue 17, item 2: the durable "reply later" rung, on the in-memory store (PostgreSQL: AgentQuotas.Postgres.Tests).
public class DeferredJobTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Report = new("build_report", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryDeferredJobStore _store = new();
    private readonly InMemoryAuditSink _audit = new();

    private QuotaGate Gate(double capacity = 1, double refill = 1) =>
        PriorityQueueTests.Gate(TestPolicies.Simple(capacity: capacity, refill: refill), _time, o => o.AuditSink = _audit);

    private DeferredJobRunner Runner(QuotaGate gate, Func<DeferredJob, CancellationToken, Task<string?>>? handler = null)
    {
        var runner = new DeferredJobRunner(gate, _store);
        runner.Register("report", Report, handler ?? ((job, _) => Task.FromResult<string?>("report for " + job.Payload)));
        return runner;
    }

    [Fact]
    public async Task Deferring_outside_a_run_fails_closed_and_stores_nothing()
    {
        using QuotaGate gate = Gate();
        DeferredJobRunner runner = Runner(gate);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.DeferAsync("report", "q4", 1));

        Assert.Contains("deferring a 'report' job", e.Message);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task A_deferred_job_runs_once_capacity_returns_under_the_deferring_runs_identity_charged_and_audited()
    {
        using QuotaGate gate = Gate();
        AgentIdentity? ranAs = null;
        WorkloadClass? ranClass = null;
        DeferredJobRunner runner = Runner(gate, (job, _) =>
        {
            ranAs = AgentRun.Current!.Identity;
            ranClass = AgentRun.Current.WorkloadClass;
            return Task.FromResult<string?>("done: " + job.Payload);
        });

        DeferredJobHandle handle;
        using (AgentRun run = gate.BeginRun(Acme, WorkloadClass.High, workflow: "support"))
        {
            QuotaTicket first = run.Acquire(Report, 1);
            Assert.True(first.IsAdmitted);
            first.Complete();
            QuotaTicket denied = run.Acquire(Report, 1);
            Assert.False(denied.IsAdmitted);

            // The payload names another tenant: it is only the handler's input, never the job's identity.
            handle = await runner.DeferAsync("report", "{\"tenant\":\"globex\"}", 1, denied.Decision.Reason);
        }

        DeferredJob pending = await handle.PollAsync();
        Assert.Equal(DeferredJobState.Pending, pending.State);
        Assert.Equal(("acme", "user-42", WorkloadClass.High, "support"), (pending.Tenant, pending.Principal, pending.WorkloadClass, pending.Workflow));

        // Still empty: the gate refuses, the job goes back until the refusal's RetryAfter.
        Assert.Equal(1, await runner.RunDueAsync());
        DeferredJob waiting = await handle.PollAsync();
        Assert.Equal(DeferredJobState.Pending, waiting.State);
        Assert.Equal(1, waiting.Attempts);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(1), waiting.NotBefore);
        Assert.Equal(0, await runner.RunDueAsync());
        Assert.Null(ranAs);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await runner.RunDueAsync());

        DeferredJob done = await handle.PollAsync();
        Assert.Equal(DeferredJobState.Succeeded, done.State);
        Assert.Equal("done: {\"tenant\":\"globex\"}", done.Result);
        Assert.Equal(Acme, ranAs);
        Assert.Equal(WorkloadClass.High, ranClass);
        Assert.Equal(0, await runner.RunDueAsync());

        QuotaAuditRecord deferred = Assert.Single(_audit.Snapshot(), r => r.Mode == DegradationMode.Deferred);
        Assert.Equal((AuditDecision.Degraded, QuotaReason.BucketExhausted, "acme", "user-42"), (deferred.Decision, deferred.Reason, deferred.Tenant, deferred.Principal));
        Assert.Contains(handle.Id.ToString(), deferred.Detail);
        QuotaAuditRecord[] jobRun = _audit.Snapshot().SkipWhile(r => r != deferred).Skip(1).ToArray();
        Assert.Contains(jobRun, r => r.Decision == AuditDecision.Denied && r.Reason == QuotaReason.BucketExhausted && r.Tenant == "acme");
        QuotaAuditRecord admitted = Assert.Single(jobRun, r => r.Decision == AuditDecision.Admitted);
        Assert.Equal(("acme", "user-42", WorkloadClass.High, "support", "build_report"), (admitted.Tenant, admitted.Principal, admitted.WorkloadClass, admitted.Workflow, admitted.Tool));
        Assert.Single(jobRun, r => r.Decision == AuditDecision.Completed);
    }

    [Fact]
    public async Task Waiting_on_a_handle_is_bounded_and_returns_the_finished_job()
    {
        using QuotaGate gate = Gate(capacity: 5);
        DeferredJobRunner runner = Runner(gate);
        DeferredJobHandle handle;
        using (gate.BeginRun(Acme))
        {
            handle = await runner.DeferAsync("report", "q4", 1);
        }

        Task<DeferredJob> timingOut = handle.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.False(timingOut.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(timingOut.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => timingOut);
        Assert.Contains("is Pending", timeout.Message);

        Task<DeferredJob> finishing = handle.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await runner.RunDueAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        DeferredJob done = await finishing;
        Assert.Equal(DeferredJobState.Succeeded, done.State);
        Assert.Equal("report for q4", done.Result);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => handle.WaitAsync(Timeout.InfiniteTimeSpan));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => handle.WaitAsync(TimeSpan.Zero));
        using var cts = new CancellationTokenSource();
        using (gate.BeginRun(Acme))
        {
            handle = await runner.DeferAsync("report", "q1", 1);
        }

        Task<DeferredJob> cancelled = handle.WaitAsync(TimeSpan.FromMinutes(1), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public async Task Two_workers_never_run_the_same_job_twice()
    {
        const int Jobs = 300;
        using QuotaGate gate = Gate(capacity: 1_000_000, refill: 1);
        var runs = new ConcurrentDictionary<string, int>();
        Task<string?> Handle(DeferredJob job, CancellationToken _)
        {
            runs.AddOrUpdate(job.Payload!, 1, (_, n) => n + 1);
            return Task.FromResult<string?>(null);
        }

        DeferredJobRunner first = Runner(gate, Handle);
        var second = new DeferredJobRunner(gate, _store);
        second.Register("report", Report, Handle);
        var handles = new List<DeferredJobHandle>();
        using (gate.BeginRun(Acme))
        {
            for (int i = 0; i < Jobs; i++)
            {
                handles.Add(await first.DeferAsync("report", "job-" + i, 1));
            }
        }

        using var start = new Barrier(2);
        Task<int> a = Task.Run(() => { start.SignalAndWait(); return first.RunDueAsync(); });
        Task<int> b = Task.Run(() => { start.SignalAndWait(); return second.RunDueAsync(); });
        int[] claimed = await Task.WhenAll(a, b);

        Assert.Equal(Jobs, claimed.Sum());
        Assert.Equal(Jobs, runs.Count);
        Assert.All(runs, r => Assert.Equal(1, r.Value));
        foreach (DeferredJobHandle handle in handles)
        {
            Assert.Equal(DeferredJobState.Succeeded, (await handle.PollAsync()).State);
        }

        Assert.Equal(Jobs, _audit.Snapshot().Count(r => r.Decision == AuditDecision.Completed && r.Tool == "build_report"));
    }

    [Fact]
    public async Task A_claim_whose_worker_was_lost_before_the_tool_started_is_retried_and_the_stale_claim_cannot_start_it()
    {
        using QuotaGate gate = Gate(capacity: 5);
        int ran = 0;
        DeferredJobRunner runner = Runner(gate, (_, _) => { ran++; return Task.FromResult<string?>("ok"); });
        DeferredJobHandle handle;
        using (gate.BeginRun(Acme))
        {
            handle = await runner.DeferAsync("report", "q4", 1);
        }

        // A worker claims it and is lost before it starts the tool.
        DeferredJobClaim lost = (await _store.TryClaimAsync(_time.GetUtcNow(), TimeSpan.FromMinutes(5)))!.Value;
        Assert.Equal(0, await runner.RunDueAsync());
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await runner.RunDueAsync());

        DeferredJob done = await handle.PollAsync();
        Assert.Equal((DeferredJobState.Succeeded, 2, 1), (done.State, done.Attempts, ran));
        Assert.False(await _store.TryStartAsync(lost.Job.Id, lost.Token, _time.GetUtcNow(), TimeSpan.FromMinutes(1)));
        Assert.False(await _store.TryFinishAsync(lost.Job.Id, lost.Token, DeferredJobState.Failed, null, "late", _time.GetUtcNow()));
        Assert.Equal(DeferredJobState.Succeeded, (await handle.PollAsync()).State);
    }

    [Fact]
    public async Task A_job_whose_worker_was_lost_while_it_ran_is_failed_and_never_run_again()
    {
        using QuotaGate gate = Gate(capacity: 5);
        int ran = 0;
        DeferredJobRunner runner = Runner(gate, (_, _) => { ran++; return Task.FromResult<string?>("ok"); });
        DeferredJobHandle handle;
        using (gate.BeginRun(Acme))
        {
            handle = await runner.DeferAsync("report", "q4", 1);
        }

        DeferredJobClaim claim = (await _store.TryClaimAsync(_time.GetUtcNow(), TimeSpan.FromMinutes(5)))!.Value;
        Assert.True(await _store.TryStartAsync(claim.Job.Id, claim.Token, _time.GetUtcNow(), TimeSpan.FromMinutes(10)));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await runner.RunDueAsync());

        DeferredJob failed = await handle.PollAsync();
        Assert.Equal(DeferredJobState.Failed, failed.State);
        Assert.Contains("not run again", failed.Error);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task A_refusal_waiting_cannot_cure_fails_the_job_and_a_throwing_handler_fails_it_once()
    {
        using QuotaGate gate = Gate(capacity: 5);
        var runner = new DeferredJobRunner(gate, _store);
        runner.Register("unbudgeted", new QuotaTool("mail", "mail"), (_, _) => Task.FromResult<string?>("never"));
        runner.Register("broken", Report, (_, _) => throw new InvalidOperationException("the report service is down"));
        DeferredJobHandle unbudgeted, broken;
        using (gate.BeginRun(Acme))
        {
            unbudgeted = await runner.DeferAsync("unbudgeted", null, 1);
            broken = await runner.DeferAsync("broken", null, 1);
        }

        Assert.Equal(2, await runner.RunDueAsync());

        DeferredJob refused = await unbudgeted.PollAsync();
        Assert.Equal(DeferredJobState.Failed, refused.State);
        Assert.Contains("UnknownCategory", refused.Error);
        DeferredJob threw = await broken.PollAsync();
        Assert.Equal(DeferredJobState.Failed, threw.State);
        Assert.Equal("InvalidOperationException: the report service is down", threw.Error);
        Assert.Single(_audit.Snapshot(), r => r.Decision == AuditDecision.Failed && r.Tool == "build_report");
        Assert.Equal(0, await runner.RunDueAsync());
    }

    [Fact]
    public void Options_out_of_range_are_refused_with_the_option_named()
    {
        using QuotaGate gate = Gate();

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DeferredJobRunner(gate, _store, new DeferredJobRunnerOptions { ClaimLease = TimeSpan.Zero }));

        Assert.Equal("ClaimLease", e.ParamName);
    }
}
