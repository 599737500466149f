using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentQuotas.SemanticKernel.Tests.Harness;

/// <summary>
/// A chat model that plays a script offline: each turn asks for the next round of function calls (by the function's own
/// name; the offered tool whose name ends with it is called), then answers with text. It records what it was sent.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<(string Function, Dictionary<string, object?> Arguments)[]> _rounds;
    private int _callId;

    public ScriptedChatClient(params (string Function, Dictionary<string, object?> Arguments)[][] rounds) => _rounds = new(rounds);

    /// <summary>Asks for this call on every turn once the script is played (a runaway).</summary>
    public (string Function, Dictionary<string, object?> Arguments)? Forever { get; init; }

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public int Calls => Requests.Count;

    public IEnumerable<FunctionResultContent> ResultsSeen =>
        Requests.Count == 0 ? [] : Requests[^1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

    public IReadOnlyList<string> OfferedTools => Requests.Count == 0 ? [] : [.. (Requests[0].Options?.Tools ?? []).Select(t => t.Name)];

    public static (string, Dictionary<string, object?>) Call(string function, params (string Name, object? Value)[] arguments) =>
        (function, arguments.ToDictionary(a => a.Name, a => a.Value));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(([.. messages], options));
        IList<AITool> tools = options?.Tools ?? [];
        (string Function, Dictionary<string, object?> Arguments)[]? round = null;
        if (tools.Count > 0)
        {
            round = _rounds.Count > 0 ? _rounds.Dequeue() : Forever is { } forever ? [forever] : null;
        }

        ChatMessage reply = round is { Length: > 0 }
            ? new ChatMessage(ChatRole.Assistant, [.. round.Select(c => (AIContent)new FunctionCallContent(
                "call-" + Interlocked.Increment(ref _callId), ToolName(tools, c.Function), c.Arguments))])
            : new ChatMessage(ChatRole.Assistant, "done after " + Calls + " turns");
        return Task.FromResult(new ChatResponse(reply));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    // The model names a tool as it was offered (Semantic Kernel qualifies it with the plugin); a name never offered stays as is.
    private static string ToolName(IList<AITool> tools, string function) =>
        tools.FirstOrDefault(t => t.Name == function || t.Name.EndsWith("_" + function, StringComparison.Ordinal) || t.Name.EndsWith("-" + function, StringComparison.Ordinal))?.Name ?? function;
}
