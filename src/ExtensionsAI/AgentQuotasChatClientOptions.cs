using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>Options of <see cref="AgentQuotasChatClientBuilderExtensions.UseAgentQuotas"/>.</summary>
public sealed class AgentQuotasChatClientOptions
{
    /// <summary>How each model turn is counted and charged (the <see cref="GuardedChatClient"/> beneath function invocation).</summary>
    public GuardedChatClientOptions Turns { get; set; } = new();

    /// <summary>Where annotated tools are looked up. Default <see cref="ToolRegistry.Default"/>, which generated code fills.</summary>
    public ToolRegistry Registry { get; set; } = ToolRegistry.Default;

    /// <summary>
    /// Configures the function-invoking client (for example <see cref="FunctionInvokingChatClient.MaximumIterationsPerRequest"/>,
    /// <see cref="FunctionInvokingChatClient.AllowConcurrentInvocation"/>). Its iteration limit and the run's cap both apply:
    /// the tighter ends the loop, and the last turn's <see cref="ChatTurnDegradation"/> says which.
    /// </summary>
    public Action<FunctionInvokingChatClient>? ConfigureFunctionInvocation { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Turns, nameof(Turns));
        ArgumentNullException.ThrowIfNull(Registry, nameof(Registry));
        Turns.Validate();
    }
}
