using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using AgentQuotas.Trust;

namespace AgentQuotas.Tests.Trust;

// The principal step (issue 16) on the gate's two paths: the synchronous path calls the store's synchronous API, the
// asynchronous path its asynchronous API (a PostgreSQL store's round trip then blocks no thread), and a principal
// refused there gives back exactly what the tenant's bucket took, through the asynchronous API too.
public sealed class PrincipalStoreCallTests
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly AgentIdentity Alice = new("acme", "alice");

    private static readonly QuotaPolicy Shared = QuotaPolicy.Parse("""
        { "version": "v1", "defaultTier": "t", "degradation": ["Full"],
          "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.001 } }, "principal": { "share": 0.3 } } } }
        """);

    private static BucketLimits TenantLimits => Shared.Tiers["t"].Categories["search"].Limits;

    private static string PrincipalKey => PrincipalLimits.KeyOf(Alice);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_async_path_takes_the_principals_units_through_the_stores_async_api(bool storeAnswersLater)
    {
        var time = TestTime.Create();
        var store = new RecordingStore(time, storeAnswersLater);
        using QuotaGate gate = TestPolicies.Gate(Shared, time, o => o.Store = store);

        QuotaDecision decision = await gate.AcquireAsync(new QuotaRequest(Alice, Search, 1));

        Assert.True(decision.IsAdmitted);
        Assert.Equal([("TryAcquireAsync", "acme"), ("TryAcquireAsync", PrincipalKey)], store.Calls);
        Assert.Equal(2, store.Peek(new(PrincipalKey, "search"), PrincipalLimits.ShapeOf(Shared.Tiers["t"].Principal!, Shared.Tiers["t"].Categories["search"])).Available, 6);
    }

    [Fact]
    public void The_sync_path_takes_the_principals_units_through_the_stores_sync_api()
    {
        var time = TestTime.Create();
        var store = new RecordingStore(time, answerLater: true);
        using QuotaGate gate = TestPolicies.Gate(Shared, time, o => o.Store = store);

        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);

        Assert.Equal([("TryAcquire", "acme"), ("TryAcquire", PrincipalKey)], store.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_principal_refused_on_the_async_path_gives_back_exactly_what_the_tenant_bucket_took(bool storeAnswersLater)
    {
        var time = TestTime.Create();
        var store = new RecordingStore(time, storeAnswersLater);
        using QuotaGate gate = TestPolicies.Gate(Shared, time, o => o.Store = store);
        Assert.True((await gate.AcquireAsync(new QuotaRequest(Alice, Search, 2))).IsAdmitted);  // alice's own bucket: 2 of 3
        store.Calls.Clear();

        QuotaDecision refused = await gate.AcquireAsync(new QuotaRequest(Alice, Search, 2.5));

        Assert.Equal(QuotaReason.PrincipalLimit, refused.Reason);
        Assert.Equal(
            [("TryAcquireAsync", "acme"), ("TryAcquireAsync", PrincipalKey), ("SettleAsync -2.5", "acme")],
            store.Calls);
        Assert.Equal(8, store.Peek(new("acme", "search"), TenantLimits).Available, 9);    // 10 - 2: the 2.5 came back, exactly
        Assert.Equal(1, store.Peek(new(PrincipalKey, "search"), PrincipalLimits.ShapeOf(Shared.Tiers["t"].Principal!, Shared.Tiers["t"].Categories["search"])).Available, 9);
    }

    [Fact]
    public async Task A_call_refused_after_the_principal_step_on_the_async_path_gives_both_buckets_back_through_the_async_api()
    {
        // The compute pool is full (concurrency 1, held by a run's ticket): the call is refused after its tenant's
        // and its principal's units were taken, and both are given back.
        var time = TestTime.Create();
        var store = new RecordingStore(time, answerLater: true);
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t", "degradation": ["Full"],
              "pools": { "only": { "concurrency": 1 } },
              "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.001 } }, "principal": { "share": 0.5 } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.Store = store);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "bob"));
        QuotaTicket holding = run.Acquire(Search, 1);
        Assert.True(holding.IsAdmitted);
        store.Calls.Clear();

        using AgentRun alice = gate.BeginRun(Alice);   // the pool serves runs only
        QuotaTicket refused = await alice.AcquireAsync(Search, 2);

        Assert.False(refused.IsAdmitted);
        Assert.Equal(QuotaReason.PoolExhausted, refused.Decision.Reason);
        Assert.Contains(("SettleAsync -2", "acme"), store.Calls);
        Assert.Contains(("SettleAsync -2", PrincipalKey), store.Calls);
        Assert.DoesNotContain(store.Calls, c => c.Method.StartsWith("Settle ", StringComparison.Ordinal));
        Assert.Equal(9, store.Peek(new("acme", "search"), policy.Tiers["t"].Categories["search"].Limits).Available, 9);
        holding.Complete();
    }

    /// <summary>An in-memory store that records which of its methods the gate calls, and may answer asynchronous calls later.</summary>
    private sealed class RecordingStore(TimeProvider time, bool answerLater) : IQuotaStore
    {
        private readonly InMemoryQuotaStore _inner = new(new InMemoryQuotaStoreOptions { TimeProvider = time, EvictionInterval = Timeout.InfiniteTimeSpan });

        public List<(string Method, string Tenant)> Calls { get; } = [];

        public QuotaStoreResult TryAcquire(in QuotaStoreRequest request)
        {
            Record("TryAcquire", request.Key);
            return _inner.TryAcquire(request);
        }

        public ValueTask<QuotaStoreResult> TryAcquireAsync(QuotaStoreRequest request, CancellationToken cancellationToken = default)
        {
            Record("TryAcquireAsync", request.Key);
            return answerLater ? Later(request) : new(_inner.TryAcquire(request));

            async ValueTask<QuotaStoreResult> Later(QuotaStoreRequest r)
            {
                await Task.Yield();
                return _inner.TryAcquire(r);
            }
        }

        public void Settle(in BucketKey key, BucketLimits limits, double delta)
        {
            Record("Settle " + delta.ToString(System.Globalization.CultureInfo.InvariantCulture), key);
            _inner.Settle(key, limits, delta);
        }

        public ValueTask SettleAsync(BucketKey key, BucketLimits limits, double delta, CancellationToken cancellationToken = default)
        {
            Record("SettleAsync " + delta.ToString(System.Globalization.CultureInfo.InvariantCulture), key);
            return answerLater ? Later() : Now();

            ValueTask Now()
            {
                _inner.Settle(key, limits, delta);
                return ValueTask.CompletedTask;
            }

            async ValueTask Later()
            {
                await Task.Yield();
                _inner.Settle(key, limits, delta);
            }
        }

        public BucketSnapshot Peek(in BucketKey key, BucketLimits limits) => _inner.Peek(key, limits);

        public SpendSnapshot GetSpend(string tenant) => _inner.GetSpend(tenant);

        private void Record(string method, BucketKey key)
        {
            lock (Calls)
            {
                Calls.Add((method, key.Tenant));
            }
        }
    }
}
