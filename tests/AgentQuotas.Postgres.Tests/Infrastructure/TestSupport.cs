using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;

namespace AgentQuotas.Postgres.Tests.Infrastructure;

internal static class TestSupport
{
    /// <summary>A policy with one tier ("standard", the default) and one category, for focused tests; calls are decided at once (no queueing).</summary>
    public static QuotaPolicy Policy(
        double capacity = 10,
        double refill = 1,
        string category = "search",
        string? burst = null,
        string? emergency = null,
        string? limits = null,
        string version = "v1") =>
        QuotaPolicy.Parse($$"""
            {
              "version": "{{version}}",
              "tiers": { "standard": {
                "categories": { "{{category}}": { "capacity": {{capacity}}, "refillPerSecond": {{refill}} } }
                {{(burst is null ? "" : ", \"burst\": " + burst)}}
                {{(emergency is null ? "" : ", \"emergency\": " + emergency)}}
                {{(limits is null ? "" : ", \"limits\": " + limits)}}
              } },
              "defaultTier": "standard",
              // These tests measure the store's own decisions: without the Queued rung an async acquire on an
              // empty bucket is refused at once instead of waiting in the gate's scheduler.
              "degradation": ["Full", "DraftOnly", "ApprovalRequired"]
            }
            """, "test");

    public static BucketLimits Limits(QuotaPolicy policy, string category = "search") =>
        policy.Tiers["standard"].Categories[category].Limits;

    public static Task<PostgresQuotaStore> OpenStoreAsync(string connectionString, Action<PostgresQuotaStoreOptions>? configure = null)
    {
        var options = new PostgresQuotaStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        return PostgresQuotaStore.OpenAsync(options);
    }

    /// <summary>Ticks (100 ns) to seconds.</summary>
    public static double Seconds(long ticks) => ticks / (double)TimeSpan.TicksPerSecond;

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. The bound is against a hang, not a timing assumption:
    /// nothing is assumed about how fast the wall clock moves while the condition is not yet true.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int giveUpAfterSeconds = 60)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(giveUpAfterSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "the condition never held");
            await Task.Delay(10);
        }
    }

    /// <summary>Sessions of <paramref name="connectionString"/>'s database waiting for a lock now.</summary>
    public static Task<long> BlockedSessionsAsync(string connectionString) =>
        PostgresCluster.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
}
