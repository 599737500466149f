using System.Reflection;

namespace AgentQuotas.Tools;

/// <summary>
/// One tool call as a framework presents it to <see cref="GuardedToolInvoker"/>: the name it used, its
/// arguments, and whatever the framework knows that identifies the tool (its method, its plugin). The run,
/// tenant and principal are never part of it: they come from <see cref="AgentRun.Current"/>.
/// </summary>
public sealed class ToolCall
{
    private static readonly IReadOnlyDictionary<string, object?> NoArguments = new Dictionary<string, object?>(0);

    /// <summary>Creates a call.</summary>
    /// <param name="name">The tool name the framework (or the model) used.</param>
    /// <param name="arguments">The arguments by parameter name; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ToolCall(string name, IReadOnlyDictionary<string, object?>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Arguments = arguments ?? NoArguments;
    }

    /// <summary>The tool name the framework used.</summary>
    public string Name { get; }

    /// <summary>The call's arguments by parameter name.</summary>
    public IReadOnlyDictionary<string, object?> Arguments { get; }

    /// <summary>The method the framework's function wraps, if it knows it (an AIFunction's <c>UnderlyingMethod</c>).</summary>
    public MethodInfo? Method { get; init; }

    /// <summary>The Semantic Kernel plugin the function belongs to, if any.</summary>
    public string? PluginName { get; init; }

    /// <summary>The instance the tool belongs to, if known: needed to run an instance fallback.</summary>
    public object? Target { get; init; }

    /// <summary>The tool's descriptor when the integration already has it; otherwise it is looked up.</summary>
    public ToolDescriptor? Descriptor { get; init; }

    /// <summary>Where annotated tools are looked up. Default <see cref="ToolRegistry.Default"/>.</summary>
    public ToolRegistry Registry { get; init; } = ToolRegistry.Default;

    /// <summary>
    /// The approval this call resumes with (<see cref="PendingApproval.Id"/> from an earlier refusal); <see langword="null"/> for a
    /// first call. Only the approval's own tenant, principal, tool and arguments can use it, once.
    /// </summary>
    public string? ApprovalId { get; init; }

    /// <inheritdoc/>
    public override string ToString() => PluginName is null ? Name : PluginName + "." + Name;
}
