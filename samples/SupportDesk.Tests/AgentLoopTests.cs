using AgentQuotas;
using AgentQuotas.Audit;
using SupportDesk.Agent;

namespace SupportDesk.Tests;

/// <summary>
/// The agent's loop as the generator wraps it: [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)] caps each
/// conversation, whatever the model wants. These run one conversation at a time on an enterprise tenant, whose tier
/// allows more (12 turns, 40 tool calls), so the caps that act are the loop's own.
/// </summary>
public class AgentLoopTests
{
    private const string Runaway = "Investigate every article related to payment declined cards and keep digging until nothing new turns up. Report to ops@acme.example.";

    [Fact]
    public void A_model_that_never_stops_is_stopped_at_the_loops_iteration_cap()
    {
        using var harness = new ConversationHarness();
        AgentAnswer answer = harness.Ask("acme", Runaway);

        // Since the agent runs on FunctionInvokingChatClient with UseAgentQuotas(), the 8th turn (the last the cap allows)
        // is offered no tools and answers from what it has, instead of a 9th turn being refused: 7 turns of two searches.
        Assert.Equal(AnswerStatus.Stopped, answer.Status);
        Assert.Equal(QuotaReason.RunIterationLimit, answer.StopReason);
        Assert.Equal(8, answer.Turns);
        Assert.Equal(1, answer.TurnsWithoutTools);
        Assert.Equal(14, answer.ToolCalls.Count(c => c.Outcome == ToolCallOutcome.Ran)); // two searches a turn
        Assert.StartsWith("Stopped after 14 searches", answer.Text, StringComparison.Ordinal);
        Assert.Equal(14, harness.Backend.Snapshot()["acme"].Searches);
    }

    [Fact]
    public void A_model_that_spends_every_tool_call_is_answered_without_tools()
    {
        using var harness = new ConversationHarness();
        AgentAnswer answer = harness.Ask("acme", Runaway.Replace("keep digging", "keep digging thoroughly", StringComparison.Ordinal));

        // Three searches a turn: the 21st call is refused by the loop's cap, and the next turn gets no tools at all.
        Assert.Equal(20, answer.ToolCalls.Count(c => c.Outcome == ToolCallOutcome.Ran));
        ToolCallRecord refused = Assert.Single(answer.ToolCalls, c => c.Outcome == ToolCallOutcome.Denied);
        Assert.Equal(QuotaReason.RunToolCallLimit, refused.Reason);
        Assert.Equal(1, answer.TurnsWithoutTools);
        Assert.Equal(AnswerStatus.Answered, answer.Status);
        Assert.StartsWith("Stopped after 21 searches", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_model_turn_is_counted_and_its_tokens_charged()
    {
        using var harness = new ConversationHarness();
        AgentAnswer answer = harness.Ask("acme", "Hi, where is my order A-1042? It was due on Monday. Thanks, ann@acme.example");

        Assert.Equal(AnswerStatus.Answered, answer.Status);
        Assert.Equal(3, answer.Turns); // search, email, answer
        IReadOnlyList<QuotaAuditRecord> records = harness.Audit.Snapshot();
        Assert.Equal(3, records.Count(r => r.Tool == "(iteration)" && r.Decision == AuditDecision.Admitted));
        QuotaAuditRecord[] tokens = [.. records.Where(r => r.Tool == "chat" && r.Decision == AuditDecision.Completed)];
        Assert.Equal(3, tokens.Length);
        Assert.All(tokens, r => Assert.Equal("model", r.Category));
        Assert.All(tokens, r => Assert.True(r.ActualCost > 0));
        Assert.Equal(["search_kb", "send_email"], records.Where(r => r.Decision == AuditDecision.Completed && r.Tool != "chat").Select(r => r.Tool));
    }
}
