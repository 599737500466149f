using System.Text.Json;
using AgentQuotas;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Guard;
using Microsoft.Extensions.AI;

namespace SupportDesk.Agent;

/// <summary>
/// The support agent: asks the chat model, runs the tool calls it returns through the generated, guarded
/// AIFunctions, feeds the results back, until the model answers. The loop is capped by
/// <see cref="AgentLoopAttribute"/>: every call of <see cref="AnswerAsync"/> runs in a child agent run with those caps
/// (tightened by the tenant tier's limits), each model turn counts as an iteration (the guarded chat client counts
/// it), and every tool call counts against the cap. Analyzer AQ0003 accepts the <c>while</c> loop because of it.
/// </summary>
public sealed class SupportAgent
{
    /// <summary>The system prompt.</summary>
    public const string Instructions =
        "You are the support agent of an online shop. Search the knowledge base before you answer. Refund only what the " +
        "customer asked for. Always email the customer what you did. If a tool result says it is degraded, tell the customer " +
        "it is a draft; if it is an error, say what could not be done and when it can be retried.";

    private readonly IChatClient _chat;
    private readonly Dictionary<string, AIFunction> _tools;

    /// <summary>Creates the agent.</summary>
    /// <param name="chat">The model, wrapped by <see cref="GuardedChatClient"/> so each turn is counted and its tokens charged.</param>
    /// <param name="tools">The guarded tools, from the generated <c>CreateGuardedAIFunctions()</c>.</param>
    public SupportAgent(IChatClient chat, IReadOnlyList<AIFunction> tools)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(tools);
        _chat = chat;
        _tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
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
        var options = new ChatOptions { Tools = [.. _tools.Values], ToolMode = ChatToolMode.Auto };
        List<ToolCallRecord> calls = [];
        int turns = 0;
        int withoutTools = 0;
        while (true)
        {
            ChatResponse response;
            try
            {
                response = await _chat.GetResponseAsync(messages, options, ct);
            }
            catch (QuotaExceededException e)
            {
                // The gate refused the next model turn: the loop's iteration cap, the tenant's model budget, a quarantine.
                return new AgentAnswer
                {
                    Status = AnswerStatus.Stopped,
                    Text = e.Message,
                    Turns = turns,
                    TurnsWithoutTools = withoutTools,
                    ToolCalls = calls,
                    StopReason = e.Reason,
                    StopRetryAfter = e.RetryAfter,
                };
            }

            turns++;
            if (response.AdditionalProperties?.ContainsKey(GuardedChatClient.DegradationKey) == true)
            {
                withoutTools++; // the run's tool budget was spent, so the turn was answered without tools
            }

            messages.AddMessages(response);
            List<FunctionCallContent> requested = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
            if (requested.Count == 0)
            {
                return new AgentAnswer { Status = AnswerStatus.Answered, Text = response.Text, Turns = turns, TurnsWithoutTools = withoutTools, ToolCalls = calls };
            }

            foreach (FunctionCallContent call in requested)
            {
                (string result, ToolCallRecord record) = await InvokeAsync(call, ct);
                calls.Add(record);
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
            }
        }
    }

    // Runs one tool call through its guarded AIFunction and turns the outcome into the JSON text a model reads.
    private async Task<(string Result, ToolCallRecord Record)> InvokeAsync(FunctionCallContent call, CancellationToken ct)
    {
        if (!_tools.TryGetValue(call.Name, out AIFunction? function))
        {
            return (Error("unknown_tool", null, null, $"There is no tool named '{call.Name}'."), new ToolCallRecord(call.Name, ToolCallOutcome.UnknownTool));
        }

        try
        {
            object? value = await function.InvokeAsync(new AIFunctionArguments(call.Arguments), ct);
            string json = JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), AIJsonUtilities.DefaultOptions);
            return value is FallbackToolResult draft
                ? (json, new ToolCallRecord(call.Name, ToolCallOutcome.Drafted, Enum.Parse<QuotaReason>(draft.Reason),
                    draft.RetryAfterSeconds is double s ? TimeSpan.FromSeconds(s) : null, draft.Message))
                : (json, new ToolCallRecord(call.Name, ToolCallOutcome.Ran));
        }
        catch (QuotaExceededException e)
        {
            return (Error("quota", e.Reason.ToString(), e.RetryAfter, e.Message), new ToolCallRecord(call.Name, ToolCallOutcome.Denied, e.Reason, e.RetryAfter, e.Message));
        }
        catch (ToolArgumentException e)
        {
            return (Error("arguments", null, null, e.Message), new ToolCallRecord(call.Name, ToolCallOutcome.InvalidArguments, Message: e.Message));
        }
    }

    private static string Error(string kind, string? reason, TimeSpan? retryAfter, string message) =>
        JsonSerializer.Serialize(new ToolError(kind, reason, retryAfter?.TotalSeconds, message), AIJsonUtilities.DefaultOptions);

    private sealed record ToolError(string Error, string? Reason, double? RetryAfterSeconds, string Message);
}
