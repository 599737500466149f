using AgentQuotas.Audit;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Scheduling;

// Scheduling must cost nothing when there is nothing to schedule: no queue, no pool, breakers closed.
[Collection(ProcessWideTelemetryCollection.Name)]
public class FastPathTests
{
    private static readonly QuotaTool Search = new("search_kb", "search");

    [Fact]
    public async Task An_uncontended_admitted_call_allocates_nothing_on_the_sync_and_async_paths()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1_000_000, refill: 1_000_000), time,
            o => o.AuditSink = new InMemoryAuditSink(capacity: 16));
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));

        // Warm up (first bucket, first audit ring slots, JIT).
        for (int i = 0; i < 100; i++)
        {
            run.Acquire(Search, 1).Complete();
            (await run.AcquireAsync(Search, 1)).Complete();
        }

        // The least of a few rounds: the runtime itself (tiered JIT) may allocate on this thread now and then.
        long sync = long.MaxValue, async = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                QuotaTicket ticket = run.Acquire(Search, 1);
                ticket.Complete();
            }

            sync = Math.Min(sync, GC.GetAllocatedBytesForCurrentThread() - before);

            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                ValueTask<QuotaTicket> pending = run.AcquireAsync(Search, 1);
                Assert.True(pending.IsCompletedSuccessfully);
                (await pending).Complete(); // completed: continues synchronously, on this thread
            }

            async = Math.Min(async, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, sync);
        Assert.Equal(0, async);
        Assert.Equal(0, gate.BucketQueues.QueueCount); // nothing was queued, so no queue was created
    }
}
