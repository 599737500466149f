using AgentQuotas;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Guard;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace SupportDesk.Agent;

/// <summary>
/// The support agent: one request to a Microsoft.Extensions.AI pipeline whose <c>UseAgentQuotas()</c> stage is a
/// <see cref="FunctionInvokingChatClient"/> that runs the tool calls the model asks for through the guard, over a
/// <see cref="GuardedChatClient"/> that counts each model turn and charges its tokens. The loop is the framework's; its
/// caps are <see cref="AgentLoopAttribute"/>'s: every call of <see cref="AnswerAsync"/> runs in a child agent run with those
/// caps (tightened by the tenant tier's limits), each model round trip counts as an iteration, every tool call counts
/// against the cap, and the last turn the cap allows is answered without tools.
/// </summary>
public sealed class SupportAgent
{
    /// <summary>The system prompt.</summary>
    public const string Instructions =
        "You are the support agent of an online shop. Search the knowledge base before you answer. Refund only what the " +
        "customer asked for. Always email the customer what you did. If a tool result says it is degraded, tell the customer " +
        "it is a draft; if it is an error, say what could not be done and when it can be retried.";

    private readonly IChatClient _chat;
    private readonly IReadOnlyList<AIFunction> _tools;

    /// <summary>Creates the agent.</summary>
    /// <param name="chat">The model behind a <c>UseAgentQuotas()</c> pipeline (function invocation, turns and tokens guarded).</param>
    /// <param name="tools">The guarded tools, from the generated <c>CreateGuardedAIFunctions()</c>.</param>
    public SupportAgent(IChatClient chat, IReadOnlyList<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(tools);
        _chat = chat;
        _tools = tools;
    }

    /// <summary>Answers one customer message.</summary>
    /// <param name="question">The customer's message.</param>
    /// <param name="ct">Cancels the conversation.</param>
    /// <returns>The answer, or why the gate stopped the loop.</returns>
    [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)]
    public async Task<AgentAnswer> AnswerAsync(string question, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        List<ChatMessage> messages = [new(ChatRole.System, Instructions), new(ChatRole.User, question)];
        var options = new ChatOptions { Tools = [.. _tools], ToolMode = ChatToolMode.Auto };
        AgentRun run = AgentRun.RequireCurrent(nameof(AnswerAsync));
        ChatResponse response;
        try
        {
            response = await _chat.GetResponseAsync(messages, options, ct);
        }
        catch (QuotaExceededException e)
        {
            // The gate refused a model turn: the tenant's model budget, a quarantine, the loop's cap reached on the first turn.
            return new AgentAnswer
            {
                Status = AnswerStatus.Stopped,
                Text = e.Message,
                Turns = run.Iterations,
                ToolCalls = [],
                StopReason = e.Reason,
                StopRetryAfter = e.RetryAfter,
            };
        }

        List<ToolCallRecord> calls = Records(response);
        ChatTurnDegradation? last = response.AdditionalProperties?.TryGetValue(GuardedChatClient.DegradationKey, out object? marker) == true
            ? marker as ChatTurnDegradation
            : null;
        if (last?.Limit == ChatTurnDegradation.RunIterationLimit)
        {
            // The loop's iteration cap ended it: the model answered its last allowed turn without tools.
            return new AgentAnswer
            {
                Status = AnswerStatus.Stopped,
                Text = response.Text,
                Turns = run.Iterations,
                TurnsWithoutTools = 1,
                ToolCalls = calls,
                StopReason = QuotaReason.RunIterationLimit,
            };
        }

        return new AgentAnswer
        {
            Status = AnswerStatus.Answered,
            Text = response.Text,
            Turns = run.Iterations,
            TurnsWithoutTools = last is null ? 0 : 1,
            ToolCalls = calls,
        };
    }

    // What became of each tool call, read from the results the function-invoking client fed back to the model.
    private static List<ToolCallRecord> Records(ChatResponse response)
    {
        Dictionary<string, string> names = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .ToDictionary(c => c.CallId, c => c.Name, StringComparer.Ordinal);
        List<ToolCallRecord> records = [];
        foreach (FunctionResultContent result in response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
        {
            string tool = names.GetValueOrDefault(result.CallId, "?");
            records.Add(result.Result switch
            {
                FallbackToolResult draft => new ToolCallRecord(tool, ToolCallOutcome.Drafted, Enum.Parse<QuotaReason>(draft.Reason),
                    draft.RetryAfterSeconds is double s ? TimeSpan.FromSeconds(s) : null, draft.Message),
                ToolRefusal { Error: "quota" } refusal => new ToolCallRecord(tool, ToolCallOutcome.Denied, Enum.Parse<QuotaReason>(refusal.Reason!),
                    refusal.RetryAfterSeconds is double r ? TimeSpan.FromSeconds(r) : null, refusal.Message),
                ToolRefusal { Error: "invalid_arguments" } refusal => new ToolCallRecord(tool, ToolCallOutcome.InvalidArguments, Message: refusal.Message),
                ToolRefusal refusal => new ToolCallRecord(tool, ToolCallOutcome.UnknownTool, Message: refusal.Message),
                string text when text.StartsWith("Error: Requested function", StringComparison.Ordinal) => new ToolCallRecord(tool, ToolCallOutcome.UnknownTool, Message: text),
                _ => new ToolCallRecord(tool, ToolCallOutcome.Ran),
            });
        }

        return records;
    }
}
