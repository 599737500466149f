using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.Harness;

/// <summary>
/// A chat model that plays a script: each turn asks for the next batch of tool calls, then answers with text. It
/// records what it was sent, so tests can see the tool results the model read and whether tools were offered.
/// </summary>
internal sealed class ScriptedModel : IChatClient
{
    private readonly Queue<FunctionCallContent[]> _turns;
    private int _callId;

    public ScriptedModel(params FunctionCallContent[][] turns) => _turns = new Queue<FunctionCallContent[]>(turns);

    /// <summary>Asks for <paramref name="call"/> on every turn, forever (a runaway).</summary>
    public Func<FunctionCallContent>? Forever { get; init; }

    public UsageDetails? UsagePerTurn { get; init; }

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public int Calls => Requests.Count;

    /// <summary>The results of tool calls the model has read, by call id.</summary>
    public IEnumerable<FunctionResultContent> ResultsSeen =>
        Requests.Count == 0 ? [] : Requests[^1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

    public static FunctionCallContent Call(string name, IDictionary<string, object?>? arguments = null) => new(string.Empty, name, arguments);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(([.. messages], options));
        bool toolsOffered = options?.Tools is { Count: > 0 };
        FunctionCallContent[]? next = null;
        if (toolsOffered)
        {
            if (_turns.Count > 0)
            {
                next = _turns.Dequeue();
            }
            else if (Forever is not null)
            {
                next = [Forever()];
            }
        }

        ChatMessage reply = next is { Length: > 0 }
            ? new ChatMessage(ChatRole.Assistant, [.. next.Select(c => (AIContent)new FunctionCallContent("call-" + Interlocked.Increment(ref _callId), c.Name, c.Arguments))])
            : new ChatMessage(ChatRole.Assistant, "done after " + Calls + " turns");
        return Task.FromResult(new ChatResponse(reply) { Usage = UsagePerTurn is null ? null : new UsageDetails { InputTokenCount = UsagePerTurn.InputTokenCount, OutputTokenCount = UsagePerTurn.OutputTokenCount } });
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
}
