namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>Policy files the tests run against.</summary>
internal static class TestPolicies
{
    /// <summary>
    /// Two tiers budgeting "search" and "payments". search admits at most 60 in free and 200 + 150 burst
    /// credits = 350 in standard, whose Critical class may also borrow 200. Every tier caps runs.
    /// </summary>
    public const string Standard = """
        {
          // test policy
          "version": "test.1",
          "tiers": {
            "free": {
              "categories": {
                "search":   { "capacity": 60, "refillPerSecond": 1 },
                "payments": { "capacity": 5,  "refillPerSecond": 0.1 }
              },
              "limits": { "maxIterations": 6, "maxToolCalls": 12 }
            },
            "standard": {
              "categories": {
                "search":   { "capacity": 200, "refillPerSecond": 5 },
                "payments": { "capacity": 10,  "refillPerSecond": 0.5 }
              },
              "burst": { "multiplier": 2, "maxSeconds": 30 },
              "emergency": { "classes": ["Critical"] },
              "limits": { "maxIterations": 10, "maxToolCalls": 40, "maxCostPerRun": 500 }
            }
          },
          "defaultTier": "free"
        }
        """;

    /// <summary>One tier with no run limits: a bare [AgentLoop] caps nothing under it.</summary>
    public const string WithoutLimits = """
        {
          "version": "test.2",
          "tiers": {
            "standard": {
              "categories": { "search": { "capacity": 100, "refillPerSecond": 1 } }
            }
          }
        }
        """;
}
