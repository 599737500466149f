using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0002 (category without a budget), AQ0008 (invalid policy file) and AQ0010 (no policy file).</summary>
public sealed class PolicyRulesTests
{
    // ---- AQ0002 ----------------------------------------------------------------------------------

    [Fact]
    public async Task Category_missing_from_every_tier_is_reported_on_the_argument()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync("""
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
        var diagnostics = await AnalyzerTest.VerifyAsync("""
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
        await AnalyzerTest.VerifyAsync("""
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
        await AnalyzerTest.VerifyAsync("""
            [QuotaCategory("email")]
            public class Mailer
            {
                [Cost(1)] public void Send() { }
            }
            """, "AQ0008", """{ "version": "v1", "tiers": {|AQ0008:{|}}, [|"tenantz"|]: {} }""");
    }

    // ---- AQ0008 ----------------------------------------------------------------------------------

    [Fact]
    public async Task Every_policy_error_is_reported_at_its_line_and_column()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": {
                "standard": {
                  "categories": {
                    "search": { "capacity": [|-5|], "refillPerSecond": 1 }
                  },
                  [|"limitz"|]: {}
                }
              },
              "defaultTier": [|"premium"|]
            }
            """);

        Diagnostic capacity = diagnostics.Single(d => d.GetMessage().Contains("capacity"));
        Assert.Equal("agentquotas.json is invalid at $.tiers.standard.categories.search.capacity: capacity must be > 0 and <= 1000000000000, but is -5", capacity.GetMessage());
        FileLinePositionSpan where = capacity.Location.GetLineSpan();
        Assert.Equal(AnalyzerTest.PolicyPath, where.Path);
        Assert.Equal((5, 32), (where.StartLinePosition.Line, where.StartLinePosition.Character));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown field 'limitz' in tier 'standard'; did you mean 'limits'?"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown tier 'premium'"));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public async Task Syntax_error_is_reported_where_the_parser_stopped()
    {
        var diagnostics = await AnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10 [|"refillPerSecond"|]: 1 } } } }
            }
            """);

        Assert.Equal("agentquotas.json is invalid at $: expected ',' or '}' after the value of \"capacity\" but found '\"'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Valid_policy_with_comments_and_trailing_commas_is_not_reported()
    {
        await AnalyzerTest.VerifyAsync("// no code", policy: """
            {
              // reviewed in git
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1, }, }, }, },
            }
            """);
    }

    [Fact]
    public async Task Only_agentquotas_json_is_read()
    {
        var test = new AnalyzerTest { Sources = { "// no code" }, Policy = null };
        await test.RunAsync();
    }

    // ---- AQ0010 ----------------------------------------------------------------------------------

    [Fact]
    public async Task Annotated_tools_without_a_policy_file_get_one_compilation_warning()
    {
        var test = new AnalyzerTest
        {
            Sources =
            {
                """
                [QuotaCategory("search")]
                public class Tools
                {
                    [Cost(1)] public void A() { }
                    [Cost(1)] public void B() { }
                }
                """,
            },
            Policy = null,
            ExpectedWithoutLocation = { "AQ0010" },
        };

        var diagnostics = await test.RunAsync();
        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.Single().Severity);
        Assert.Contains("<AdditionalFiles Include=\"agentquotas.json\" />", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task No_policy_file_is_fine_without_annotated_tools()
    {
        await new AnalyzerTest { Sources = { "public class Plain { public void M() { } }" }, Policy = null }.RunAsync();
    }
}
