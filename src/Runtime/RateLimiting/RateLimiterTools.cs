using System.Collections.Concurrent;

namespace AgentQuotas.RateLimiting;

/// <summary>One cached tool descriptor per category for rate-limiter acquisitions.</summary>
internal static class RateLimiterTools
{
    private static readonly ConcurrentDictionary<string, QuotaTool> Tools = new(StringComparer.Ordinal);

    public static QuotaTool For(string category) =>
        Tools.GetOrAdd(category, static c => new QuotaTool("rate-limiter/" + c, c));

    public static void Validate(in QuotaPartition partition)
    {
        if (partition.Identity is null)
        {
            throw new InvalidOperationException("The partitioner returned a partition without an identity.");
        }

        if (string.IsNullOrWhiteSpace(partition.Category))
        {
            throw new InvalidOperationException("The partitioner returned a partition without a category.");
        }

        if (!double.IsFinite(partition.CostPerPermit) || partition.CostPerPermit <= 0)
        {
            throw new InvalidOperationException("The partition's CostPerPermit must be a finite number greater than zero.");
        }
    }
}
