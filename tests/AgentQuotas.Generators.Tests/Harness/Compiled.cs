using System.Reflection;

namespace AgentQuotas.Generators.Tests.Harness;

/// <summary>Sources compiled with the generator once per test run and loaded into this process.</summary>
internal static class Compiled
{
    private static readonly Lazy<Assembly> LazyBehaviour = new(() => GeneratorHarness.Run(Sources.Shapes, Sources.Behaviour).Load());
    private static readonly Lazy<Assembly> LazyAI = new(() => GeneratorHarness.RunWithAI(Sources.AITools).Load());

    public static Assembly Behaviour => LazyBehaviour.Value;

    public static Assembly AI => LazyAI.Value;
}
