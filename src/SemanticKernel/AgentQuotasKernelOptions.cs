using AgentQuotas.Tools;

namespace AgentQuotas.SemanticKernel;

/// <summary>Options of <see cref="AgentQuotasKernelExtensions.UseAgentQuotas"/> and <see cref="AgentQuotasKernelExtensions.AddAgentQuotas"/>.</summary>
/// <remarks>
/// The run, tenant and principal always come from the caller's current <see cref="AgentRun"/> (opened where the request is
/// authenticated): a kernel invocation outside a run fails closed. Nothing here can name an identity.
/// </remarks>
public sealed class AgentQuotasKernelOptions
{
    /// <summary>Where annotated tools are looked up. Default <see cref="ToolRegistry.Default"/>, which generated code fills.</summary>
    public ToolRegistry Registry { get; set; } = ToolRegistry.Default;

    /// <summary>
    /// Whether a prompt function (<c>kernel.InvokePromptAsync</c>, a function created from a prompt) counts as a model turn of
    /// the current run, and each further round trip of its automatic function calling as another. Default <see langword="true"/>.
    /// Set it to <see langword="false"/> when the kernel's chat client already counts turns (a <c>GuardedChatClient</c> from
    /// AgentQuotas.Extensions.AI beneath it), so no turn is counted twice.
    /// </summary>
    public bool CountModelTurns { get; set; } = true;

    /// <summary>
    /// The objects plugins were created from (<c>kernel.Plugins.AddFromObject(tools)</c>), so a tool's instance
    /// <see cref="FallbackAttribute">fallback</see> can run: Semantic Kernel does not expose a function's target, so the filter
    /// finds it here (by the tool method's declaring type), else in the kernel's services. Static fallbacks need nothing.
    /// Without an instance, an instance fallback cannot draft and the call is refused with a message saying so.
    /// </summary>
    public IList<object> PluginTargets { get; } = [];

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Registry, nameof(Registry));
        if (PluginTargets.Any(t => t is null))
        {
            throw new ArgumentException("PluginTargets must not contain null.", nameof(PluginTargets));
        }
    }

    internal object? FindTarget(Type declaringType, IServiceProvider services)
    {
        foreach (object target in PluginTargets)
        {
            if (declaringType.IsInstanceOfType(target))
            {
                return target;
            }
        }

        return services.GetService(declaringType);
    }
}
