using AgentQuotas.Policy;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>Policies for the benchmarks: buckets large enough that every measured call is admitted.</summary>
public static class BenchPolicies
{
    /// <summary>
    /// One tier, the given categories, a bucket of 10^11 units refilled at 10^7 units/s: a run of any
    /// length here never empties it, so every call takes the admitted path.
    /// </summary>
    public static QuotaPolicy Unbounded(params string[] categories)
    {
        string budgets = string.Join(", ", categories.Select(c => $"\"{c}\": {{ \"capacity\": 100000000000, \"refillPerSecond\": 10000000 }}"));
        return QuotaPolicy.Parse($$"""{ "version": "bench-1", "tiers": { "t": { "categories": { {{budgets}} } } }, "defaultTier": "t" }""");
    }
}
