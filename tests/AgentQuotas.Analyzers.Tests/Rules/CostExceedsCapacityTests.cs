using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0009 against <see cref="TestPolicies.Standard"/>: search admits 60 in free and 200 + 150 burst credits
/// = 350 in standard, where the Critical class may also borrow 200.
/// </summary>
public sealed class CostExceedsCapacityTests
{
    [Fact]
    public async Task Cost_above_every_tier_is_an_error_that_mentions_emergency_borrowing()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost([|400|])] public void Crawl() { }
            }
            """, "AQ0009");

        Diagnostic diagnostic = diagnostics.Single();
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(
            "'Crawl' costs 400 units, more than the 'search' bucket can ever admit in any tier (at most 350 in tier 'standard'), counting capacity and burst credits; only emergency classes could be admitted there, by borrowing (tier 'standard')",
            diagnostic.GetMessage());
    }

    [Fact]
    public async Task Cost_above_capacity_plus_burst_and_debt_has_no_emergency_note()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost([|551|])] public void Crawl() { }
            }
            """, "AQ0009");

        Assert.DoesNotContain("emergency", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Cost_above_some_tiers_is_a_warning_naming_them()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost([|100|])] public void Deep() { }
            }
            """, "AQ0009");

        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.Single().Severity);
        Assert.Contains("in tier 'free' (at most 60)", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Burst_credits_count_towards_what_a_bucket_admits()
    {
        // 300 > capacity 200 but <= 200 + (2 - 1) x 5/s x 30 s in standard; only free (60) is too small.
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost([|300|])] public void Deep() { }
            }
            """, "AQ0009");

        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.Single().Severity);
    }

    [Fact]
    public async Task Costs_that_fit_and_estimated_costs_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost(60)] public void Exactly() { }
                [Cost(0.5)] public void Cheap() { }
                [Cost(Estimator = nameof(Estimate))] public void Estimated(int pages) { }
                internal static double Estimate(int pages) => pages * 1000;
            }
            """);
    }
}
