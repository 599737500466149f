using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace AgentQuotas.Tools;

/// <summary>
/// The annotated tools a program has, so a framework that calls a tool through a delegate or reflection (where
/// no interceptor runs) finds its quota: by the framework function's <see cref="MethodInfo"/>, by the Semantic
/// Kernel plugin/function name pair, or by tool name. Generated code fills <see cref="Default"/> from a module
/// initializer; lookups do no reflection. Thread-safe.
/// </summary>
public sealed class ToolRegistry
{
    private readonly object _writeLock = new();
    private readonly ConcurrentDictionary<MethodKey, ToolDescriptor> _byMethod = new();
    private readonly ConcurrentDictionary<string, ToolDescriptor[]> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Plugin, string Function), ToolDescriptor[]> _byKernelName = new();
    private readonly ConcurrentDictionary<ToolDescriptor, bool> _all = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<MethodKey, ToolDescriptor?> _described = new();

    /// <summary>The registry generated code registers annotated tools in, and integrations look in by default.</summary>
    public static ToolRegistry Default { get; } = new();

    /// <summary>Every registered tool.</summary>
    public IReadOnlyCollection<ToolDescriptor> Tools => (IReadOnlyCollection<ToolDescriptor>)_all.Keys;

    /// <summary>Registers a tool under its name, its <see cref="ToolDescriptor.Method"/> and its Semantic Kernel names.</summary>
    /// <param name="tool">The tool.</param>
    /// <exception cref="InvalidOperationException">Another descriptor is already registered for the same method.</exception>
    /// <remarks>
    /// Registering the same descriptor again does nothing. Two tools of the same name may be registered (in
    /// different classes); a lookup by that name alone is then ambiguous and finds neither.
    /// </remarks>
    public void Register(ToolDescriptor tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        lock (_writeLock)
        {
            if (_all.ContainsKey(tool))
            {
                return;
            }

            if (tool.Method is MethodInfo method)
            {
                MethodKey key = MethodKey.Of(method);
                if (_byMethod.TryGetValue(key, out ToolDescriptor? existing))
                {
                    throw new InvalidOperationException(
                        $"The method {method.DeclaringType?.FullName}.{method.Name} is already registered as tool '{existing.Name}'; a method has one descriptor.");
                }

                _byMethod[key] = tool;
                foreach ((string plugin, string function) in KernelNames(tool, method))
                {
                    Append(_byKernelName, (plugin, function), tool);
                }
            }

            Append(_byName, tool.Name, tool);
            _all[tool] = true;
        }
    }

    /// <summary>Finds the tool annotated on <paramref name="method"/> (also when reached through another reflected type or a generic instantiation).</summary>
    /// <param name="method">The method a framework function wraps.</param>
    /// <param name="tool">The tool.</param>
    /// <remarks>
    /// A method generated code registered is found without reflection. An annotated method it could not name (a
    /// local function handed to <c>AIFunctionFactory.Create</c>, a method of a type generated code cannot reach) is
    /// described once from its own attributes, when it has a fixed [Cost] and a [QuotaCategory]; the description is
    /// cached, so later lookups do no reflection either.
    /// </remarks>
    public bool TryGet(MethodInfo method, [NotNullWhen(true)] out ToolDescriptor? tool)
    {
        ArgumentNullException.ThrowIfNull(method);
        MethodKey key = MethodKey.Of(method);
        if (_byMethod.TryGetValue(key, out tool))
        {
            return true;
        }

        tool = _described.GetOrAdd(key, static (_, m) => AnnotatedMethods.Describe(m), method);
        return tool is not null;
    }

    /// <summary>Finds the one tool called <paramref name="toolName"/>.</summary>
    /// <param name="toolName">The tool name.</param>
    /// <param name="tool">The tool.</param>
    /// <returns><see langword="false"/> when no tool, or more than one, has that name (see <see cref="IsAmbiguous"/>).</returns>
    public bool TryGet(string toolName, [NotNullWhen(true)] out ToolDescriptor? tool)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return Single(_byName.TryGetValue(toolName, out ToolDescriptor[]? found) ? found : null, out tool);
    }

    /// <summary>
    /// Finds a tool by the names Semantic Kernel gives it: the plugin (by default the class name) and the function
    /// (the tool name, the method name, or the method name without its <c>Async</c> suffix).
    /// </summary>
    /// <param name="pluginName">The plugin name.</param>
    /// <param name="functionName">The function name.</param>
    /// <param name="tool">The tool.</param>
    public bool TryGet(string pluginName, string functionName, [NotNullWhen(true)] out ToolDescriptor? tool)
    {
        ArgumentNullException.ThrowIfNull(pluginName);
        ArgumentNullException.ThrowIfNull(functionName);
        return Single(_byKernelName.TryGetValue((pluginName, functionName), out ToolDescriptor[]? found) ? found : null, out tool);
    }

    /// <summary>Whether more than one registered tool is called <paramref name="toolName"/>, so the name alone cannot say which.</summary>
    /// <param name="toolName">The tool name.</param>
    public bool IsAmbiguous(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return _byName.TryGetValue(toolName, out ToolDescriptor[]? found) && found.Length > 1;
    }

    private static bool Single(ToolDescriptor[]? found, [NotNullWhen(true)] out ToolDescriptor? tool)
    {
        tool = found is { Length: 1 } ? found[0] : null;
        return tool is not null;
    }

    private static void Append<TKey>(ConcurrentDictionary<TKey, ToolDescriptor[]> map, TKey key, ToolDescriptor tool)
        where TKey : notnull =>
        map[key] = map.TryGetValue(key, out ToolDescriptor[]? existing) ? [.. existing, tool] : [tool];

    private static IEnumerable<(string Plugin, string Function)> KernelNames(ToolDescriptor tool, MethodInfo method)
    {
        string? plugin = method.DeclaringType?.Name;
        if (plugin is null)
        {
            yield break;
        }

        var functions = new HashSet<string>(StringComparer.Ordinal) { tool.Name, method.Name };
        if (method.Name.EndsWith("Async", StringComparison.Ordinal) && method.Name.Length > "Async".Length)
        {
            functions.Add(method.Name[..^"Async".Length]);
        }

        foreach (string function in functions)
        {
            yield return (plugin, function);
        }
    }

    // A method's identity independent of the type it was reflected from and of generic instantiation.
    private readonly record struct MethodKey(Module Module, int MetadataToken)
    {
        public static MethodKey Of(MethodInfo method) => new(method.Module, method.MetadataToken);
    }
}
