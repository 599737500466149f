using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

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

    private const string Plugin = """
        public class Samples
        {
            [AgentQuotas.QuotaCategory("search")]
            private sealed class Plugin
            {
                [Microsoft.SemanticKernel.KernelFunction("lookup"), AgentQuotas.Cost(1)]
                public string Lookup(string id) => id;
            }
        }
        """;

    [Fact]
    public async Task A_kernel_function_of_a_private_nested_plugin_gets_no_AIFunction_and_no_warning()
    {
        // No generator diagnostic and no compiler error (the framework fails on either); no AIFunction for "lookup".
        GeneratorRun run = GeneratorHarness.RunWithAI(KernelFunctionStandIn + Plugin);
        await new GuardGeneratorTest { Sources = { KernelFunctionStandIn + Plugin }, WithAI = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck }.RunAsync();
        Assert.DoesNotContain("\"lookup\"", run.AllSources, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_shape_with_AgentTool_is_still_reported()
    {
        var diagnostics = await new GuardGeneratorTest
        {
            WithAI = true,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
            ExpectedDiagnostics = { new DiagnosticResult("AQ1002", DiagnosticSeverity.Warning).WithLocation(0) },
            Sources =
            {
                """
                public class Samples
                {
                    [AgentQuotas.QuotaCategory("search")]
                    private sealed class Plugin
                    {
                        [AgentQuotas.AgentTool("lookup", "Looks up"), AgentQuotas.Cost(1)]
                        public string {|#0:Lookup|}(string id) => id;
                    }
                }
                """,
            },
        }.RunAsync();

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Contains("private or protected inside another type", d.GetMessage(), StringComparison.Ordinal);
    }
}
