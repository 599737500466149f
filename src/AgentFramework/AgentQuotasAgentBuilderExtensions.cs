using Microsoft.Agents.AI;

namespace AgentQuotas.Agents.AI;

/// <summary>Puts an Agent Framework agent under AgentQuotas: <c>agent.AsBuilder().UseAgentQuotas(...)</c>.</summary>
public static class AgentQuotasAgentBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="AgentQuotasAgent"/> middleware: each agent run becomes an agent run of the caller's authenticated
    /// identity, every tool call the agent makes is guarded like a direct call of an annotated tool, and model turns and
    /// tokens are counted against the run.
    /// </summary>
    /// <param name="builder">The agent builder.</param>
    /// <param name="configure">Adjusts the options; defaults (the caller's current run is required) when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (checked now).</exception>
    public static AIAgentBuilder UseAgentQuotas(this AIAgentBuilder builder, Action<AgentQuotasAgentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AgentQuotasAgentOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Use((inner, services) => new AgentQuotasAgent(inner, options, services));
    }
}
