using AgentQuotas.Policy;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres.Tests;

/// <summary>Issue 16 on the shared store: revocation and per-principal buckets, decided in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TrustTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly AgentIdentity Alice = new("acme", "alice");
    private static readonly AgentIdentity Bob = new("acme", "bob");

    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("trust");

    public Task DisposeAsync() => Task.CompletedTask;

    // Refill so slow (one unit per 1,000 s) that the database clock cannot refill anything during a test.
    private static QuotaPolicy Policy(string extra) => QuotaPolicy.Parse($$"""
        { "version": "v1", "defaultTier": "t", "degradation": ["Full"],
          "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.001 } }{{extra}} } } }
        """);

    [Fact]
    public async Task A_revoked_principal_is_refused_while_the_tenants_other_principals_run()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t", "degradation": ["Full"], "revoked": { "principals": { "acme": ["alice"] } },
              "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.001 } } } } }
            """);
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        await using var gate = new QuotaGate(policy, new QuotaGateOptions { Store = store });

        QuotaDecision alice = await gate.AcquireAsync(new QuotaRequest(Alice, Search, 1));
        QuotaDecision bob = await gate.AcquireAsync(new QuotaRequest(Bob, Search, 1));

        Assert.Equal(QuotaReason.Revoked, alice.Reason);
        Assert.True(bob.IsAdmitted);
        Assert.Equal(9, (await store.PeekAsync(new BucketKey("acme", "search"), policy.Tiers["t"].Categories["search"].Limits)).Available, 2);
    }

    [Fact]
    public async Task A_principal_share_is_enforced_by_the_shared_store_across_hosts()
    {
        QuotaPolicy policy = Policy(", \"principal\": { \"share\": 0.4, \"maxCostPerDay\": 100 }");
        await using PostgresQuotaStore storeA = await TestSupport.OpenStoreAsync(_db);
        await using PostgresQuotaStore storeB = await TestSupport.OpenStoreAsync(_db);
        await using var hostA = new QuotaGate(policy, new QuotaGateOptions { Store = storeA });
        await using var hostB = new QuotaGate(policy, new QuotaGateOptions { Store = storeB });

        Assert.True((await hostA.AcquireAsync(new QuotaRequest(Alice, Search, 2))).IsAdmitted);
        Assert.True((await hostB.AcquireAsync(new QuotaRequest(Alice, Search, 2))).IsAdmitted);  // alice's 4 of 4, over two hosts
        QuotaDecision refused = await hostA.AcquireAsync(new QuotaRequest(Alice, Search, 1));
        QuotaDecision bob = await hostB.AcquireAsync(new QuotaRequest(Bob, Search, 4));

        Assert.Equal(QuotaReason.PrincipalLimit, refused.Reason);
        Assert.True(bob.IsAdmitted);
        // The tenant's bucket holds 10 - 4 - 4 = 2: alice's refused unit was given back.
        Assert.Equal(2, (await storeA.PeekAsync(new BucketKey("acme", "search"), policy.Tiers["t"].Categories["search"].Limits)).Available, 2);
    }
}
