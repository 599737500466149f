using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Scheduling;

/// <summary>
/// A store that admits without knowing the bucket's level (a PostgreSQL store failing open answers
/// Remaining = NaN) must be served through the bucket queue like any admission: the queue cannot protect
/// reserves it cannot see, and must never spin re-arming its timer.
/// </summary>
public sealed class StoreWithoutLevelTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly TimerCountingTimeProvider _time = new();

    // Reserved shares send every call through the bucket queue.
    private const string Shares = "\"classes\": { \"Critical\": { \"reservedShare\": 0.2 }, \"Batch\": { \"reservedShare\": 0.1 } }";

    [Fact]
    public async Task Fail_open_admissions_through_the_queue_are_served_at_once()
    {
        var store = new FailingOpenStore();
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 10, refill: 1, extra: Shares), _time, o => o.Store = store);
        using AgentRun run = gate.BeginRun(Acme);
        for (int i = 0; i < 20; i++)
        {
            ValueTask<QuotaTicket> pending = run.AcquireAsync(Search, 1);
            Assert.True(pending.IsCompleted, $"call {i} waits on a store that admitted it");
            QuotaTicket ticket = await pending;
            Assert.True(ticket.IsAdmitted);
            ticket.Complete();
        }

        Assert.True(run.Acquire(Search, 1).IsAdmitted);    // the synchronous path too
        Assert.Equal(0, gate.QueuedCount);
        Assert.Equal(0, _time.ActiveTimers);               // nothing re-armed
        Assert.Equal(21, store.Acquires);                  // one store call per decision, no retries
        Assert.Equal(0, store.Refunds);                    // nothing taken and given back
    }

    [Fact]
    public async Task Waiters_time_out_at_their_deadline_while_the_store_is_slow_to_answer_for_the_head()
    {
        // A remote store can take up to its timeouts to answer (a server that stopped responding); the queue must
        // not hold every waiter past its maxQueueWait meanwhile. This is why LocalFallback with queueing saw calls
        // wait far longer than their class allows.
        var store = new SlowStore(new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = _time, EvictionInterval = Timeout.InfiniteTimeSpan }));
        using QuotaGate gate = PriorityQueueTests.Gate(
            TestPolicies.Simple(capacity: 10, refill: 1, extra: "\"classes\": { \"Standard\": { \"maxQueueWait\": \"00:00:02\" } }"), _time, o => o.Store = store);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.Acquire(Search, 10).IsAdmitted);
        ValueTask<QuotaTicket> first = run.AcquireAsync(Search, 1);    // 1 s away
        ValueTask<QuotaTicket> second = run.AcquireAsync(Search, 1);   // 2 s away: within its 2 s maximum
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        store.Hold = true;                                                // the server stops answering
        _time.Advance(TimeSpan.FromSeconds(1));                           // the pump asks the store for the first waiter
        Assert.Equal(1, store.Held);
        _time.Advance(TimeSpan.FromSeconds(1.5));                         // both waiters are past their 2 s

        Assert.True(second.IsCompleted, "a waiter outlived its maxQueueWait while the store was slow");
        Assert.True(first.IsCompleted, "the waiter in flight outlived its maxQueueWait while the store was slow");
        Assert.Equal(QuotaReason.QueueTimeout, (await second).Decision.Reason);
        Assert.Equal(QuotaReason.QueueTimeout, (await first).Decision.Reason);

        store.Release();                                                  // the store admits the first, late: the units go back
        Assert.Equal(0, gate.QueuedCount);
        BucketLimits limits = gate.Policy.Tiers["standard"].Categories["search"].Limits;
        Assert.Equal(2.5, gate.Store.Peek(new BucketKey("acme", "search"), limits).Available, 6);
    }

    /// <summary>Answers from memory, or holds every answer (as a server that stopped responding would) until released.</summary>
    private sealed class SlowStore(InMemoryQuotaStore inner) : IQuotaStore
    {
        private readonly List<(QuotaStoreRequest Request, TaskCompletionSource<QuotaStoreResult> Answer)> _held = [];

        public bool Hold { get; set; }

        public int Held => _held.Count;

        public QuotaStoreResult TryAcquire(in QuotaStoreRequest request) => inner.TryAcquire(request);

        public ValueTask<QuotaStoreResult> TryAcquireAsync(QuotaStoreRequest request, CancellationToken cancellationToken = default)
        {
            if (!Hold)
            {
                return new ValueTask<QuotaStoreResult>(inner.TryAcquire(request));
            }

            var answer = new TaskCompletionSource<QuotaStoreResult>();
            _held.Add((request, answer));
            return new ValueTask<QuotaStoreResult>(answer.Task);
        }

        public void Release()
        {
            Hold = false;
            foreach ((QuotaStoreRequest request, TaskCompletionSource<QuotaStoreResult> answer) in _held)
            {
                answer.SetResult(inner.TryAcquire(request));
            }

            _held.Clear();
        }

        public void Settle(in BucketKey key, BucketLimits limits, double delta) => inner.Settle(key, limits, delta);

        public BucketSnapshot Peek(in BucketKey key, BucketLimits limits) => inner.Peek(key, limits);

        public SpendSnapshot GetSpend(string tenant) => inner.GetSpend(tenant);
    }

    /// <summary>Admits everything, reporting no level, as PostgresQuotaStore does in FailOpen mode.</summary>
    private sealed class FailingOpenStore : IQuotaStore
    {
        public int Acquires;
        public int Refunds;

        public QuotaStoreResult TryAcquire(in QuotaStoreRequest request)
        {
            Interlocked.Increment(ref Acquires);
            return new QuotaStoreResult(QuotaStoreOutcome.Admitted, double.NaN, detail: "admitted fail-open");
        }

        public void Settle(in BucketKey key, BucketLimits limits, double delta)
        {
            if (delta < 0)
            {
                Interlocked.Increment(ref Refunds);
            }
        }

        public BucketSnapshot Peek(in BucketKey key, BucketLimits limits) => new(double.NaN, double.NaN, double.NaN);

        public SpendSnapshot GetSpend(string tenant) => default;
    }
}
