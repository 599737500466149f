using AgentQuotas.Audit;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using CsCheck;

namespace AgentQuotas.Tests.Runs;

/// <summary>
/// Property: however many threads race to complete or fail copies of the same tickets, each ticket settles
/// exactly once: one racer wins, every other is told so, and the bucket, the run's cost, the compute pool
/// and the audit trail all show exactly the winners' settlements.
/// </summary>
public sealed class TicketSettlementPropertyTests
{
    private const double Capacity = 10_000;
    private static readonly QuotaTool Search = new("search_kb", "search");

    private enum Settlement
    {
        CompletePlanned,
        CompleteActual,
        Fail,
    }

    private sealed record TicketPlan(double Planned, double Actual, Settlement[] Racers);

    private static readonly Gen<TicketPlan[]> Scenarios =
        Gen.Select(Gen.Int[1, 20], Gen.Int[0, 30], Gen.Enum<Settlement>().Array[2, 5], (planned, actual, racers) => new TicketPlan(planned, actual, racers))
           .Array[1, 6];

    [Fact]
    public void Racing_copies_of_tickets_settle_each_ticket_exactly_once()
    {
        Scenarios.Sample(RunScenario, seed: "0AgentQuota1", iter: 300, threads: 1);
    }

    private static void RunScenario(TicketPlan[] plans)
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(
            TestPolicies.Simple(capacity: Capacity, refill: 1, extra: "\"pools\": { \"shared\": { \"concurrency\": 8 } }"),
            TestTime.Create(),
            o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "user-1"));
        QuotaTicket[] tickets = plans.Select(p => run.Acquire(Search, p.Planned)).ToArray();
        Assert.All(tickets, t => Assert.True(t.IsAdmitted));

        int[] winners = Enumerable.Repeat(-1, plans.Length).ToArray(); // the Settlement of each ticket's winner
        int doubleWins = 0;
        int refusals = 0;
        using var start = new ManualResetEventSlim();
        var threads = new List<Thread>();
        for (int i = 0; i < plans.Length; i++)
        {
            for (int r = 0; r < plans[i].Racers.Length; r++)
            {
                int ticket = i;
                Settlement how = plans[i].Racers[r];
                QuotaTicket copy = tickets[i];           // every racer holds its own copy of the value
                threads.Add(new Thread(() =>
                {
                    start.Wait();
                    try
                    {
                        switch (how)
                        {
                            case Settlement.CompletePlanned: copy.Complete(); break;
                            case Settlement.CompleteActual: copy.Complete(plans[ticket].Actual); break;
                            default: copy.Fail(new TimeoutException()); break;
                        }

                        if (Interlocked.CompareExchange(ref winners[ticket], (int)how, -1) != -1)
                        {
                            Interlocked.Increment(ref doubleWins); // a second racer settled the same ticket
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref refusals);
                    }
                }));
            }
        }

        threads.ForEach(t => t.Start());
        start.Set();
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "a racer never finished");
        }

        Assert.Equal(0, doubleWins);
        Assert.All(winners, w => Assert.NotEqual(-1, w));
        Assert.Equal(plans.Sum(p => p.Racers.Length) - plans.Length, refusals);

        double charged = plans.Select((p, i) => winners[i] == (int)Settlement.CompleteActual ? p.Actual : p.Planned).Sum();
        BucketLimits limits = gate.Policy.Tiers["standard"].Categories["search"].Limits;
        Assert.Equal(Capacity - charged, gate.Store.Peek(new BucketKey("acme", "search"), limits).Available, 6);
        Assert.Equal(charged, run.CostSpent, 6);
        Assert.Equal(0, gate.GetPoolStatistics().Single().InUse);
        IReadOnlyList<QuotaAuditRecord> records = audit.Snapshot();
        Assert.Equal(winners.Count(w => w == (int)Settlement.Fail), records.Count(r => r.Decision == AuditDecision.Failed));
        Assert.Equal(winners.Count(w => w != (int)Settlement.Fail), records.Count(r => r.Decision == AuditDecision.Completed));
    }
}
