using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0001: an agent tool without [Cost], or with a cost but no category.</summary>
public sealed class MissingBudgetTests
{
    [Fact]
    public async Task Agent_tool_without_cost_is_reported_on_its_name()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [AgentTool("search_kb", "Searches the knowledge base")]
                public Task<string> [|SearchAsync|](string query) => Task.FromResult(query);
            }
            """, "AQ0001");

        Assert.Contains("has no [Cost]", diagnostics.Single().GetMessage());
        Assert.Contains("'search' bucket", diagnostics.Single().GetMessage());
        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
    }

    [Fact]
    public async Task Method_level_category_without_cost_is_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Tools
            {
                [QuotaCategory("search")]
                public string [|Search|](string query) => query;
            }
            """, "AQ0001");
    }

    [Fact]
    public async Task Cost_without_any_category_is_reported()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Tools
            {
                [Cost(5)]
                public string [|Search|](string query) => query;
            }
            """, "AQ0001");

        Assert.Contains("has a [Cost] but no category", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Agent_tool_with_neither_is_reported_once()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Tools
            {
                [AgentTool("lookup", "Looks up")]
                public string [|Lookup|](string key) => key;
            }
            """, "AQ0001");

        Assert.Contains("neither a [Cost] nor a category", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Budgeted_tools_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public class Tools
            {
                [AgentTool("search_kb", "Searches")]
                [Cost(20)]
                public Task<string> SearchAsync(string query) => Task.FromResult(query);

                [AgentTool("pay", "Pays"), QuotaCategory("payments"), Cost(1)]
                public void Pay(decimal amount) { }

                [Cost(Estimator = nameof(Estimate))]
                public int Summarize(IReadOnlyList<string> docs) => docs.Count;

                internal static double Estimate(IReadOnlyList<string> docs) => 5 + docs.Count;

                // Not a tool: the class-level category is only the default for tools.
                public string Helper(string s) => s;
            }
            """);
    }

    [Fact]
    public async Task Privileged_tool_without_budget_reports_AQ0004_instead()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Tools
            {
                [AgentTool("refund", "Refunds"), Privileged(RequiresApproval = true)]
                public void {|AQ0004:Refund|}(string orderId) { }
            }
            """);

        Assert.Contains("Privileged tool 'Refund' is unguarded: it has no [Cost]", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Partial_method_is_reported_once()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("search")]
            public partial class Tools
            {
                [AgentTool("search", "Searches")]
                public partial string [|Search|](string query);
            }

            public partial class Tools
            {
                public partial string Search(string query) => query;
            }
            """, "AQ0001");
    }
}
