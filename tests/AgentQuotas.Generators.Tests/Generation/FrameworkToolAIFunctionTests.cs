using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Tests.Generation;

/// <summary>AQ1002 is for tools that ask for a generated AIFunction ([AgentTool]); framework tools have their framework's.</summary>
public sealed class FrameworkToolAIFunctionTests
{
    private const string KernelFunctionStandIn = """
        namespace Microsoft.SemanticKernel
        {
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KernelFunctionAttribute : System.Attribute
            {
                public KernelFunctionAttribute(string? name = null) { _ = name; }
            }
        }
        """;

    [Fact]
    public void A_kernel_function_of_a_private_nested_plugin_gets_no_AIFunction_and_no_warning()
    {
        GeneratorRun run = GeneratorHarness.RunWithAI(KernelFunctionStandIn + """
            public class Samples
            {
                [AgentQuotas.QuotaCategory("search")]
                private sealed class Plugin
                {
                    [Microsoft.SemanticKernel.KernelFunction("lookup"), AgentQuotas.Cost(1)]
                    public string Lookup(string id) => id;
                }
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.DoesNotContain(run.CompileDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain("\"lookup\"", run.AllSources, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_shape_with_AgentTool_is_still_reported()
    {
        GeneratorRun run = GeneratorHarness.RunWithAI("""
            public class Samples
            {
                [AgentQuotas.QuotaCategory("search")]
                private sealed class Plugin
                {
                    [AgentQuotas.AgentTool("lookup", "Looks up"), AgentQuotas.Cost(1)]
                    public string Lookup(string id) => id;
                }
            }
            """);

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AQ1002", d.Id);
        Assert.Contains("private or protected inside another type", d.GetMessage(), StringComparison.Ordinal);
    }
}
