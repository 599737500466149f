using AgentQuotas.Extensions.AI;
using AgentQuotas.Tools;

namespace AgentQuotas.Agents.AI;

/// <summary>Options of <see cref="AgentQuotasAgentBuilderExtensions.UseAgentQuotas"/>. Validated when the agent is built.</summary>
/// <remarks>
/// Where a run comes from, in order: the caller's current <see cref="AgentRun"/> (the agent run becomes its child, so the
/// tenant and principal are the caller's); otherwise <see cref="IdentityProvider"/> names the authenticated caller and the
/// agent opens a run for it on <see cref="Gate"/>; otherwise the agent run fails closed. The identity never comes from the
/// model, a tool argument or message text.
/// </remarks>
public sealed class AgentQuotasAgentOptions
{
    /// <summary>The gate that opens runs when the caller has none. Required with <see cref="IdentityProvider"/>.</summary>
    public QuotaGate? Gate { get; set; }

    /// <summary>
    /// Reads the authenticated caller from the application's services (for example the current request's user), or returns
    /// <see langword="null"/> when there is none, which refuses the agent run. Used only when the caller has no current run.
    /// </summary>
    public Func<IServiceProvider, AgentIdentity?>? IdentityProvider { get; set; }

    /// <summary>The workload class of runs opened for <see cref="IdentityProvider"/>'s identity. Default <see cref="WorkloadClass.Standard"/>.</summary>
    public WorkloadClass WorkloadClass { get; set; } = WorkloadClass.Standard;

    /// <summary>The workflow name of runs this agent opens, for audit; default the agent's name.</summary>
    public string? Workflow { get; set; }

    /// <summary>Caps of each agent run (tightened by the tier's limits and by an enclosing run's caps); <see langword="null"/> for none of its own.</summary>
    public RunLimits? Limits { get; set; }

    /// <summary>How model turns are counted and tokens charged (<see cref="GuardedChatClientOptions.TokenCategory"/> and the token costs).</summary>
    public GuardedChatClientOptions Turns { get; set; } = new();

    /// <summary>Where annotated tools are looked up. Default <see cref="ToolRegistry.Default"/>, which generated code fills.</summary>
    public ToolRegistry Registry { get; set; } = ToolRegistry.Default;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Turns, nameof(Turns));
        ArgumentNullException.ThrowIfNull(Registry, nameof(Registry));
        if (IdentityProvider is not null && Gate is null)
        {
            throw new ArgumentException("IdentityProvider needs Gate: the gate that opens runs for the identities it returns.", nameof(Gate));
        }

        if (!Enum.IsDefined(WorkloadClass))
        {
            throw new ArgumentOutOfRangeException(nameof(WorkloadClass), WorkloadClass, "Unknown workload class.");
        }

        Turns.Validate();
    }
}
