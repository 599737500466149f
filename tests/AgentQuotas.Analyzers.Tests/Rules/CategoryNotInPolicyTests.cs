using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0002: a category used in code without a budget in every tier of agentquotas.json.</summary>
public sealed class CategoryNotInPolicyTests
{
    [Fact]
    public async Task Category_missing_from_every_tier_is_reported_on_the_argument()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory([|"email"|])]
            public class Mailer
            {
                [AgentTool("send", "Sends"), Cost(1)]
                public void Send(string to) { }
            }
            """, "AQ0002");

        Assert.Equal("Category 'email' has no budget in agentquotas.json: no tier budgets it", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Category_missing_from_some_tiers_names_them_and_suggests_a_close_name()
    {
        const string policy = """
            {
              "version": "v1",
              "tiers": {
                "free":     { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } },
                "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 },
                                              "payment": { "capacity": 1, "refillPerSecond": 1 } } }
              }
            }
            """;
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Tools
            {
                [QuotaCategory([|"payments"|]), Cost(1)]
                public void Pay() { }

                [QuotaCategory([|"payment"|]), Cost(1)]
                public void Refund() { }
            }
            """, "AQ0002", policy);

        Assert.Contains(diagnostics, d => d.GetMessage() == "Category 'payments' has no budget in agentquotas.json: no tier budgets it; did you mean 'payment'?");
        Assert.Contains(diagnostics, d => d.GetMessage() == "Category 'payment' has no budget in agentquotas.json: tier 'free' does not budget it, so its tenants' calls are refused with UnknownCategory");
    }

    [Fact]
    public async Task Budgeted_categories_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost(1)] public void Search() { }
                [QuotaCategory("payments"), Cost(1)] public void Pay() { }
            }
            """);
    }

    [Fact]
    public async Task Categories_are_not_checked_against_an_invalid_policy()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("email")]
            public class Mailer
            {
                [Cost(1)] public void Send() { }
            }
            """, "AQ0008", """{ "version": "v1", "tiers": {|AQ0008:{|}}, [|"tenantz"|]: {} }""");
    }
}
