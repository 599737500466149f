using AgentQuotas.Policy;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Postgres.Tests;

/// <summary>The SQL bucket must decide exactly as the in-memory store (docs/policy.md, "Bucket arithmetic").</summary>
[Collection(PostgresCollection.Name)]
public sealed class BucketSemanticsTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";
    private PostgresQuotaStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await fixture.CreateDatabaseAsync("semantics");
        _store = await TestSupport.OpenStoreAsync(_db);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_random_script_of_acquires_settlements_and_a_reload_decides_as_the_in_memory_store()
    {
        // Refill is so slow (1 unit per 1000 s) that the seconds this test takes move levels by < 0.03:
        // with whole-unit costs every decision must match, and levels must match within that drift.
        const string Limits = """{ "maxCostPerDay": 40, "maxCostPerMonth": 1000 }""";
        QuotaPolicy first = TestSupport.Policy(capacity: 20, refill: 0.001, burst: """{ "multiplier": 2, "maxSeconds": 10000 }""",
            emergency: """{ "classes": ["Critical"], "debtMultiplier": 0.5 }""", limits: Limits);
        QuotaPolicy reloaded = TestSupport.Policy(capacity: 12, refill: 0.002, burst: """{ "multiplier": 1.5, "maxSeconds": 5000 }""",
            emergency: """{ "classes": ["Critical"], "debtMultiplier": 1 }""", limits: Limits, version: "v2");
        using var memory = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = TestTime.Create(), EvictionInterval = Timeout.InfiniteTimeSpan });
        var key = new BucketKey("acme", "search");
        var random = new Random(20261121);
        DateTime started = DateTime.UtcNow;
        int admitted = 0, exhausted = 0, burst = 0, emergency = 0, ceilings = 0;

        // The in-memory store keeps a tenant's ledger from its first acquire with a ceiling (this store keeps it
        // always), so the script opens with one.
        var opening = new QuotaStoreRequest(key, TestSupport.Limits(first), 1, false, 40, 1000);
        Assert.Equal(memory.TryAcquire(opening).Outcome, (await _store.TryAcquireAsync(opening)).Outcome);
        for (int step = 0; step < 240; step++)
        {
            BucketLimits limits = TestSupport.Limits(step < 150 ? first : reloaded);
            TierLimits tier = (step < 150 ? first : reloaded).Tiers["standard"].Limits;
            if (random.Next(3) == 0)
            {
                // Mostly refunds, so the bucket keeps coming back and every path gets exercised.
                double delta = random.Next(10) < 7 ? -random.Next(2, 12) : random.Next(1, 4);
                memory.Settle(key, limits, delta);
                if (step % 2 == 0)
                {
                    _store.Settle(key, limits, delta);
                }
                else
                {
                    await _store.SettleAsync(key, limits, delta);
                }

                continue;
            }

            var request = new QuotaStoreRequest(key, limits, random.Next(1, 9), allowEmergency: random.Next(4) == 0, tier.MaxCostPerDay, tier.MaxCostPerMonth);
            QuotaStoreResult expected = memory.TryAcquire(request);
            QuotaStoreResult actual = step % 2 == 0 ? _store.TryAcquire(request) : await _store.TryAcquireAsync(request);
            double drift = 0.003 * (DateTime.UtcNow - started).TotalSeconds + 1e-6;

            string at = $"step {step}, cost {request.Cost}, emergency {request.AllowEmergency}";
            Assert.True(expected.Outcome == actual.Outcome, $"{at}: expected {expected.Outcome}, got {actual.Outcome}");
            // Borrowing reports "used burst" when any credit was banked; the server's bucket may have banked a
            // few ticks of overflow in the real time that passed (the in-memory clock stands still).
            Assert.True(expected.UsedBurst == actual.UsedBurst || (actual.UsedEmergency && !expected.UsedBurst), $"{at}: burst");
            Assert.True(expected.UsedEmergency == actual.UsedEmergency, $"{at}: emergency");
            Assert.True(Math.Abs(expected.Remaining - actual.Remaining) <= drift, $"{at}: remaining {expected.Remaining} vs {actual.Remaining}");
            Assert.Equal(expected.RetryAfter.HasValue, actual.RetryAfter.HasValue);
            if (expected.Outcome == QuotaStoreOutcome.BucketExhausted)
            {
                // The wait is the exact shortfall / refill; the server's bucket refilled a little meanwhile.
                double seconds = (expected.RetryAfter!.Value - actual.RetryAfter!.Value).TotalSeconds;
                Assert.InRange(seconds, -1e-6, (DateTime.UtcNow - started).TotalSeconds * 2 + 1e-3);
            }

            admitted += actual.IsAdmitted ? 1 : 0;
            exhausted += actual.Outcome == QuotaStoreOutcome.BucketExhausted ? 1 : 0;
            burst += actual.UsedBurst ? 1 : 0;
            emergency += actual.UsedEmergency ? 1 : 0;
            ceilings += actual.Outcome is QuotaStoreOutcome.DailyCeilingReached or QuotaStoreOutcome.MonthlyCeilingReached ? 1 : 0;
            if (random.Next(25) == 0)
            {
                BucketSnapshot peekExpected = memory.Peek(key, limits), peekActual = _store.Peek(key, limits);
                Assert.InRange(peekActual.Available - peekExpected.Available, -1e-6, drift);
            }
        }

        // The script exercised every path it claims to compare.
        Assert.True(admitted > 10 && exhausted > 10 && burst > 0 && emergency > 0 && ceilings > 0,
            $"admitted {admitted}, exhausted {exhausted}, burst {burst}, emergency {emergency}, ceilings {ceilings}");
        SpendSnapshot spendExpected = memory.GetSpend("acme"), spendActual = await _store.GetSpendAsync("acme");
        Assert.Equal(spendExpected.Today, spendActual.Today, 9);
        Assert.Equal(spendExpected.ThisMonth, spendActual.ThisMonth, 9);
    }

    [Fact]
    public async Task Exhaustion_reports_the_exact_shortfall_over_the_refill_rate()
    {
        BucketLimits limits = new(capacity: 10, refillPerSecond: 0.5);
        var key = new BucketKey("t-exhaust", "c");
        long before = await PostgresCluster.DatabaseTicksAsync(_db);   // refill runs from the first call on, however slow the machine
        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 9))).IsAdmitted);
        QuotaStoreResult refused = await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 4));
        long after = await PostgresCluster.DatabaseTicksAsync(_db);

        Assert.Equal(QuotaStoreOutcome.BucketExhausted, refused.Outcome);
        // About 1 unit was left, 3 are missing at 0.5/s: 6 s, less what refilled since the first call.
        double wait = refused.RetryAfter!.Value.TotalSeconds;
        Assert.InRange(wait, 6 - TestSupport.Seconds(after - before) - 1, 6);
        Assert.InRange(refused.Remaining + (wait * 0.5), 4 - 1e-6, 4 + 1e-6); // remaining + refill x wait = cost
    }

    [Fact]
    public async Task A_cost_beyond_capacity_burst_and_debt_can_never_be_admitted()
    {
        BucketLimits limits = new(capacity: 10, refillPerSecond: 1, burstCredits: 5, emergencyDebt: 5);
        var key = new BucketKey("t-too-big", "c");
        QuotaStoreResult plain = await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 16));
        Assert.Equal(QuotaStoreOutcome.CostExceedsCapacity, plain.Outcome);
        Assert.Null(plain.RetryAfter);
        Assert.Equal(15, plain.Remaining);

        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 16, allowEmergency: true))).UsedEmergency);
        Assert.Equal(QuotaStoreOutcome.CostExceedsCapacity, (await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 21, allowEmergency: true))).Outcome);
    }

    [Fact]
    public async Task The_daily_ceiling_refuses_until_the_next_UTC_midnight_by_the_database_clock()
    {
        BucketLimits limits = new(capacity: 1000, refillPerSecond: 100);
        var key = new BucketKey("t-daily", "c");
        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 70, maxCostPerDay: 100))).IsAdmitted);
        long before = await PostgresCluster.DatabaseTicksAsync(_db);
        QuotaStoreResult refused = await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 31, maxCostPerDay: 100));
        long after = await PostgresCluster.DatabaseTicksAsync(_db);

        // The server decided between the two readings of its clock, however long they are apart.
        Assert.Equal(QuotaStoreOutcome.DailyCeilingReached, refused.Outcome);
        DateTime midnight = DateTime.UnixEpoch.AddTicks(after).Date.AddDays(1);
        Assert.InRange(refused.RetryAfter!.Value, midnight - DateTime.UnixEpoch.AddTicks(after), midnight - DateTime.UnixEpoch.AddTicks(before));
        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 30, maxCostPerDay: 100))).IsAdmitted); // exactly the ceiling
        Assert.Null((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 101, maxCostPerDay: 100))).RetryAfter); // never fits a day

        QuotaStoreResult monthly = await _store.TryAcquireAsync(new QuotaStoreRequest(new BucketKey("t-monthly", "c"), limits, 5, maxCostPerMonth: 4));
        Assert.Equal(QuotaStoreOutcome.MonthlyCeilingReached, monthly.Outcome);
        Assert.Null(monthly.RetryAfter);
        Assert.Equal(new SpendSnapshot(100, 100), await _store.GetSpendAsync("t-daily"));
    }

    [Fact]
    public async Task Settlement_charges_into_debt_refunds_up_to_capacity_and_moves_the_ledger()
    {
        BucketLimits limits = new(capacity: 10, refillPerSecond: 0.0001);
        var key = new BucketKey("t-settle", "c");
        Assert.Equal(10, (await _store.PeekAsync(key, limits)).Available); // never used: full
        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, limits, 4))).IsAdmitted);
        await _store.SettleAsync(key, limits, 9); // actual cost was 13: 3 units of debt
        Assert.InRange((await _store.PeekAsync(key, limits)).Level, -3, -2.99);
        Assert.Equal(13, (await _store.GetSpendAsync("t-settle")).ThisMonth, 9);

        await _store.SettleAsync(key, limits, -50); // a refund never lifts the bucket past capacity
        Assert.Equal(10, (await _store.PeekAsync(key, limits)).Available, 6);
        Assert.Equal(0, (await _store.GetSpendAsync("t-settle")).ThisMonth); // nor the ledger below zero
    }

    [Fact]
    public async Task A_reload_that_shrinks_the_bucket_clips_level_and_credits()
    {
        BucketLimits wide = new(capacity: 100, refillPerSecond: 0.001, burstCredits: 50);
        BucketLimits narrow = new(capacity: 30, refillPerSecond: 0.001, burstCredits: 5);
        var key = new BucketKey("t-reload", "c");
        Assert.True((await _store.TryAcquireAsync(new QuotaStoreRequest(key, wide, 10))).IsAdmitted); // level 90, credits 50
        BucketSnapshot peeked = await _store.PeekAsync(key, narrow);
        Assert.Equal(30, peeked.Level, 6);
        Assert.Equal(5, peeked.BurstCredits, 6);

        QuotaStoreResult taken = await _store.TryAcquireAsync(new QuotaStoreRequest(key, narrow, 1));
        Assert.InRange(taken.Remaining, 34 - 1e-6, 34 + 0.01); // 30 + 5 - 1
    }
}
