using System.Collections.Immutable;
using System.Reflection;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Metadata references for test compilations: the net10.0 reference assemblies from
/// Basic.Reference.Assemblies.Net100 (no download at test time), plus the AgentQuotas runtime and the packages
/// the analyzers know by metadata name, with the package assemblies they depend on.
/// </summary>
internal static class TestReferences
{
    private static readonly ImmutableHashSet<string> FrameworkNames =
        Net100.References.All.Select(r => Path.GetFileNameWithoutExtension(r.FilePath!)).ToImmutableHashSet(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<ImmutableArray<MetadataReference>> DefaultReferences = new(() =>
        [.. Net100.References.All, .. Packages(typeof(CostAttribute).Assembly, typeof(Microsoft.Extensions.AI.IChatClient).Assembly)]);

    private static readonly Lazy<ImmutableArray<MetadataReference>> WithoutAIReferences = new(() =>
        [.. Net100.References.All, .. Packages(typeof(CostAttribute).Assembly).Where(r => !(r.Display ?? "").Contains("Microsoft.Extensions.AI", StringComparison.Ordinal))]);

    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(() =>
    [
        .. Net100.References.All,
        .. Packages(
            typeof(CostAttribute).Assembly,
            typeof(Microsoft.Extensions.AI.ChatClientBuilder).Assembly,            // Microsoft.Extensions.AI (+ .Abstractions)
            typeof(Microsoft.SemanticKernel.Kernel).Assembly,                      // Semantic Kernel abstractions
            typeof(Microsoft.SemanticKernel.KernelExtensions).Assembly,            // Semantic Kernel core
            typeof(Microsoft.Agents.AI.AIAgent).Assembly,                          // Agent Framework abstractions
            typeof(Microsoft.Agents.AI.ChatClientAgent).Assembly,                  // Agent Framework
            typeof(ModelContextProtocol.Server.McpServerTool).Assembly,            // MCP core
            typeof(Microsoft.Extensions.DependencyInjection.IMcpServerBuilder).Assembly, // MCP hosting
            typeof(OpenAI.Chat.ChatClient).Assembly),                              // OpenAI
    ]);

    /// <summary>net10.0, the runtime and Microsoft.Extensions.AI.Abstractions.</summary>
    public static ImmutableArray<MetadataReference> Default => DefaultReferences.Value;

    /// <summary>net10.0 and the runtime, without Microsoft.Extensions.AI.</summary>
    public static ImmutableArray<MetadataReference> WithoutAI => WithoutAIReferences.Value;

    /// <summary>The defaults plus Microsoft.Extensions.AI, Semantic Kernel, the Agent Framework, the MCP SDK and OpenAI.</summary>
    public static ImmutableArray<MetadataReference> WithFrameworks => FrameworkReferences.Value;

    /// <summary>The given package assemblies and the non-framework assemblies they reference, transitively.</summary>
    private static IEnumerable<MetadataReference> Packages(params Assembly[] roots)
    {
        var seen = new HashSet<string>(FrameworkNames, StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<Assembly>(roots);
        while (pending.Count > 0)
        {
            Assembly assembly = pending.Dequeue();
            if (!seen.Add(assembly.GetName().Name!))
            {
                continue;
            }

            yield return MetadataReference.CreateFromFile(assembly.Location);
            foreach (AssemblyName dependency in assembly.GetReferencedAssemblies().Where(d => !seen.Contains(d.Name!)))
            {
                Assembly? loaded = TryLoad(dependency);
                if (loaded != null)
                {
                    pending.Enqueue(loaded);
                }
            }
        }
    }

    private static Assembly? TryLoad(AssemblyName name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null; // not needed to compile the tests' sources
        }
    }
}
