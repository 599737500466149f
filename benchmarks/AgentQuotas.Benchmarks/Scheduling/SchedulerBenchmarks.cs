using AgentQuotas.Policy;
using AgentQuotas.Testing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Benchmarks.Scheduling;

/// <summary>
/// Benchmark 4: the priority queue of one exhausted bucket with 10,000 waiters spread over the four
/// workload classes (2,500 each), on virtual time. <c>Enqueue</c>: 10,000 async acquires that each join
/// the queue (a Queued audit record each). <c>Dequeue</c>: the clock moves on so the bucket refills, the
/// queue grants all 10,000 in priority order, and every waiter's decision is awaited. Times are per waiter.
/// </summary>
public class SchedulerBenchmarks
{
    private const int Waiters = 10_000;
    private static readonly WorkloadClass[] Classes = [WorkloadClass.Critical, WorkloadClass.High, WorkloadClass.Standard, WorkloadClass.Batch];
    private readonly QuotaTool _tool = new("QueuedTool", "search");
    private QuotaPolicy _policy = null!;
    private FakeTimeProvider _time = null!;
    private QuotaGate _gate = null!;
    private QuotaRequest[] _requests = null!;
    private Task<QuotaDecision>[] _pending = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 10 units/s: 10,000 units arrive in 1,000 s of virtual time. Each class may queue all of its waiters.
        _policy = QuotaPolicy.Parse("""
            {
              "version": "bench-queue",
              "tiers": { "t": { "categories": { "search": { "capacity": 10000, "refillPerSecond": 10 } } } },
              "defaultTier": "t",
              "classes": {
                "Critical": { "queueLimit": 10000 }, "High": { "queueLimit": 10000 },
                "Standard": { "queueLimit": 10000 }, "Batch": { "queueLimit": 10000 }
              },
              "aging": { "promoteAfter": "00:01:00" },
              "degradation": ["Full", "Queued"]
            }
            """);
        _requests = Enumerable.Range(0, Waiters)
            .Select(i => new QuotaRequest(new AgentIdentity("acme", "caller-" + i), _tool, 1, Classes[i % Classes.Length]))
            .ToArray();
        _pending = new Task<QuotaDecision>[Waiters];
    }

    [IterationSetup(Target = nameof(Enqueue))]
    public void SetupEnqueue() => Exhausted();

    [IterationSetup(Target = nameof(Dequeue))]
    public void SetupDequeue()
    {
        Exhausted();
        Enqueue();
    }

    [IterationCleanup]
    public void CleanupIteration()
    {
        // Ends the waits still pending (the enqueue benchmark's) and waits until every one has ended, so
        // none of that work overlaps the next measured iteration.
        _gate.Dispose();
        foreach (Task<QuotaDecision> task in _pending)
        {
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Benchmark(OperationsPerInvoke = Waiters, Description = "enqueue: 10,000 async acquires join the queue (per waiter)")]
    public int Enqueue()
    {
        for (int i = 0; i < Waiters; i++)
        {
            ValueTask<QuotaDecision> pending = _gate.AcquireAsync(_requests[i]);
            if (pending.IsCompleted)
            {
                throw new InvalidOperationException("A request was decided without queueing.");
            }

            _pending[i] = pending.AsTask();
        }

        return _gate.QueuedCount;
    }

    [Benchmark(OperationsPerInvoke = Waiters, Description = "dequeue: refill, grant all 10,000 by priority, await each (per waiter)")]
    public int Dequeue()
    {
        _time.Advance(TimeSpan.FromSeconds(Waiters / 10.0));
        int admitted = 0;
        foreach (Task<QuotaDecision> task in _pending)
        {
            admitted += task.GetAwaiter().GetResult().IsAdmitted ? 1 : 0;
        }

        if (admitted != Waiters)
        {
            throw new InvalidOperationException($"{admitted} of {Waiters} waiters were admitted.");
        }

        return admitted;
    }

    private void Exhausted()
    {
        _time = TestTime.Create();
        _gate = new QuotaGate(_policy, new QuotaGateOptions { TimeProvider = _time, DefaultQueueLimit = Waiters });
        if (!_gate.TryAcquire(new QuotaRequest(new AgentIdentity("acme", "drain"), _tool, 10_000)).IsAdmitted)
        {
            throw new InvalidOperationException("Could not empty the bucket.");
        }
    }
}
