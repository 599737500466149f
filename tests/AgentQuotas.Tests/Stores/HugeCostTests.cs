using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Stores;

/// <summary>
/// A cost reported after the fact can be absurd (a model reporting 1e13 output tokens). It must leave the
/// bucket in debt, saturated at the deepest debt a bucket can owe, never wrap the tick arithmetic into a
/// full bucket.
/// </summary>
public sealed class HugeCostTests : IDisposable
{
    private const double Capacity = 1000;
    private const double Refill = 5;
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Chat = new("chat", "tokens");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly QuotaGate _gate;

    public HugeCostTests()
    {
        _gate = TestPolicies.Gate(TestPolicies.Simple(capacity: Capacity, refill: Refill, category: "tokens"), _time);
    }

    public void Dispose() => _gate.Dispose();

    private BucketLimits Limits => _gate.Policy.Tiers["standard"].Categories["tokens"].Limits;

    // The deepest a charge after the fact can take a bucket: 100,000,000 s of refill below empty.
    private static double DeepestLevel => -Refill * 100_000_000;

    [Fact]
    public void RecordUsage_of_1e13_leaves_the_bucket_in_saturated_debt_and_later_calls_are_refused()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaDecision usage = run.RecordUsage(Chat, 1e13);
        Assert.True(usage.IsAdmitted);

        double level = _gate.Store.Peek(new BucketKey("acme", "tokens"), Limits).Available;
        Assert.Equal(DeepestLevel, level, 3);
        int admitted = 0;
        for (int i = 0; i < 1000; i++)
        {
            QuotaTicket t = run.Acquire(Chat, 1);
            if (t.IsAdmitted)
            {
                admitted++;
                t.Complete();
            }
            else
            {
                Assert.Equal(QuotaReason.BucketExhausted, t.Decision.Reason);
            }
        }

        Assert.Equal(0, admitted);
        Assert.Equal(QuotaReason.BucketExhausted, run.CheckUsageBudget(Chat).Reason);
    }

    [Fact]
    public void Complete_with_an_actual_cost_of_1e13_saturates_and_never_wraps()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(Chat, 10);
        Assert.True(ticket.IsAdmitted);
        ticket.Complete(actualCost: 1e13);

        Assert.Equal(DeepestLevel, _gate.Store.Peek(new BucketKey("acme", "tokens"), Limits).Available, 3);
        QuotaTicket next = run.Acquire(Chat, 1);
        Assert.False(next.IsAdmitted);
        Assert.Equal(QuotaReason.BucketExhausted, next.Decision.Reason);
        Assert.True(next.Decision.RetryAfter > TimeSpan.FromDays(365), $"retry after {next.Decision.RetryAfter}");
    }

    [Fact]
    public void Repeated_huge_charges_stay_saturated_and_the_debt_is_paid_off_by_refill_at_the_normal_rate()
    {
        var time = TestTime.Create();
        using var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });
        var key = new BucketKey("acme", "tokens");
        for (int i = 0; i < 20_000; i++)
        {
            store.Settle(key, Limits, double.MaxValue / 2);
        }

        Assert.Equal(DeepestLevel, store.Peek(key, Limits).Available, 3);

        // Paying the debt back takes its refill time, no more: after 1e8 s the bucket is empty again, then it fills.
        time.Advance(TimeSpan.FromSeconds(100_000_000));
        Assert.Equal(0, store.Peek(key, Limits).Available, 3);
        time.Advance(TimeSpan.FromSeconds(Capacity / Refill));
        Assert.Equal(Capacity, store.Peek(key, Limits).Available, 3);
    }
}
