using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentQuotas.Generators.Integration.ModelCalls;

/// <summary>A model that never says it is done: every response asks for more (10 input, 5 output tokens each).</summary>
public sealed class ScriptedChatClient : IChatClient
{
    private int _calls;
    private int _functionCallsLeft;

    /// <param name="functionCalls">How many times to ask for the 'noop' function before answering (for function-invoking clients).</param>
    public ScriptedChatClient(int functionCalls = 0)
    {
        _functionCallsLeft = functionCalls;
    }

    /// <summary>Round trips to the model, streaming included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public string ResponseText { get; set; } = "more";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int n = Interlocked.Increment(ref _calls);
        var message = _functionCallsLeft-- > 0
            ? new ChatMessage(ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("call-" + n, "noop")])
            : new ChatMessage(ChatRole.Assistant, ResponseText);
        return Task.FromResult(new ChatResponse(message)
        {
            FinishReason = ChatFinishReason.Length,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "part");
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 })]);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>A Semantic Kernel chat completion service that reports usage in metadata, as SK's connectors do.</summary>
public sealed class ScriptedChatCompletionService : IChatCompletionService
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        IReadOnlyList<ChatMessageContent> replies =
        [
            new ChatMessageContent(AuthorRole.Assistant, "more", metadata: new Dictionary<string, object?> { ["Usage"] = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } }),
        ];
        return Task.FromResult(replies);
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await Task.Yield();
        yield return new StreamingChatMessageContent(AuthorRole.Assistant, "part");
        yield return new StreamingChatMessageContent(AuthorRole.Assistant, null, metadata: new Dictionary<string, object?> { ["Usage"] = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } });
    }
}
