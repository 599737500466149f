using AgentQuotas.Analyzers.Tests.Harness;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0008 for the policy's models and routing sections (issue 17): the build fails where the runtime would refuse to load.</summary>
public sealed class ModelsPolicyTests
{
    [Fact]
    public async Task Bad_models_and_routing_fields_are_AQ0008_at_their_line_and_column()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": { "t": { "categories": { "model": { "capacity": 10, "refillPerSecond": 1 } } } },
              "defaultTier": "t",
              "pools": { "premium": { "concurrency": 2 } },
              "models": {
                "premium": { "pool": [|"premum"|], "inputCostPer1K": [|-1|], "outputCostPer1K": 15, "rank": [|0|] }
              },
              "routing": [ { "workflow": "triage", "model": [|"small"|] } ]
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown pool 'premum'; did you mean 'premium'?"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("inputCostPer1K must be >= 0"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("rank must be >= 1"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown model 'small'"));
    }

    [Fact]
    public async Task A_valid_models_section_is_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": { "t": { "categories": { "model": { "capacity": 10, "refillPerSecond": 1 } } } },
              "defaultTier": "t",
              "pools": { "premium": { "concurrency": 2 }, "small": { "concurrency": 8 } },
              "models": {
                "premium": { "pool": "premium", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": 3 },
                "small":   { "pool": "small", "inputCostPer1K": 0.25, "outputCostPer1K": 1.25, "rank": 1 }
              },
              "routing": [ { "workflow": "triage", "model": "small" }, { "class": "Critical", "minRank": 3 } ]
            }
            """);
    }
}
