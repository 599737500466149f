using System.Collections.Concurrent;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Scheduling;

// Acquire, cancel, complete and fail from several threads at once, with the clock moving on another,
// against queues, reserved shares, aging and pools in production mode (grants complete on the thread
// pool). Each worker's operations come from a seeded random source, so a failing seed can be replayed;
// the invariants are checked after every run.
public class InterleavingTests
{
    private const int Capacity = 40;
    private const int Refill = 200;
    private const string PolicyJson = """
        {
          "version": "interleaving",
          "tiers": { "t": { "categories": { "work": { "capacity": 40, "refillPerSecond": 200 } } } },
          "defaultTier": "t",
          "classes": {
            "Critical": { "reservedShare": 0.2, "maxQueueWait": "00:00:01" },
            "High":     { "maxQueueWait": "00:00:01", "queueLimit": 20 },
            "Standard": { "maxQueueWait": "00:00:01" },
            "Batch":    { "reservedShare": 0.1, "maxQueueWait": "00:00:02" }
          },
          "aging": { "promoteAfter": "00:00:00.2" },
          "pools": { "interactive": { "concurrency": 2, "classes": ["Critical", "High"] }, "shared": { "concurrency": 3 } },
          "circuitBreaker": { "failureThreshold": 1000 }
        }
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Concurrent_acquire_cancel_and_release_keep_every_invariant(int seed)
    {
        const int Workers = 4, OpsPerWorker = 400;
        var time = TestTime.Create();
        var audit = new InMemoryAuditSink(capacity: 1_000_000);
        using var gate = new QuotaGate(QuotaPolicy.Parse(PolicyJson), new QuotaGateOptions { TimeProvider = time, AuditSink = audit });
        string[] tenants = ["a", "b", "c"];
        var runs = new ConcurrentDictionary<(string, WorkloadClass), AgentRun>();
        foreach (string tenant in tenants)
        {
            foreach (WorkloadClass c in Enum.GetValues<WorkloadClass>())
            {
                runs[(tenant, c)] = Open(gate, tenant, c);
            }
        }

        var tool = new QuotaTool("work", "work");
        var pending = new ConcurrentBag<(Task<QuotaTicket> Task, CancellationTokenSource? Cts)>();
        long started = 0, cancelledByCaller = 0, poolViolations = 0, clockSteps = 0;
        int running = Workers;

        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            var random = new Random((seed * 1000) + w);
            var mine = new List<(Task<QuotaTicket> Task, CancellationTokenSource? Cts)>();
            var held = new List<QuotaTicket>();
            for (int op = 0; op < OpsPerWorker; op++)
            {
                int roll = random.Next(100);
                if (roll < 50)
                {
                    AgentRun run = runs[(tenants[random.Next(tenants.Length)], (WorkloadClass)random.Next(4))];
                    CancellationTokenSource? cts = random.Next(3) == 0 ? new CancellationTokenSource() : null;
                    Task<QuotaTicket> acquiring = run.AcquireAsync(tool, 1 + random.Next(5), cts?.Token ?? default).AsTask();
                    Interlocked.Increment(ref started);
                    mine.Add((acquiring, cts));
                    pending.Add((acquiring, cts));
                }
                else if (roll < 65 && mine.Count > 0)
                {
                    (Task<QuotaTicket> _, CancellationTokenSource? cts) = mine[random.Next(mine.Count)];
                    if (cts is not null && !cts.IsCancellationRequested)
                    {
                        cts.Cancel();
                        Interlocked.Increment(ref cancelledByCaller);
                    }
                }
                else if (roll < 85)
                {
                    foreach (var done in mine.Where(p => p.Task.IsCompletedSuccessfully).ToList())
                    {
                        mine.Remove(done);
                        if (done.Task.Result.IsAdmitted)
                        {
                            held.Add(done.Task.Result);
                        }
                    }
                }
                else if (held.Count > 0)
                {
                    int i = random.Next(held.Count);
                    QuotaTicket ticket = held[i];
                    held.RemoveAt(i);
                    if (random.Next(4) == 0)
                    {
                        ticket.Fail(new TimeoutException("interleaving"));
                    }
                    else
                    {
                        // Actual costs at or above plan: extra charges may put a bucket in debt, which later
                        // admissions must wait out (refunds are covered by the single-threaded tests).
                        ticket.Complete(random.Next(2) == 0 ? null : ticket.Decision.Cost + random.Next(3));
                    }
                }

                if (op % 50 == 0)
                {
                    // Let the clock move at least once between checkpoints, however the threads are
                    // scheduled: without this a fast worker could finish before the clock thread ran.
                    long seen = Volatile.Read(ref clockSteps);
                    SpinWait.SpinUntil(() => Volatile.Read(ref clockSteps) > seen);
                }
            }

            foreach (QuotaTicket ticket in held)
            {
                ticket.Complete();
            }

            Interlocked.Decrement(ref running);
        })).ToList();

        var clock = new Thread(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                Interlocked.Increment(ref clockSteps);
                foreach (var pool in gate.GetPoolStatistics())
                {
                    if (pool.InUse > pool.Concurrency)
                    {
                        Interlocked.Increment(ref poolViolations);
                    }
                }

                Thread.Yield();
            }
        });

        clock.Start();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        clock.Join();

        // Wind down: every wait must end (granted, timed out or cancelled) once time moves on; admitted
        // tickets that no worker collected are completed here.
        foreach ((Task<QuotaTicket> _, CancellationTokenSource? cts) in pending)
        {
            cts?.Cancel();
        }

        // Grants complete on the thread pool, and a granted bucket wait may start a pool-slot wait with a
        // deadline of its own, so virtual time keeps moving until every wait has ended. Every wait has a
        // virtual deadline, so only a lost wake-up can keep one open: the wall-clock limit guards a hang.
        var all = pending.ToArray();
        var windDown = System.Diagnostics.Stopwatch.StartNew();
        while (!all.All(p => p.Task.IsCompleted) && windDown.Elapsed < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(Task.WhenAll(all.Select(p => p.Task)), Task.Delay(20));
        }

        Assert.True(all.All(p => p.Task.IsCompleted), $"{all.Count(p => !p.Task.IsCompleted)} waits never ended (lost wake-up)");
        long admitted = 0, denied = 0, cancelled = 0;
        foreach ((Task<QuotaTicket> task, _) in all)
        {
            if (task.IsCanceled || task.IsFaulted)
            {
                Assert.True(task.IsCanceled || task.Exception!.InnerException is OperationCanceledException, task.Exception?.ToString());
                cancelled++;
            }
            else if ((await task).IsAdmitted)
            {
                admitted++;
                try
                {
                    (await task).Complete(); // tickets no worker collected
                }
                catch (InvalidOperationException)
                {
                    // A worker completed it: a ticket settles once, and a second completion frees nothing.
                }
            }
            else
            {
                denied++;
            }
        }

        // Every acquisition ended exactly one way; nothing waits; every slot is free.
        Assert.Equal(started, admitted + denied + cancelled);
        Assert.True(cancelled <= cancelledByCaller + all.Count(p => p.Cts is not null));
        Assert.Equal(0, gate.QueuedCount);
        Assert.All(gate.GetPoolStatistics(), p => Assert.Equal(0, p.InUse));
        Assert.Equal(0, poolViolations);
        Assert.True(admitted > 0 && denied + cancelled > 0, "the run did not contend");
        Assert.True(clockSteps >= OpsPerWorker / 50, $"the clock moved {clockSteps} times while the workers ran");

        // Run reservations of refused and cancelled calls were released: each run counts only its admissions.
        QuotaAuditRecord[] records = audit.Snapshot().ToArray();
        Assert.Equal(0, audit.DroppedCount);
        Assert.Equal(admitted, records.Count(r => r.Decision == AuditDecision.Admitted && r.Tool == "work"));
        Assert.Equal(admitted, runs.Values.Sum(r => (long)r.ToolCalls));

        // Over-admission is 0: per tenant, the units admitted up to any moment never exceed capacity + refill
        // x elapsed. (An admission's audit record is written after its units were taken, so its timestamp is
        // never early; completions only ever charged extra here, which can only lower what is admitted.)
        DateTimeOffset start = TestTime.Create().GetUtcNow();
        foreach (string tenant in tenants)
        {
            decimal admittedUnits = 0;
            foreach (QuotaAuditRecord record in records.Where(r => r.Tenant == tenant && r.Tool == "work" && r.Decision == AuditDecision.Admitted).OrderBy(r => r.Timestamp))
            {
                admittedUnits += (decimal)record.PlannedCost;
                decimal supplied = Capacity + (Refill * (decimal)(record.Timestamp - start).Ticks / TimeSpan.TicksPerSecond);
                Assert.True(admittedUnits <= supplied, $"tenant {tenant} was admitted {admittedUnits} units by {record.Timestamp:O}, more than the {supplied} supplied");
            }
        }
    }

    private static AgentRun Open(QuotaGate gate, string tenant, WorkloadClass c)
    {
        AgentRun? run = null;
        using (ExecutionContext.SuppressFlow())
        {
            var thread = new Thread(() => run = gate.BeginRun(new AgentIdentity(tenant, "worker"), c));
            thread.Start();
            thread.Join();
        }

        return run!;
    }
}
