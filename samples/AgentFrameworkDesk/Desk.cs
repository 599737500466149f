using AgentQuotas;
using AgentQuotas.Agents.AI;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace AgentFrameworkDesk;

/// <summary>
/// The sample's wiring: a <see cref="ChatClientAgent"/> with the desk's tools (the generated AIFunctions of the annotated
/// ones, and a third-party function whose quota is in the policy) under one line, <c>agent.AsBuilder().UseAgentQuotas()</c>,
/// inside an agent run opened where the caller is authenticated.
/// </summary>
public sealed class Desk : IDisposable
{
    private readonly InMemoryAuditSink _audit = new();

    /// <summary>Creates the desk on the policy next to the program.</summary>
    /// <param name="policy">The policy; <c>agentquotas.json</c> beside the executable when <see langword="null"/>.</param>
    /// <param name="time">The gate's clock; the system clock when <see langword="null"/> (tests pass a manual one).</param>
    public Desk(QuotaPolicy? policy = null, TimeProvider? time = null)
    {
        Gate = new QuotaGate(
            policy ?? QuotaPolicy.Load(Path.Combine(AppContext.BaseDirectory, "agentquotas.json")),
            new QuotaGateOptions { AuditSink = _audit, TimeProvider = time ?? TimeProvider.System });
    }

    /// <summary>The gate.</summary>
    public QuotaGate Gate { get; }

    /// <summary>The tools (and what they really did).</summary>
    public DeskTools Tools { get; } = new();

    /// <summary>The audit trail.</summary>
    public IReadOnlyList<QuotaAuditRecord> AuditTrail => _audit.Snapshot();

    /// <summary>Builds the agent for a model.</summary>
    /// <param name="model">The (scripted) model.</param>
    public AIAgent Agent(IChatClient model)
    {
        ArgumentNullException.ThrowIfNull(model);
        AITool[] tools =
        [
            .. Tools.CreateGuardedAIFunctions(),                                          // generated from the annotations
            AIFunctionFactory.Create((string city) => "sunny in " + city, "weather"),   // not annotated: its quota is in the policy's "tools"
        ];
        return model.AsAIAgent(instructions: "You are the support desk.", name: "desk", tools: tools)
            .AsBuilder()
            .UseAgentQuotas()          // every tool call guarded; each agent run counts turns against the caller's run
            .Build();
    }

    /// <summary>Asks the agent once, for <paramref name="tenant"/>, inside an agent run (the authenticated caller's).</summary>
    /// <param name="tenant">The tenant, from authentication.</param>
    /// <param name="model">The scripted model.</param>
    /// <param name="question">The question.</param>
    public async Task<AgentResponse> AskAsync(string tenant, IChatClient model, string question)
    {
        using AgentRun run = Gate.BeginRun(new AgentIdentity(tenant, "user-1"), WorkloadClass.High, "desk");
        return await Agent(model).RunAsync(question);
    }

    /// <inheritdoc/>
    public void Dispose() => Gate.Dispose();
}
