using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests;

internal static class TestPolicies
{
    /// <summary>The design document's example policy, comments and all.</summary>
    public const string Design = """
        {
          "version": "2026-11-21.1",
          "tiers": {
            "standard": {
              "categories": {                          // one token bucket per tenant per category
                "search":   { "capacity": 200, "refillPerSecond": 5 },
                "payments": { "capacity": 5,   "refillPerSecond": 0.05 }
              },
              "burst":     { "multiplier": 2, "maxSeconds": 30 },   // baseline / burst / emergency
              "emergency": { "classes": ["Critical"] },
              "limits": { "maxIterations": 10, "maxToolCalls": 40, "maxCostPerRun": 500,
                          "maxCostPerDay": 20000 }
            }
          },
          "tenants": { "acme": { "tier": "standard" } },
          "defaultTier": "standard",
          "classes": {                                 // Critical | High | Standard | Batch
            "Critical": { "reservedShare": 0.2 },
            "Batch":    { "reservedShare": 0.05, "maxQueueWait": "00:02:00" }
          },
          "aging": { "promoteAfter": "00:00:05" },
          "pools": {
            "reserved": { "concurrency": 4,  "classes": ["Critical", "High"] },
            "shared":   { "concurrency": 32 }
          },
          "degradation": ["Full", "DraftOnly", "ApprovalRequired", "Queued"],
          "anomaly": { "factor": 3.0, "window": "01:00:00" }
        }
        """;

    /// <summary>A policy with one tier, one category and the given knobs, for focused tests.</summary>
    public static QuotaPolicy Simple(
        double capacity = 10,
        double refill = 1,
        string category = "search",
        string? burst = null,
        string? emergency = null,
        string? limits = null,
        string version = "v1",
        string? extra = null)
    {
        string tier = $$"""
            "categories": { "{{category}}": { "capacity": {{capacity}}, "refillPerSecond": {{refill}} } }
            {{(burst is null ? "" : ", \"burst\": " + burst)}}
            {{(emergency is null ? "" : ", \"emergency\": " + emergency)}}
            {{(limits is null ? "" : ", \"limits\": " + limits)}}
            """;
        return QuotaPolicy.Parse($$"""
            {
              "version": "{{version}}",
              "tiers": { "standard": { {{tier}} } },
              "defaultTier": "standard"
              {{(extra is null ? "" : ", " + extra)}}
            }
            """, "test");
    }

    public static QuotaGate Gate(QuotaPolicy policy, FakeTimeProvider time, Action<QuotaGateOptions>? configure = null)
    {
        var options = new QuotaGateOptions { TimeProvider = time };
        configure?.Invoke(options);
        return new QuotaGate(policy, options);
    }

    /// <summary>The 1-based line and column of the first occurrence of <paramref name="marker"/>.</summary>
    public static (int Line, int Column) Locate(string text, string marker, int occurrence = 1)
    {
        int index = -1;
        for (int i = 0; i < occurrence; i++)
        {
            index = text.IndexOf(marker, index + 1, StringComparison.Ordinal);
            Assert.True(index >= 0, $"marker '{marker}' (occurrence {occurrence}) not in text");
        }

        int line = 1, lineStart = 0;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }
}
