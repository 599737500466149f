using System.Collections.Immutable;
using System.Reflection;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Tests.Harness;

/// <summary>
/// References for generator test compilations: net10.0 from Basic.Reference.Assemblies.Net100 (no download at
/// test time) plus the AgentQuotas runtime, and with AI also Microsoft.Extensions.AI.Abstractions and
/// AgentQuotas.Extensions.AI, each with the package assemblies it depends on.
/// </summary>
internal static class TestReferences
{
    private static readonly ImmutableHashSet<string> FrameworkNames =
        Net100.References.All.Select(r => Path.GetFileNameWithoutExtension(r.FilePath!)).ToImmutableHashSet(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<ImmutableArray<MetadataReference>> CoreReferences = new(() =>
        [.. Net100.References.All, .. Packages([typeof(AgentRun).Assembly], skip: IsAI)]);

    private static readonly Lazy<ImmutableArray<MetadataReference>> AIReferences = new(() =>
        [.. Net100.References.All, .. Packages([typeof(AgentRun).Assembly, typeof(Microsoft.Extensions.AI.IChatClient).Assembly, typeof(AgentQuotas.Extensions.AI.GuardedChatClient).Assembly], skip: _ => false)]);

    /// <summary>net10.0 and the runtime, without Microsoft.Extensions.AI.</summary>
    public static ImmutableArray<MetadataReference> Core => CoreReferences.Value;

    /// <summary>The core references plus Microsoft.Extensions.AI.Abstractions and AgentQuotas.Extensions.AI.</summary>
    public static ImmutableArray<MetadataReference> WithAI => AIReferences.Value;

    private static bool IsAI(string name) =>
        name.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal) || name == "AgentQuotas.Extensions.AI";

    /// <summary>The given assemblies and the non-framework assemblies they reference, transitively.</summary>
    private static IEnumerable<MetadataReference> Packages(Assembly[] roots, Func<string, bool> skip)
    {
        var seen = new HashSet<string>(FrameworkNames, StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<Assembly>(roots);
        while (pending.Count > 0)
        {
            Assembly assembly = pending.Dequeue();
            string name = assembly.GetName().Name!;
            if (skip(name) || !seen.Add(name))
            {
                continue;
            }

            yield return MetadataReference.CreateFromFile(assembly.Location);
            foreach (AssemblyName dependency in assembly.GetReferencedAssemblies().Where(d => !seen.Contains(d.Name!)))
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
    }
}
