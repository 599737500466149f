using AgentQuotas.Extensions.AI;
using Microsoft.Extensions.AI;
using SupportDesk.Agent;
using SupportDesk.Model;
using SupportDesk.Tools;

namespace SupportDesk.Hosting;

/// <summary>
/// Builds the support agent the way an application would: the annotated tools, their generated guarded AIFunctions
/// (<c>tools.CreateGuardedAIFunctions()</c>), and the model in a Microsoft.Extensions.AI pipeline whose
/// <c>UseAgentQuotas()</c> invokes the tools under the guard and counts each turn against the run, charging its tokens to
/// the <see cref="ModelCategory"/> bucket; beneath it a <see cref="ModelRoutingChatClient"/> sends each turn to the premium
/// or the small model as the policy routes it.
/// </summary>
public static class SupportDeskAgentFactory
{
    /// <summary>The category that pays for model tokens (budgeted in every tier of agentquotas.json).</summary>
    public const string ModelCategory = "model";

    /// <summary>The options of the guarded chat client: one unit per 100 prompt tokens, completion tokens four times as dear.</summary>
    public static GuardedChatClientOptions ChatOptions() => new()
    {
        TokenCategory = ModelCategory,
        InputTokenCost = 0.01,
        OutputTokenCost = 0.04,
    };

    /// <summary>Creates the agent.</summary>
    /// <param name="time">The clock the tools' and the model's latencies run on.</param>
    /// <param name="backend">Records what the tools really do.</param>
    /// <param name="chatOptions">The guarded chat client's options; <see cref="ChatOptions"/> when <see langword="null"/>.</param>
    public static SupportAgent Create(TimeProvider time, SupportBackend backend, GuardedChatClientOptions? chatOptions = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(backend);
        var tools = new SupportTools(new KnowledgeBase(), backend, time);
        IReadOnlyList<AIFunction> functions = tools.CreateGuardedAIFunctions(); // generated: one guarded AIFunction per [AgentTool]
        // Two models (the scripted one plays both), routed per turn by the policy's models section (docs/routing.md).
        var models = new Dictionary<string, IChatClient> { ["premium"] = new ScriptedChatClient(time), ["small"] = new ScriptedChatClient(time) };
        IChatClient model = new ModelRoutingChatClient(models).AsBuilder()
            .UseAgentQuotas(o => o.Turns = chatOptions ?? ChatOptions()) // function invocation guarded; turns counted, tokens charged
            .Build();
        return new SupportAgent(model, functions);
    }
}
