using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Generators.Tests.Generation;

public sealed class ShapeTests
{
    [Fact]
    public async Task Every_method_shape_compiles_without_warnings()
    {
        // No generator diagnostic and no compiler warning or error, in the sources or the generated files.
        await new GuardGeneratorTest
        {
            Sources = { Sources.Shapes },
            CompilerDiagnostics = CompilerDiagnostics.Warnings,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        }.RunAsync();
    }
}
