using AgentQuotas.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Extensions.AI;

/// <summary>
/// A <see cref="FunctionInvokingChatClient"/> that invokes every function through the AgentQuotas guard, exactly like a
/// direct call of an annotated tool: found in the tool registry by the function's <see cref="AIFunction.UnderlyingMethod"/>
/// or name, else in the policy's <c>tools</c> section, else refused (fail closed). Refusals, drafts and argument errors
/// come back to the model as the function's result, with the reason and <c>RetryAfter</c>. Functions that guard
/// themselves (generated AIFunctions, <c>WithAgentQuotas()</c> wrappers) are invoked as they are, so nothing is charged twice.
/// Built by <see cref="AgentQuotasChatClientBuilderExtensions.UseAgentQuotas"/>.
/// </summary>
public sealed class AgentQuotasFunctionInvokingChatClient : FunctionInvokingChatClient
{
    private readonly ToolRegistry _registry;

    /// <summary>Creates the client.</summary>
    /// <param name="innerClient">The client beneath (the model, usually through a <see cref="GuardedChatClient"/>).</param>
    /// <param name="registry">Where annotated tools are looked up; default <see cref="ToolRegistry.Default"/>.</param>
    /// <param name="loggerFactory">For the base client's logging.</param>
    /// <param name="functionInvocationServices">Services handed to functions.</param>
    public AgentQuotasFunctionInvokingChatClient(IChatClient innerClient, ToolRegistry? registry = null, ILoggerFactory? loggerFactory = null, IServiceProvider? functionInvocationServices = null)
        : base(innerClient, loggerFactory, functionInvocationServices)
    {
        _registry = registry ?? ToolRegistry.Default;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using RequestTurns.Scope scope = RequestTurns.Begin(MaximumIterationsPerRequest);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override ValueTask<object?> InvokeFunctionAsync(FunctionInvocationContext context, CancellationToken cancellationToken) =>
        FunctionGuard.InvokeAsync(context, (c, ct) => base.InvokeFunctionAsync(c, ct), _registry, cancellationToken);
}
