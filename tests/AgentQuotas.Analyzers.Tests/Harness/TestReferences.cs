using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Metadata references for test compilations: the running framework (from TRUSTED_PLATFORM_ASSEMBLIES),
/// the AgentQuotas runtime and Microsoft.Extensions.AI.Abstractions with what they depend on.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<string[]> TrustedAssemblies = new(() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));

    private static readonly Lazy<ImmutableArray<MetadataReference>> DefaultReferences = new(() =>
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = TrustedAssemblies.Value
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .ToList();
        foreach (Assembly assembly in new[] { typeof(CostAttribute).Assembly, typeof(Microsoft.Extensions.AI.IChatClient).Assembly })
        {
            paths.Add(assembly.Location);
            foreach (AssemblyName dependency in assembly.GetReferencedAssemblies())
            {
                string? location = TryLocate(dependency);
                if (location != null)
                {
                    paths.Add(location);
                }
            }
        }

        return Create(paths);
    });

    // The frameworks the analyzers know by metadata name, and what their public surfaces need to compile against.
    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(() =>
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<Assembly>(new[]
        {
            typeof(Microsoft.Extensions.AI.ChatClientBuilder).Assembly,            // Microsoft.Extensions.AI
            typeof(Microsoft.SemanticKernel.Kernel).Assembly,                      // Semantic Kernel abstractions
            typeof(Microsoft.SemanticKernel.KernelExtensions).Assembly,            // Semantic Kernel core
            typeof(Microsoft.Agents.AI.AIAgent).Assembly,                          // Agent Framework abstractions
            typeof(Microsoft.Agents.AI.ChatClientAgent).Assembly,                  // Agent Framework
            typeof(ModelContextProtocol.Server.McpServerTool).Assembly,            // MCP core
            typeof(Microsoft.Extensions.DependencyInjection.IMcpServerBuilder).Assembly, // MCP hosting
            typeof(OpenAI.Chat.ChatClient).Assembly,                               // OpenAI
        });
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        while (pending.Count > 0)
        {
            Assembly assembly = pending.Dequeue();
            if (!seen.Add(assembly.GetName().Name!) || string.Equals(Path.GetDirectoryName(assembly.Location), frameworkDirectory, StringComparison.Ordinal))
            {
                continue;
            }

            paths.Add(assembly.Location);
            foreach (AssemblyName dependency in assembly.GetReferencedAssemblies())
            {
                try
                {
                    pending.Enqueue(Assembly.Load(dependency));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // not needed to compile the tests' sources
                }
            }
        }

        return Create(Default.Select(r => r.Display!).Concat(paths));
    });

    private static readonly Lazy<ImmutableArray<MetadataReference>> EverythingReferences = new(() => Create(TrustedAssemblies.Value));

    /// <summary>Framework, runtime and Microsoft.Extensions.AI.Abstractions.</summary>
    public static ImmutableArray<MetadataReference> Default => DefaultReferences.Value;

    /// <summary>The defaults plus Microsoft.Extensions.AI, Semantic Kernel, the Agent Framework, the MCP SDK and OpenAI.</summary>
    public static ImmutableArray<MetadataReference> WithFrameworks => FrameworkReferences.Value;

    /// <summary>Every assembly the test process may load: enough to compile the repository's own tests.</summary>
    public static ImmutableArray<MetadataReference> Everything => EverythingReferences.Value;

    /// <summary>The defaults without Microsoft.Extensions.AI.Abstractions.</summary>
    public static ImmutableArray<MetadataReference> WithoutAI =>
        Default.Where(r => !(r.Display ?? "").EndsWith("Microsoft.Extensions.AI.Abstractions.dll", StringComparison.Ordinal)).ToImmutableArray();

    private static ImmutableArray<MetadataReference> Create(IEnumerable<string> paths) =>
        paths.Where(File.Exists)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))
            .ToImmutableArray();

    private static string? TryLocate(AssemblyName name)
    {
        try
        {
            string location = Assembly.Load(name).Location;
            return location.Length == 0 ? null : location;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null; // not needed to compile the tests' sources
        }
    }
}
