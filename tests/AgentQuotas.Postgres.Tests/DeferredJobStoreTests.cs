using System.Collections.Concurrent;
using AgentQuotas.Deferred;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Postgres.Tests;

// Issue 17, item 2: deferred jobs in PostgreSQL, shared by hosts and kept across restarts.
[Collection(PostgresCollection.Name)]
public sealed class DeferredJobStoreTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Report = new("build_report", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("deferred");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<PostgresDeferredJobStore> OpenAsync() =>
        PostgresDeferredJobStore.OpenAsync(new PostgresDeferredJobStoreOptions { ConnectionString = _db });

    private QuotaGate Gate(double capacity = 1_000_000) =>
        new(TestSupport.Policy(capacity: capacity), new QuotaGateOptions { TimeProvider = _time });

    private static DeferredJobRunner Runner(QuotaGate gate, IDeferredJobStore store, Func<DeferredJob, CancellationToken, Task<string?>> handler)
    {
        var runner = new DeferredJobRunner(gate, store);
        runner.Register("report", Report, handler);
        return runner;
    }

    [Fact]
    public async Task A_job_is_kept_across_a_store_restart_with_its_identity_and_run_by_the_next_host()
    {
        Guid id;
        await using (PostgresDeferredJobStore first = await OpenAsync())
        {
            using QuotaGate gate = Gate();
            DeferredJobRunner runner = Runner(gate, first, (_, _) => throw new InvalidOperationException("this host never runs it"));
            using (gate.BeginRun(Acme, WorkloadClass.High, workflow: "support"))
            {
                id = (await runner.DeferAsync("report", "q4", 3)).Id;
            }
        }

        string? ranAs = null;
        await using (PostgresDeferredJobStore second = await OpenAsync())
        {
            using QuotaGate gate = Gate();
            DeferredJobRunner runner = Runner(gate, second, (job, _) =>
            {
                ranAs = AgentRun.Current!.Identity + "/" + AgentRun.Current.WorkloadClass;
                return Task.FromResult<string?>("report " + job.Payload);
            });
            DeferredJobHandle handle = runner.Handle(id);

            DeferredJob pending = await handle.PollAsync();
            Assert.Equal((DeferredJobState.Pending, "acme", "user-42", WorkloadClass.High, "support", 3.0, "search"),
                (pending.State, pending.Tenant, pending.Principal, pending.WorkloadClass, pending.Workflow, pending.Cost, pending.Category));

            Assert.Equal(1, await runner.RunDueAsync());
            DeferredJob done = await handle.WaitAsync(TimeSpan.FromSeconds(1));
            Assert.Equal((DeferredJobState.Succeeded, "report q4", 1), (done.State, done.Result, done.Attempts));
        }

        Assert.Equal(new AgentIdentity("acme", "user-42") + "/High", ranAs);
        await using PostgresDeferredJobStore third = await OpenAsync();
        DeferredJob kept = (await third.GetAsync(id))!;
        Assert.Equal(DeferredJobState.Succeeded, kept.State);
        Assert.NotNull(kept.FinishedAt);
    }

    [Fact]
    public async Task Two_hosts_never_run_the_same_job_twice()
    {
        const int Jobs = 200;
        var runs = new ConcurrentDictionary<Guid, int>();
        Task<string?> Handle(DeferredJob job, CancellationToken _)
        {
            runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            return Task.FromResult<string?>(null);
        }

        await using PostgresDeferredJobStore storeA = await OpenAsync();
        await using PostgresDeferredJobStore storeB = await OpenAsync();
        using QuotaGate gateA = Gate();
        using QuotaGate gateB = Gate();
        DeferredJobRunner hostA = Runner(gateA, storeA, Handle);
        DeferredJobRunner hostB = Runner(gateB, storeB, Handle);
        using (gateA.BeginRun(Acme))
        {
            for (int i = 0; i < Jobs; i++)
            {
                await hostA.DeferAsync("report", "job-" + i, 1);
            }
        }

        using var start = new Barrier(4);
        Task<int>[] workers =
        [
            Task.Run(() => { start.SignalAndWait(); return hostA.RunDueAsync(); }),
            Task.Run(() => { start.SignalAndWait(); return hostA.RunDueAsync(); }),
            Task.Run(() => { start.SignalAndWait(); return hostB.RunDueAsync(); }),
            Task.Run(() => { start.SignalAndWait(); return hostB.RunDueAsync(); }),
        ];
        int[] claimed = await Task.WhenAll(workers);

        Assert.Equal(Jobs, claimed.Sum());
        Assert.Equal(Jobs, runs.Count);
        Assert.All(runs, r => Assert.Equal(1, r.Value));
        Assert.Equal(Jobs, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM agentquotas.deferred_jobs WHERE state = 3 AND attempts = 1"));
    }

    [Fact]
    public async Task A_lost_claim_is_retried_once_its_lease_runs_out_and_a_job_lost_while_running_is_failed_not_rerun()
    {
        await using PostgresDeferredJobStore store = await OpenAsync();
        using QuotaGate gate = Gate();
        int ran = 0;
        DeferredJobRunner runner = Runner(gate, store, (_, _) => { Interlocked.Increment(ref ran); return Task.FromResult<string?>("ok"); });
        DeferredJobHandle retried, lostRunning;
        using (gate.BeginRun(Acme))
        {
            retried = await runner.DeferAsync("report", "a", 1);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            lostRunning = await runner.DeferAsync("report", "b", 1);
        }

        // Two workers are lost: one after claiming the first job, one after starting the second.
        DeferredJobClaim lost = (await store.TryClaimAsync(_time.GetUtcNow(), TimeSpan.FromMinutes(5)))!.Value;
        Assert.Equal(retried.Id, lost.Job.Id);
        DeferredJobClaim running = (await store.TryClaimAsync(_time.GetUtcNow(), TimeSpan.FromMinutes(5)))!.Value;
        Assert.True(await store.TryStartAsync(running.Job.Id, running.Token, _time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Null(await store.TryClaimAsync(_time.GetUtcNow(), TimeSpan.FromMinutes(5)));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await runner.RunDueAsync());

        DeferredJob done = await retried.PollAsync();
        Assert.Equal((DeferredJobState.Succeeded, 2), (done.State, done.Attempts));
        DeferredJob failed = await lostRunning.PollAsync();
        Assert.Equal(DeferredJobState.Failed, failed.State);
        Assert.Equal(InMemoryDeferredJobStore.LostWhileRunning, failed.Error);
        Assert.Equal(1, ran);
        Assert.False(await store.TryStartAsync(lost.Job.Id, lost.Token, _time.GetUtcNow(), TimeSpan.FromMinutes(1)));
        Assert.False(await store.TryFinishAsync(running.Job.Id, running.Token, DeferredJobState.Succeeded, "late", null, _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_refused_job_waits_until_the_refusals_RetryAfter_and_a_duplicate_id_is_refused()
    {
        await using PostgresDeferredJobStore store = await OpenAsync();
        using QuotaGate gate = Gate(capacity: 1);
        DeferredJobRunner runner = Runner(gate, store, (_, _) => Task.FromResult<string?>("ok"));
        DeferredJobHandle handle;
        using (AgentRun run = gate.BeginRun(Acme))
        {
            Assert.True(run.Acquire(Report, 1).IsAdmitted);
            handle = await runner.DeferAsync("report", "q4", 1);
        }

        Assert.Equal(1, await runner.RunDueAsync());
        DeferredJob waiting = await handle.PollAsync();
        Assert.Equal((DeferredJobState.Pending, 1), (waiting.State, waiting.Attempts));
        Assert.True(waiting.NotBefore > _time.GetUtcNow());
        Assert.Equal(0, await runner.RunDueAsync());

        InvalidOperationException duplicate = await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.AddAsync(waiting));
        Assert.Contains(handle.Id.ToString(), duplicate.Message);
    }
}
