using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace KernelDesk;

/// <summary>
/// An offline stand-in for a tool-calling model: while tools are offered it asks for its scripted calls one turn at a time
/// (by function name; Semantic Kernel offers them qualified with the plugin), then answers with what the functions returned.
/// With <see cref="Runaway"/> it never stops asking.
/// </summary>
public sealed class ScriptedModel : IChatClient
{
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
    private readonly Queue<FunctionCallContent> _script;
    private int _ids;

    /// <summary>Creates the model.</summary>
    /// <param name="script">The function calls to ask for, one per turn.</param>
    public ScriptedModel(params FunctionCallContent[] script) => _script = new Queue<FunctionCallContent>(script);

    /// <summary>Asks for this call every turn, forever.</summary>
    public FunctionCallContent? Runaway { get; init; }

    /// <summary>Model turns taken.</summary>
    public int Turns { get; private set; }

    /// <summary>Creates a function call for a script.</summary>
    /// <param name="function">The function name.</param>
    /// <param name="arguments">Its arguments.</param>
    public static FunctionCallContent Call(string function, params (string Name, object? Value)[] arguments) =>
        new(string.Empty, function, arguments.ToDictionary(a => a.Name, a => a.Value));

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Turns++;
        IList<AITool> tools = options?.Tools ?? [];
        FunctionCallContent? next = tools.Count > 0 ? (_script.Count > 0 ? _script.Dequeue() : Runaway) : null;
        if (next is not null)
        {
            string name = tools.FirstOrDefault(t => t.Name == next.Name || t.Name.EndsWith("_" + next.Name, StringComparison.Ordinal) || t.Name.EndsWith("-" + next.Name, StringComparison.Ordinal))?.Name ?? next.Name;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + ++_ids, name, next.Arguments)])));
        }

        string seen = string.Join("; ", messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => Describe(r.Result)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Here is what I found: " + seen)));
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
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString()!,
        _ => JsonSerializer.Serialize(result, Compact),
    };
}
