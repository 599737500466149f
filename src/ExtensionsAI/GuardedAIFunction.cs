using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>
/// An <see cref="AIFunction"/> whose every invocation goes through <see cref="GuardedToolInvoker"/>: inside the current
/// agent run (fail closed outside one), under the tool's quota (the descriptor given, else the generated registry by the
/// function's <see cref="AIFunction.UnderlyingMethod"/> or name, else the policy's <c>tools</c> section, else refused).
/// A denied call returns a <see cref="ToolRefusal"/> (reason and <c>RetryAfter</c>) as the function's result, so a model
/// reads why; a fallback's draft comes back as a <see cref="Guard.FallbackToolResult"/>. Create one with
/// <c>fn.WithAgentQuotas()</c> (<see cref="AgentQuotasAIFunctionExtensions"/>).
/// </summary>
public sealed class GuardedAIFunction : DelegatingAIFunction, IGuardedTool
{
    private readonly object? _target;
    private readonly ToolRegistry _registry;

    internal GuardedAIFunction(AIFunction innerFunction, ToolDescriptor? descriptor, object? target, ToolRegistry registry)
        : base(innerFunction)
    {
        Descriptor = descriptor;
        _target = target;
        _registry = registry;
    }

    /// <summary>The descriptor given when wrapping; <see langword="null"/> when the quota is looked up per call.</summary>
    public ToolDescriptor? Descriptor { get; }

    /// <inheritdoc/>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var call = new ToolCall(Name, arguments)
        {
            Method = UnderlyingMethod,
            Descriptor = Descriptor,
            Target = _target,
            Registry = _registry,
        };
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(call, ct => base.InvokeCoreAsync(arguments, ct), cancellationToken).ConfigureAwait(false);
        return result.ToModelResult();
    }
}
