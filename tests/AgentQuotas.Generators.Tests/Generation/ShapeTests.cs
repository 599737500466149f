using AgentQuotas.Generators.Tests.Harness;

namespace AgentQuotas.Generators.Tests.Generation;

public sealed class ShapeTests
{
    [Fact]
    public void Every_method_shape_compiles_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.Shapes);
        run.AssertClean();
    }
}
