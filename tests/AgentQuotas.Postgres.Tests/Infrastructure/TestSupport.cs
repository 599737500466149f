using AgentQuotas.Policy;
using AgentQuotas.Stores;

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
}
