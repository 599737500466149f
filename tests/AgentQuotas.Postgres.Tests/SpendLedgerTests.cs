using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SpendLedgerTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private static readonly BucketLimits Roomy = new(capacity: 1_000_000, refillPerSecond: 1_000_000);
    private static readonly double[] Costs = [0.5, 1, 2.25, 3, 7, 9];
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("ledger");

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_spenders_on_four_hosts_and_two_categories_never_pass_the_daily_ceiling(bool leasing)
    {
        const double Ceiling = 1000;
        string tenant = leasing ? "spender-leased" : "spender";
        const double Fraction = 0.01;                      // with leasing, a slice is at most 10 units of the ceiling
        PostgresQuotaStore[] hosts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TestSupport.OpenStoreAsync(_db, o =>
        {
            o.EnableLeasing = leasing;
            o.LeaseFraction = Fraction;
        })));
        decimal admitted = 0;
        int refusedByCeiling = 0;
        var gate = new object();
        try
        {
            await Task.WhenAll(hosts.SelectMany((store, h) => Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var random = new Random((h * 10) + w);
                var key = new BucketKey(tenant, w % 2 == 0 ? "search" : "summaries");
                for (int i = 0; i < 120; i++)
                {
                    double cost = Costs[random.Next(Costs.Length)];
                    QuotaStoreResult result = await store.TryAcquireAsync(new QuotaStoreRequest(key, Roomy, cost, maxCostPerDay: Ceiling));
                    lock (gate)
                    {
                        admitted += result.IsAdmitted ? (decimal)cost : 0;
                        refusedByCeiling += result.Outcome == QuotaStoreOutcome.DailyCeilingReached ? 1 : 0;
                    }

                    Assert.True(result.IsAdmitted || result.Outcome == QuotaStoreOutcome.DailyCeilingReached, result.Outcome.ToString());
                }
            }))));

            foreach (PostgresQuotaStore store in hosts)
            {
                await store.ReturnLeasesAsync();
            }

            Assert.True(admitted <= (decimal)Ceiling, $"admitted {admitted} > {Ceiling}");
            // 1920 calls ask ~4,500 units, so the ceiling is reached, less the largest cost and, with leasing, less
            // what sat unused in the other hosts' slices (one per host and category) when the calls ended.
            decimal stranded = leasing ? (decimal)(Fraction * Ceiling) * 4 * 2 : 0;
            Assert.True(admitted > (decimal)Ceiling - 9 - stranded, $"only {admitted} admitted: the ceiling was not reached");
            Assert.True(refusedByCeiling > 100);
            SpendSnapshot spend = await hosts[0].GetSpendAsync(tenant);
            Assert.Equal(admitted, (decimal)spend.Today);          // no lost update: every admission is in the ledger, once
            Assert.Equal(admitted, (decimal)spend.ThisMonth);
        }
        finally
        {
            foreach (PostgresQuotaStore store in hosts)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_monthly_ceiling_holds_across_hosts_too()
    {
        PostgresQuotaStore[] hosts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TestSupport.OpenStoreAsync(_db)));
        try
        {
            decimal[] admitted = await Task.WhenAll(hosts.Select(store => Task.Run(async () =>
            {
                decimal sum = 0;
                for (int i = 0; i < 60; i++)
                {
                    if ((await store.TryAcquireAsync(new QuotaStoreRequest(new("monthly", "search"), Roomy, 3, maxCostPerDay: 10_000, maxCostPerMonth: 100))).IsAdmitted)
                    {
                        sum += 3;
                    }
                }

                return sum;
            })));

            Assert.Equal(99, admitted.Sum());
            Assert.Equal(new SpendSnapshot(99, 99), await hosts[1].GetSpendAsync("monthly"));
        }
        finally
        {
            foreach (PostgresQuotaStore store in hosts)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Spend_is_kept_per_UTC_day_and_month_as_history()
    {
        await using PostgresQuotaStore store = await TestSupport.OpenStoreAsync(_db);
        Assert.True((await store.TryAcquireAsync(new QuotaStoreRequest(new("history", "search"), Roomy, 12.5))).IsAdmitted);
        long rows = await PostgresCluster.ScalarAsync<long>(_db,
            "SELECT count(*) FROM agentquotas.spend WHERE tenant = 'history' AND spent = 12.5 AND " +
            "((period = 'D' AND period_start = (now() AT TIME ZONE 'UTC')::date) OR (period = 'M' AND period_start = date_trunc('month', now() AT TIME ZONE 'UTC')::date))");
        Assert.Equal(2, rows);
    }
}
