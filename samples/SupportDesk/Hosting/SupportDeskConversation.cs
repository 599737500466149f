using AgentQuotas;
using SupportDesk.Agent;

namespace SupportDesk.Hosting;

/// <summary>One conversation, from the edge of the system: open an agent run for the caller, ask the agent.</summary>
public static class SupportDeskConversation
{
    /// <summary>
    /// Opens an agent run for <paramref name="identity"/> at <paramref name="workloadClass"/> and asks the agent. The call
    /// to <see cref="SupportAgent.AnswerAsync"/> is intercepted by the generator: it runs in a child run with the
    /// <see cref="AgentLoopAttribute"/> caps.
    /// </summary>
    /// <param name="gate">The gate.</param>
    /// <param name="agent">The agent.</param>
    /// <param name="identity">Who the conversation is for: the tenant comes from here, never from tool arguments.</param>
    /// <param name="workloadClass">How urgent it is.</param>
    /// <param name="workflow">A workflow name for the audit trail.</param>
    /// <param name="question">The customer's message.</param>
    /// <param name="cancellationToken">Cancels the conversation.</param>
    public static async Task<AgentAnswer> RunAsync(QuotaGate gate, SupportAgent agent, AgentIdentity identity, WorkloadClass workloadClass,
        string workflow, string question, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(agent);
        using AgentRun run = gate.BeginRun(identity, workloadClass, workflow);
        return await agent.AnswerAsync(question, cancellationToken);
    }
}
