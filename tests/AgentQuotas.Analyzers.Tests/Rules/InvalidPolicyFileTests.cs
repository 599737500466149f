using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0008: agentquotas.json errors from the runtime's own validator, at their line and column.</summary>
public sealed class InvalidPolicyFileTests
{
    [Fact]
    public async Task Every_policy_error_is_reported_at_its_line_and_column()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
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
        Assert.Equal(TestProject.PolicyPath, where.Path);
        Assert.Equal((5, 32), (where.StartLinePosition.Line, where.StartLinePosition.Character));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown field 'limitz' in tier 'standard'; did you mean 'limits'?"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("unknown tier 'premium'"));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public async Task Shapes_the_runtime_cannot_build_are_reported_where_they_are_written()
    {
        // The runtime used to accept these in validation and throw ArgumentOutOfRangeException when building.
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": {
                "long": {
                  "categories": { "search": { "capacity": 100000000, "refillPerSecond": 1 } },
                  [|"burst"|]: { "multiplier": 1000, "maxSeconds": 31536000 }
                },
                "fast": { "categories": { "search": { "capacity": 200, "refillPerSecond": [|1000000000000|] } } }
              }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("burst"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("tick"));
    }

    [Fact]
    public async Task A_class_waiting_longer_for_its_draft_than_it_may_wait_at_all_is_reported_at_the_value()
    {
        // Issue 17: waitBeforeDraft is bounded by the class's maxQueueWait (the runtime's own validator).
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
            {
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } },
              "classes": {
                "Critical": { "maxQueueWait": "00:00:01", "waitBeforeDraft": [|"00:00:02"|] },
                "High": { "waitBeforeDraft": "00:00:00.2" }
              }
            }
            """);

        Assert.Equal("agentquotas.json is invalid at $.classes.Critical.waitBeforeDraft: waitBeforeDraft must be at most the class's maxQueueWait (00:00:01), but is 00:00:02",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Syntax_error_is_reported_where_the_parser_stopped()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("// no code", "AQ0008", """
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
        await AgentQuotasAnalyzerTest.VerifyAsync("// no code", policy: """
            {
              // reviewed in git
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1, }, }, }, },
            }
            """);
    }

    [Fact]
    public async Task Only_files_named_agentquotas_json_are_read_whatever_their_folder()
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources = { "// no code" },
            OtherAdditionalFiles =
            {
                ("/src/appsettings.json", "{ not json at all"),
                ("/src/config/agentquotas.json.bak", "{ \"tiers\": 1 }"),
            },
        }.RunAsync();

        var diagnostics = await new AgentQuotasAnalyzerTest
        {
            Sources = { "// no code" },
            Policy = null,
            OtherAdditionalFiles = { ("/src/config/AgentQuotas.json", "{ \"version\": \"v1\" }") },
        }.GetDiagnosticsAsync();

        Assert.Equal("agentquotas.json is invalid at $.tiers: the policy is missing required field 'tiers'", diagnostics.Single().GetMessage());
        Assert.Equal("/src/config/AgentQuotas.json", diagnostics.Single().Location.GetLineSpan().Path);
    }
}
