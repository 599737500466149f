using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0010: annotated tools but no agentquotas.json among AdditionalFiles.</summary>
public sealed class MissingPolicyFileTests
{
    [Fact]
    public async Task Annotated_tools_without_a_policy_file_get_one_compilation_warning()
    {
        var test = new AgentQuotasAnalyzerTest
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
        await new AgentQuotasAnalyzerTest { Sources = { "public class Plain { public void M() { } }" }, Policy = null }.RunAsync();
    }
}
