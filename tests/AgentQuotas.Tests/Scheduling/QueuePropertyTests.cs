using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using CsCheck;

namespace AgentQuotas.Tests.Scheduling;

/// <summary>
/// Property: whatever waiters arrive (classes, costs, some cancelled while they wait) and however time moves,
/// every waiter ends exactly once (admitted, refused or cancelled) within its class's maximum queue wait, with
/// one decision on the audit record that matches what it got; nothing stays queued, and what was admitted fits
/// what the bucket supplied.
/// </summary>
public sealed class QueuePropertyTests
{
    private const int Capacity = 20;
    private const int Refill = 2;
    private static readonly AgentIdentity Acme = new("acme", "user-1");

    private sealed record Waiter(long ArrivalMilliseconds, WorkloadClass Class, int Cost, long? CancelAfterMilliseconds);

    private static readonly Gen<Waiter[]> Scenarios =
        Gen.Select(
            Gen.Long[0, 2_000],
            Gen.Enum<WorkloadClass>(),
            Gen.Int[1, 12],
            Gen.Long[1, 20_000].Nullable(0.7),
            (arrival, c, cost, cancel) => new Waiter(arrival, c, cost, cancel)).Array[1, 40];

    [Fact]
    public async Task Every_waiter_ends_exactly_once_within_its_bound()
    {
        await Scenarios.SampleAsync(RunAsync, seed: "0QueueProp01", iter: 150, threads: 1);
    }

    private static async Task RunAsync(Waiter[] waiters)
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: Capacity, refill: Refill,
            extra: "\"classes\": { \"Critical\": { \"reservedShare\": 0.2, \"maxQueueWait\": \"00:00:05\" }, \"Batch\": { \"maxQueueWait\": \"00:00:30\" } }");
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time, o => o.AuditSink = audit);
        var endings = new int[waiters.Length];
        var outcomes = new Task<QuotaDecision?>[waiters.Length];
        var cancellations = new List<CancellationTokenSource>();
        for (int i = 0; i < waiters.Length; i++)
        {
            Waiter w = waiters[i];
            time.Advance(TimeSpan.FromMilliseconds(w.ArrivalMilliseconds));
            // Cancelled when the fake clock reaches the waiter's deadline.
            CancellationTokenSource cts = w.CancelAfterMilliseconds is long after
                ? new CancellationTokenSource(TimeSpan.FromMilliseconds(after), time)
                : new CancellationTokenSource();
            cancellations.Add(cts);

            int index = i;
            outcomes[i] = End(gate.AcquireAsync(new QuotaRequest(Acme, new QuotaTool("w" + i, "search"), w.Cost, w.Class), cts.Token), () => Interlocked.Increment(ref endings[index]));
        }

        // Past every class's bound (the default is one minute), in steps so grants and deadlines interleave.
        for (int s = 0; s < 70; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        QuotaDecision?[] results = await Task.WhenAll(outcomes).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(endings, e => Assert.Equal(1, e));
        Assert.Equal(0, gate.QueuedCount);
        double admitted = results.Where(r => r is { IsAdmitted: true }).Sum(r => r!.Value.Cost);
        Assert.True(admitted <= Capacity + (Refill * time.Elapsed().TotalSeconds) + 1e-6, $"admitted {admitted}");

        // One decision on the record per waiter, and it is the one the waiter got (a cancelled waiter may have none).
        ILookup<string, QuotaAuditRecord> decisions = audit.Snapshot()
            .Where(r => r.Decision is AuditDecision.Admitted or AuditDecision.Denied or AuditDecision.Degraded)
            .ToLookup(r => r.Tool);
        for (int i = 0; i < waiters.Length; i++)
        {
            QuotaAuditRecord[] recorded = [.. decisions["w" + i]];
            if (results[i] is QuotaDecision decision)
            {
                QuotaAuditRecord record = Assert.Single(recorded);
                Assert.Equal(decision.IsAdmitted, record.Decision == AuditDecision.Admitted);
            }
            else
            {
                Assert.True(recorded.Length <= 1, $"a cancelled waiter has {recorded.Length} decisions on record");
                Assert.All(recorded, r => Assert.Equal(QuotaReason.Cancelled, r.Reason));
            }
        }

        foreach (CancellationTokenSource cts in cancellations)
        {
            cts.Dispose();
        }
    }

    private static async Task<QuotaDecision?> End(ValueTask<QuotaDecision> pending, Action ended)
    {
        try
        {
            QuotaDecision decision = await pending.ConfigureAwait(false);
            ended();
            return decision;
        }
        catch (OperationCanceledException)
        {
            ended();
            return null;
        }
    }
}
