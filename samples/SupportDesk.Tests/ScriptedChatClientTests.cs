using System.Text.Json;
using AgentQuotas;
using AgentQuotas.Guard;
using Microsoft.Extensions.AI;
using SupportDesk.Model;

namespace SupportDesk.Tests;

/// <summary>The offline model: plans from the message and the tool results, deterministically, and reports token usage.</summary>
public class ScriptedChatClientTests
{
    private readonly Hosting.VirtualTimeLoop _loop = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static readonly ChatOptions AllTools = new()
    {
        Tools = [.. ((string[])["search_kb", "summarize", "issue_refund", "send_email"]).Select(name => AIFunctionFactory.CreateDeclaration(name, null, JsonDocument.Parse("{}").RootElement))],
    };

    [Theory]
    [InlineData("Hi, where is my order A-1042? Thanks, ann@acme.example", RequestKind.Lookup, "ann@acme.example", "A-1042", null)]
    [InlineData("Order B-7 arrived damaged. Please refund 12.50 USD to my card. bob@x.example", RequestKind.Refund, "bob@x.example", "B-7", "12.50")]
    [InlineData("Please summarize the articles about refund policy for our weekly report. Send it to leads@x.example.", RequestKind.Summary, "leads@x.example", null, null)]
    [InlineData("Investigate every article related to api rate limits and keep digging until nothing new turns up.", RequestKind.Runaway, "customer@example.com", null, null)]
    public void It_reads_what_the_customer_asks_for(string message, RequestKind kind, string email, string? order, string? amount)
    {
        CustomerRequest request = CustomerRequest.Parse(message);
        Assert.Equal(kind, request.Kind);
        Assert.Equal(email, request.CustomerEmail);
        Assert.Equal(order, request.OrderId);
        Assert.Equal(amount is null ? null : decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), request.Amount);
    }

    [Fact]
    public void A_refund_is_searched_refunded_emailed_and_answered_with_usage_from_text_lengths()
    {
        var model = new ScriptedChatClient(_loop.Clock);
        List<ChatMessage> transcript = [new(ChatRole.User, "Order B-7 arrived damaged. Please refund 12.50 USD to my card. bob@x.example")];

        FunctionCallContent search = NextCall(model, transcript, "search_kb");
        Assert.Equal("Order B-7 arrived damaged", ((JsonElement)search.Arguments!["query"]!).GetString());
        Feed(transcript, search, """{"query":"x","articles":[{"id":"KB-110","title":"Refund policy","summary":"Refunded in 5 days."}]}""");

        FunctionCallContent refund = NextCall(model, transcript, "issue_refund");
        Assert.Equal(12.50m, ((JsonElement)refund.Arguments!["amount"]!).GetDecimal());
        var draft = new FallbackToolResult(new { orderId = "B-7", amount = 12.50m, isDraft = true, reference = "DRAFT-00001" }, DegradedFor("issue_refund"));
        Feed(transcript, refund, JsonSerializer.Serialize(draft, AIJsonUtilities.DefaultOptions));

        FunctionCallContent email = NextCall(model, transcript, "send_email");
        string body = ((JsonElement)email.Arguments!["body"]!).GetString()!;
        Assert.Contains("is drafted (DRAFT-00001) and waits for approval because it needs a person's approval; no money has moved yet.", body, StringComparison.Ordinal);
        Feed(transcript, email, """{"messageId":"MSG-1","to":"bob@x.example","subject":"s"}""");

        ChatResponse answer = Respond(model, transcript, AllTools);
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        Assert.EndsWith("I emailed bob@x.example.", answer.Text, StringComparison.Ordinal);
        long characters = transcript.Sum(m => m.Contents.Sum(c => c switch
        {
            TextContent t => t.Text.Length,
            FunctionCallContent f => f.Name.Length + JsonSerializer.Serialize(f.Arguments).Length,
            FunctionResultContent r => ((string)r.Result!).Length,
            _ => 0,
        }));
        Assert.Equal(180 + (4 * 40) + (characters / 4), answer.Usage!.InputTokenCount);
        Assert.Equal(5 + (answer.Text.Length / 4), answer.Usage.OutputTokenCount);
    }

    [Fact]
    public void A_runaway_asks_for_more_pages_as_long_as_it_has_tools_and_answers_when_they_are_withheld()
    {
        var model = new ScriptedChatClient(_loop.Clock);
        List<ChatMessage> transcript = [new(ChatRole.User, "Investigate every article related to api rate limits and keep digging thoroughly until nothing new turns up.")];
        for (int turn = 1; turn <= 5; turn++)
        {
            ChatResponse response = Respond(model, transcript, AllTools);
            FunctionCallContent[] calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
            Assert.Equal(3, calls.Length);
            Assert.All(calls, c => Assert.Equal("search_kb", c.Name));
            Assert.Equal($"Investigate every article related to api rate limits and keep digging thoroughly until nothing new turns up (page {(turn * 3) - 2})",
                ((JsonElement)calls[0].Arguments!["query"]!).GetString());
            transcript.AddMessages(response);
            foreach (FunctionCallContent call in calls)
            {
                transcript.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, """{"articles":[]}""")]));
            }
        }

        ChatResponse withheld = Respond(model, transcript, new ChatOptions { ToolMode = ChatToolMode.None });
        Assert.Equal("Stopped after 15 searches: no tools are left for this conversation.", withheld.Text);
    }

    [Fact]
    public void A_refused_search_is_explained_with_when_to_retry()
    {
        var model = new ScriptedChatClient(_loop.Clock);
        List<ChatMessage> transcript = [new(ChatRole.User, "Hi, where is my order A-1? ann@acme.example")];
        FunctionCallContent search = NextCall(model, transcript, "search_kb");
        Feed(transcript, search, """{"error":"quota","reason":"QueueTimeout","retryAfterSeconds":12.2,"message":"..."}""");

        ChatResponse answer = Respond(model, transcript, AllTools);
        Assert.Equal("Sorry, I could not search our knowledge base just now because our assistant is at capacity; it can be retried in 13 s.", answer.Text);
    }

    [Fact]
    public void Its_latency_runs_on_the_given_clock()
    {
        var loop = new Hosting.VirtualTimeLoop(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var model = new ScriptedChatClient(loop.Clock);
        ChatResponse response = loop.Run(() => model.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi, where is my order A-1?")], AllTools), TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMilliseconds(500) + (TimeSpan.FromMilliseconds(5) * response.Usage!.OutputTokenCount!.Value), loop.Clock.Elapsed);
    }

    // The model's latency runs on a virtual clock, so these take no wall time.
    private ChatResponse Respond(ScriptedChatClient model, List<ChatMessage> transcript, ChatOptions options) =>
        _loop.Run(() => model.GetResponseAsync(transcript, options), TimeSpan.FromHours(1));

    private FunctionCallContent NextCall(ScriptedChatClient model, List<ChatMessage> transcript, string tool)
    {
        ChatResponse response = Respond(model, transcript, AllTools);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(tool, call.Name);
        transcript.AddMessages(response);
        return call;
    }

    private static void Feed(List<ChatMessage> transcript, FunctionCallContent call, string json) =>
        transcript.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, json)]));

    private static DegradedCall DegradedFor(string tool)
    {
        // A real degraded call, from a gate that approves nothing.
        var policy = AgentQuotas.Policy.QuotaPolicy.Parse("""
            { "version": "t", "tiers": { "t": { "categories": { "payments": { "capacity": 5, "refillPerSecond": 1 } } } }, "defaultTier": "t" }
            """, "test");
        using var gate = new QuotaGate(policy);
        using AgentRun run = gate.BeginRun(new AgentIdentity("t", "p"));
        QuotaTicket ticket = run.Acquire(new QuotaTool(tool, "payments", isPrivileged: true, requiresApproval: true, hasFallback: true), 1);
        return ToolGuard.Degrade(ticket);
    }
}
