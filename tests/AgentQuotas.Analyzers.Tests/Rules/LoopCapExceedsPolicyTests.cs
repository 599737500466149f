using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0012 against <see cref="TestPolicies.Standard"/>: maxIterations 6 / 10, maxToolCalls 12 / 40, maxCostPerRun only in standard.</summary>
public sealed class LoopCapExceedsPolicyTests
{
    [Fact]
    public async Task Caps_above_every_tier_are_reported_on_the_argument()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Agent
            {
                [AgentLoop(MaxIterations = [|50|], MaxToolCalls = [|41|])]
                public void Run() { }
            }
            """, "AQ0012");

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "[AgentLoop] MaxIterations = 50 on 'Run' exceeds maxIterations in every tier (largest: 10); the tighter tier limit applies, so this cap is never reached");
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public async Task Caps_within_some_tier_or_without_a_tier_limit_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Agent
            {
                [AgentLoop(MaxIterations = 10, MaxToolCalls = 20, MaxCost = 100000)]
                public void Run() { }

                [AgentLoop(MaxIterations = 0)]
                public void NoCapOfItsOwn() { }
            }
            """);
    }

    [Fact]
    public async Task Without_a_valid_policy_nothing_is_compared()
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources = { "public class Agent { [AgentLoop(MaxIterations = 500)] public void Run() { } }" },
            Policy = TestPolicies.WithoutLimits,
        }.RunAsync();
    }
}
