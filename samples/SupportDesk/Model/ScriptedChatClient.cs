using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SupportDesk.Hosting;

namespace SupportDesk.Model;

/// <summary>
/// A deterministic stand-in for a language model, so the sample runs offline without keys: it reads the customer's
/// message and the tool results so far, and plans the next step the way a tool-calling model would (search, then
/// refund or summarize, then email the customer, then answer). It reports token usage derived from text lengths and
/// takes time on the given clock. Asked to "keep digging", it never considers the work done and asks for more
/// searches every turn: a runaway loop that only the agent loop's caps stop.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    /// <summary>The model id the responses carry.</summary>
    public const string Model = "scripted-support-1";

    private const int PromptOverheadTokens = 180; // instructions and tool schemas a real provider would bill
    private static readonly TimeSpan BaseLatency = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LatencyPerOutputToken = TimeSpan.FromMilliseconds(5);

    private readonly TimeProvider _time;
    private readonly ChatClientMetadata _metadata = new("scripted", providerUri: null, Model);

    /// <summary>Creates the model.</summary>
    /// <param name="time">The clock its latency runs on.</param>
    public ScriptedChatClient(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        List<ChatMessage> transcript = [.. messages];
        ChatMessage reply = Plan(transcript, options);
        UsageDetails usage = CountTokens(transcript, options, reply);
        await _time.DelayAsync(BaseLatency + (LatencyPerOutputToken * usage.OutputTokenCount!.Value), cancellationToken);
        bool calls = reply.Contents.OfType<FunctionCallContent>().Any();
        return new ChatResponse(reply)
        {
            ModelId = Model,
            Usage = usage,
            FinishReason = calls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    /// <summary>Decides the next assistant message for a transcript: tool calls, or the final answer.</summary>
    internal static ChatMessage Plan(IReadOnlyList<ChatMessage> transcript, ChatOptions? options)
    {
        ChatMessage? question = transcript.FirstOrDefault(m => m.Role == ChatRole.User);
        if (question is null)
        {
            return Answer("How can I help?");
        }

        CustomerRequest request = CustomerRequest.Parse(question.Text);
        int turn = transcript.Count(m => m.Role == ChatRole.Assistant) + 1;
        List<FunctionCallContent> calls = [.. transcript.Where(m => m.Role == ChatRole.Assistant).SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        Dictionary<string, ToolResultView> results = transcript.SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .GroupBy(r => r.CallId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => ToolResultView.Parse(g.Last().Result), StringComparer.Ordinal);
        var available = new HashSet<string>(options?.Tools?.Select(t => t.Name) ?? [], StringComparer.Ordinal);

        ToolResultView? ResultOf(string tool) =>
            calls.LastOrDefault(c => c.Name == tool) is { } call && results.TryGetValue(call.CallId, out ToolResultView? view) ? view : null;

        List<FunctionCallContent> searches = [.. calls.Where(c => c.Name == "search_kb")];
        if (request.Kind == RequestKind.Runaway)
        {
            // Never satisfied: there is always another page to read (three at a time when asked to be thorough).
            int pages = question.Text.Contains("thoroughly", StringComparison.OrdinalIgnoreCase) ? 3 : 2;
            return available.Contains("search_kb")
                ? Call(turn, [.. Enumerable.Range(searches.Count + 1, pages).Select(page => ("search_kb", (object)new { query = Page(request.Query, page) }))])
                : Answer(string.Create(CultureInfo.InvariantCulture, $"Stopped after {searches.Count} searches: no tools are left for this conversation."));
        }

        if (searches.Count == 0)
        {
            return available.Contains("search_kb")
                ? Call(turn, ("search_kb", new { query = request.Query }))
                : Answer("I cannot look anything up in this conversation; please contact support by email.");
        }

        List<(string Title, string Summary)> found = [.. searches
            .Select(c => results.TryGetValue(c.CallId, out ToolResultView? view) ? view : null)
            .Where(v => v is { Failed: false, Value: not null })
            .SelectMany(v => Articles(v!.Value!.Value))
            .Distinct()];

        if (found.Count == 0)
        {
            return Answer("Sorry, I could not search our knowledge base just now because " + ResultOf("search_kb")!.DescribeProblem() + ".");
        }

        if (request.Kind == RequestKind.Refund && ResultOf("issue_refund") is null && available.Contains("issue_refund") && request.OrderId is not null)
        {
            return Call(turn, ("issue_refund", new { orderId = request.OrderId, amount = request.Amount ?? 0m }));
        }

        if (request.Kind == RequestKind.Summary && ResultOf("summarize") is null && available.Contains("summarize"))
        {
            return Call(turn, ("summarize", new { docs = found.Select(a => a.Title + ": " + a.Summary).ToArray() }));
        }

        string outcome = Outcome(request, found, ResultOf("issue_refund"), ResultOf("summarize"));
        ToolResultView? email = ResultOf("send_email");
        if (email is null && available.Contains("send_email"))
        {
            string subject = request.Kind switch
            {
                RequestKind.Refund => "Your refund for order " + request.OrderId,
                RequestKind.Summary => "Your support digest",
                _ => "Re: " + request.Query,
            };
            return Call(turn, ("send_email", new { to = request.CustomerEmail, subject, body = outcome }));
        }

        string mailed = email switch
        {
            null => " (No email was sent: no tools were left for this conversation.)",
            { Failed: true } => " (The email was not sent because " + email.DescribeProblem() + ".)",
            _ => " I emailed " + request.CustomerEmail + ".",
        };
        return Answer(outcome + mailed);
    }

    private static string Outcome(CustomerRequest request, List<(string Title, string Summary)> found, ToolResultView? refund, ToolResultView? summary)
    {
        switch (request.Kind)
        {
            case RequestKind.Refund when refund is null:
                return found[0].Summary + " A refund could not be started in this conversation.";

            case RequestKind.Refund when refund.Failed:
                return found[0].Summary + " The refund could not be started because " + refund.DescribeProblem() + ".";

            case RequestKind.Refund:
                string reference = ToolResultView.Text(refund.Value!.Value, "reference") ?? "?";
                string amount = (ToolResultView.Number(refund.Value!.Value, "amount") ?? 0).ToString("0.00", CultureInfo.InvariantCulture);
                return refund.Degraded
                    ? $"A refund of {amount} USD for order {request.OrderId} is drafted ({reference}) and waits for approval because {refund.DescribeProblem()}; no money has moved yet."
                    : $"Your refund of {amount} USD for order {request.OrderId} is on its way ({reference}).";

            case RequestKind.Summary when summary is { Failed: false, Value: { ValueKind: JsonValueKind.String } text }:
                return text.GetString()!;

            case RequestKind.Summary:
                return "Articles found: " + string.Join("; ", found.Select(a => a.Title)) +
                    (summary is null ? "." : ". The summary could not be written because " + summary.DescribeProblem() + ".");

            default:
                return found[0].Summary;
        }
    }

    private static IEnumerable<(string Title, string Summary)> Articles(JsonElement searchResult)
    {
        if (ToolResultView.Find(searchResult, "articles") is { ValueKind: JsonValueKind.Array } articles)
        {
            foreach (JsonElement article in articles.EnumerateArray())
            {
                yield return (ToolResultView.Text(article, "title") ?? "?", ToolResultView.Text(article, "summary") ?? string.Empty);
            }
        }
    }

    private static string Page(string query, int page) => string.Create(CultureInfo.InvariantCulture, $"{query} (page {page})");

    private static ChatMessage Answer(string text) => new(ChatRole.Assistant, text);

    private static ChatMessage Call(int turn, params (string Tool, object Arguments)[] calls)
    {
        var contents = new List<AIContent>();
        for (int i = 0; i < calls.Length; i++)
        {
            // Arguments arrive as JSON, as they would from a real provider.
            JsonElement json = JsonSerializer.SerializeToElement(calls[i].Arguments);
            Dictionary<string, object?> arguments = json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
            contents.Add(new FunctionCallContent(string.Create(CultureInfo.InvariantCulture, $"call-{turn}-{i + 1}"), calls[i].Tool, arguments));
        }

        return new ChatMessage(ChatRole.Assistant, contents);
    }

    private static UsageDetails CountTokens(List<ChatMessage> transcript, ChatOptions? options, ChatMessage reply)
    {
        long input = PromptOverheadTokens + ((options?.Tools?.Count ?? 0) * 40) + (transcript.Sum(Characters) / 4);
        long output = 5 + (Characters(reply) / 4);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static long Characters(ChatMessage message) => message.Contents.Sum(c => c switch
    {
        TextContent text => (long)text.Text.Length,
        FunctionCallContent call => call.Name.Length + JsonSerializer.Serialize(call.Arguments).Length,
        FunctionResultContent result => (result.Result as string ?? JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions)).Length,
        _ => 0L,
    });
}
