using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentFrameworkDesk;

/// <summary>
/// An offline stand-in for a tool-calling model: it asks for the tool calls of its script one turn at a time (while
/// tools are offered), then answers with what the tools returned. With <see cref="Runaway"/> it never stops asking.
/// </summary>
public sealed class ScriptedModel : IChatClient
{
    private static readonly System.Text.Json.JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
    private readonly Queue<FunctionCallContent> _script;
    private int _ids;

    /// <summary>Creates the model.</summary>
    /// <param name="script">The tool calls to ask for, one per turn.</param>
    public ScriptedModel(params FunctionCallContent[] script) => _script = new Queue<FunctionCallContent>(script);

    /// <summary>Asks for this call every turn, forever.</summary>
    public FunctionCallContent? Runaway { get; init; }

    /// <summary>Model turns taken.</summary>
    public int Turns { get; private set; }

    /// <summary>Creates a tool call for a script.</summary>
    /// <param name="tool">The tool name.</param>
    /// <param name="arguments">Its arguments.</param>
    public static FunctionCallContent Call(string tool, params (string Name, object? Value)[] arguments) =>
        new(string.Empty, tool, arguments.ToDictionary(a => a.Name, a => a.Value));

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Turns++;
        FunctionCallContent? next = options?.Tools is { Count: > 0 } ? (_script.Count > 0 ? _script.Dequeue() : Runaway) : null;
        if (next is not null)
        {
            var call = new FunctionCallContent("call-" + ++_ids, next.Name, next.Arguments);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { Usage = new UsageDetails { InputTokenCount = 200, OutputTokenCount = 20 } });
        }

        string seen = string.Join("; ", messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => Describe(r.Result)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Here is what I found: " + seen)) { Usage = new UsageDetails { InputTokenCount = 200, OutputTokenCount = 40 } });
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (ChatResponseUpdate update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static string Describe(object? result) => result switch
    {
        null => "(nothing)",
        string s => s,
        _ => System.Text.Json.JsonSerializer.Serialize(result, Compact),
    };
}
