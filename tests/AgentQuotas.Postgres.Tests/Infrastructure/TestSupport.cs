using AgentQuotas.Policy;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres.Tests.Infrastructure;

internal static class TestSupport
{
    /// <summary>A policy with one tier ("standard", the default) and one category, for focused tests.</summary>
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
              "defaultTier": "standard"
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
