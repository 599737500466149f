using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Harness;

internal static class Policies
{
    /// <summary>One tier with the given categories ("name:capacity:refill") and run limits.</summary>
    public static QuotaPolicy Create(string limits = "{}", params string[] categories)
    {
        string buckets = string.Join(", ", categories.Select(c =>
        {
            string[] parts = c.Split(':');
            return $"\"{parts[0]}\": {{ \"capacity\": {parts[1]}, \"refillPerSecond\": {parts[2]} }}";
        }));
        return QuotaPolicy.Parse($$"""
            {
              "version": "gen-test-1",
              "tiers": { "standard": { "categories": { {{buckets}} }, "limits": {{limits}} } },
              "defaultTier": "standard",
              "degradation": ["Full", "DraftOnly", "ApprovalRequired"]
            }
            """, "test");
    }

    public static QuotaGate Gate(QuotaPolicy policy, FakeTimeProvider time, Action<QuotaGateOptions>? configure = null)
    {
        var options = new QuotaGateOptions { TimeProvider = time };
        configure?.Invoke(options);
        return new QuotaGate(policy, options);
    }
}
