namespace AgentQuotas.Generators.Tests;

/// <summary>Tool sources shared by the generator tests.</summary>
internal static class Sources
{
    /// <summary>Every method shape the generator supports, plus calls to each.</summary>
    public const string Shapes = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo;

        public sealed record Receipt(string Text, double? ActualCost) : IActualCost;

        [QuotaCategory("search")]
        public class Tools
        {
            public int Calls;

            [Cost(2)]
            public string Sync(string query) { Calls++; return "sync:" + query; }

            [Cost(2)]
            public void SyncVoid(string query) { Calls++; }

            [Cost(3)]
            public static int Static(int x) => x * 2;

            [Cost(4)]
            public async Task<string> TaskOfT(string query, CancellationToken ct = default) { await Task.Yield(); Calls++; return "task:" + query; }

            [Cost(4)]
            public Task PlainTask(string query) { Calls++; return Task.CompletedTask; }

            [Cost(5)]
            public ValueTask<int> ValueTaskOfT(int x) { Calls++; return new ValueTask<int>(x + 1); }

            [Cost(5)]
            public async ValueTask PlainValueTask(CancellationToken ct) { await Task.Delay(0, ct); Calls++; }

            [Cost(1)]
            public T Echo<T>(T value) where T : notnull { Calls++; return value; }

            [Cost(1)]
            public async Task<IReadOnlyList<T>> Many<T>(T value, int count) where T : class { await Task.Yield(); var list = new List<T>(); for (int i = 0; i < count; i++) list.Add(value); return list; }

            [Cost(Estimator = nameof(EstimateSummary))]
            public Receipt Summarize(IReadOnlyList<string> docs) => new("summary of " + docs.Count, docs.Count * 1.5);

            private static double EstimateSummary(IReadOnlyList<string> docs) => 5 + docs.Count * 2;

            [QuotaCategory("payments"), Cost(1), Privileged]
            [Fallback(nameof(DraftRefund))]
            public Task<string> RefundAsync(string orderId, decimal amount) { Calls++; return Task.FromResult("refunded " + orderId); }

            private Task<string> DraftRefund(string orderId, decimal amount) => Task.FromResult("draft refund " + orderId);

            [Cost(1)]
            private string Secret(string x) => "secret:" + x;

            public string CallsSecret(string x) => Secret(x);

            [Cost(2)]
            public bool TryParse(string text, out int value) => int.TryParse(text, out value);

            [Cost(1)]
            public int Sum(params int[] values) { int s = 0; foreach (int v in values) s += v; return s; }
        }

        public static class ToolExtensions
        {
            [QuotaCategory("search"), Cost(6)]
            public static string Shout(this Tools tools, string text) => text.ToUpperInvariant();
        }

        public static class Calls
        {
            public static async Task<string> All(Tools t, CancellationToken ct)
            {
                var parts = new List<string>();
                parts.Add(t.Sync("a"));
                t.SyncVoid("b");
                parts.Add(Tools.Static(21).ToString());
                parts.Add(await t.TaskOfT("c", ct));
                await t.PlainTask("d");
                parts.Add((await t.ValueTaskOfT(41)).ToString());
                await t.PlainValueTask(ct);
                parts.Add(t.Echo(7).ToString());
                parts.Add(t.Echo<string>("e"));
                parts.Add((await t.Many("f", 2)).Count.ToString());
                parts.Add(t.Summarize(new[] { "x", "y" }).Text);
                parts.Add(await t.RefundAsync("o-1", 10m));
                parts.Add(t.CallsSecret("g"));
                parts.Add(t.TryParse("12", out int parsed) ? parsed.ToString() : "no");
                parts.Add(t.Sum(1, 2, 3).ToString());
                parts.Add(t.Shout("h"));
                parts.Add(ToolExtensions.Shout(t, "i"));
                Tools? maybe = t;
                parts.Add(maybe?.Sync("j") ?? "null");
                return string.Join(",", parts);
            }
        }
        """;

    /// <summary>Scenarios that the behaviour tests run against a real gate.</summary>
    public const string Behaviour = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo;

        public sealed class Draft : IFallbackResult
        {
            public Draft(string text) { Text = text; }
            public string Text { get; }
            public DegradedCall? Degradation { get; private set; }
            public void OnServedByFallback(DegradedCall degradation) => Degradation = degradation;
        }

        [QuotaCategory("payments")]
        public class Payments
        {
            public int Refunds;
            public int Drafts;

            [Cost(5)]
            [Fallback(nameof(DraftRefund))]
            public Draft Refund(string order) { Refunds++; return new Draft("refunded " + order); }

            public Draft DraftRefund(string order) { Drafts++; return new Draft("draft for " + order); }

            [Cost(5)]
            [Fallback(nameof(DraftRefundAsync))]
            public async Task<Draft> RefundAsync(string order) { await Task.Yield(); Refunds++; return new Draft("refunded " + order); }

            private Task<Draft> DraftRefundAsync(string order) { Drafts++; return Task.FromResult(new Draft("draft for " + order)); }

            [Cost(5)]
            public string Charge(string order) { Refunds++; return "charged " + order; }

            [Cost(5)]
            public async Task<string> ChargeAsync(string order, CancellationToken ct) { await Task.Yield(); Refunds++; return "charged " + order; }

            [Cost(1)]
            public string Explode(string why) => throw new InvalidOperationException("tool failed: " + why);

            [Cost(1)]
            public async Task<string> ExplodeLaterAsync(string why) { await Task.Yield(); throw new InvalidOperationException("tool failed later: " + why); }

            [Cost(1), Privileged(RequiresApproval = true)]
            public Task<string> WireAsync(string account) { Refunds++; return Task.FromResult("wired " + account); }
        }

        public static class Agent
        {
            [AgentLoop(MaxIterations = 8)]
            public static int Loop()
            {
                int turns = 0;
                while (turns < 100)
                {
                    if (!AgentRun.Current!.TryBeginIteration().IsAdmitted)
                    {
                        return turns;
                    }

                    turns++;
                }

                return turns;
            }

            [AgentLoop(MaxIterations = 8, MaxToolCalls = 3)]
            public static async Task<string> LoopAsync(Payments payments)
            {
                int turns = 0;
                try
                {
                    while (turns < 100)
                    {
                        AgentRun.Current!.BeginIteration();
                        turns++;
                        await payments.ChargeAsync("loop-" + turns, CancellationToken.None);
                    }
                }
                catch (QuotaExceededException e)
                {
                    return turns + ":" + e.Reason + ":" + AgentRun.Current!.Name;
                }

                return "unbounded";
            }

            public static string? CurrentRunName() => AgentRun.Current?.Name;
        }

        public static class Scenarios
        {
            public static string Charge(Payments p, string order) => p.Charge(order);

            public static Task<string> ChargeAsync(Payments p, string order, CancellationToken ct) => p.ChargeAsync(order, ct);

            public static Draft Refund(Payments p, string order) => p.Refund(order);

            public static Task<Draft> RefundAsync(Payments p, string order) => p.RefundAsync(order);

            public static string Explode(Payments p) => p.Explode("boom");

            public static Task<string> ExplodeLater(Payments p) => p.ExplodeLaterAsync("bang");

            public static Task<string> Wire(Payments p, string account) => p.WireAsync(account);

            public static Receipt Summarize(Tools t, int docs)
            {
                var list = new List<string>();
                for (int i = 0; i < docs; i++) list.Add("doc" + i);
                return t.Summarize(list);
            }

            public static int Loop() => Agent.Loop();

            public static Task<string> LoopAsync(Payments p) => Agent.LoopAsync(p);
        }
        """;

    /// <summary>Ordered fallback chains: the first fallback is refused by a guarded call inside it, the next serves.</summary>
    public const string Chains = """
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo;

        public sealed class Draft : IFallbackResult
        {
            public Draft(string text) { Text = text; }
            public string Text { get; }
            public DegradedCall? Degradation { get; private set; }
            public void OnServedByFallback(DegradedCall degradation) => Degradation = degradation;
        }

        [QuotaCategory("payments")]
        public class Refunds
        {
            public string Tried = "";

            [Cost(5), Fallback(nameof(DraftWithQuote), nameof(RetrievalSummary))]
            public Draft Refund(string order) { Tried += "tool;"; return new Draft("refunded " + order); }

            [Cost(5), Fallback(nameof(DraftWithQuoteAsync), nameof(RetrievalSummaryAsync))]
            public async Task<Draft> RefundAsync(string order) { await Task.Yield(); Tried += "tool;"; return new Draft("refunded " + order); }

            [Cost(5), Fallback(nameof(DraftWithQuote), nameof(OtherQuote))]
            public Draft RefundAllRefused(string order) { Tried += "tool;"; return new Draft("refunded " + order); }

            [Cost(5)]
            public string Quote(string order) { Tried += "quote;"; return "quote for " + order; }

            // The first fallback needs a guarded quote, refused while the category is exhausted.
            public Draft DraftWithQuote(string order) { Tried += "draft;"; return new Draft("draft with " + Quote(order)); }

            public async Task<Draft> DraftWithQuoteAsync(string order) { await Task.Yield(); Tried += "draft;"; return new Draft("draft with " + Quote(order)); }

            public Draft OtherQuote(string order) { Tried += "other;"; return new Draft("other " + Quote(order)); }

            public static Draft RetrievalSummary(string order) => new Draft("summary of " + order);

            private Task<Draft> RetrievalSummaryAsync(string order) { Tried += "summary;"; return Task.FromResult(new Draft("summary of " + order)); }
        }

        public static class ChainScenarios
        {
            public static Draft Refund(Refunds r, string order) => r.Refund(order);

            public static Task<Draft> RefundAsync(Refunds r, string order) => r.RefundAsync(order);

            public static Draft RefundAllRefused(Refunds r, string order) => r.RefundAllRefused(order);
        }
        """;

    /// <summary>Agent tools for the AIFunction tests.</summary>
    public const string AITools = """
        using System;
        using System.Collections.Generic;
        using System.ComponentModel;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo.AI;

        public enum Priority { Low, Normal, High }

        public sealed record SupportTicket(string Title, Priority Priority, IReadOnlyList<string>? Tags);

        [QuotaCategory("search")]
        public class SupportTools
        {
            public int Searches;
            public int Refunds;

            /// <summary>Searches the knowledge base.</summary>
            /// <param name="query">What to look for.</param>
            /// <param name="top">How many articles to return.</param>
            /// <param name="ct">Cancels the search.</param>
            [AgentTool("search_kb", "Searches the knowledge base")]
            [Cost(2)]
            public async Task<string> SearchKbAsync(string query, int top = 3, CancellationToken ct = default)
            {
                await Task.Yield();
                Searches++;
                return top + " articles about " + query;
            }

            [AgentTool("file_ticket", "Files a support ticket")]
            [Cost(Estimator = nameof(EstimateTicket))]
            public string FileTicket([Description("The ticket to file")] SupportTicket ticket, Priority? escalate = null, string? note = null) =>
                ticket.Title + "/" + ticket.Priority + "/" + (ticket.Tags?.Count ?? 0) + "/" + (escalate?.ToString() ?? "none") + "/" + (note ?? "-");

            private static double EstimateTicket(SupportTicket ticket) => 1 + (ticket.Tags?.Count ?? 0);

            [AgentTool("issue_refund", "Refunds an order")]
            [QuotaCategory("payments"), Cost(5), Fallback(nameof(DraftRefund))]
            public decimal IssueRefund(string orderId, decimal amount) { Refunds++; return amount; }

            public decimal DraftRefund(string orderId, decimal amount) => 0m;

            [AgentTool("ping", "Checks that the service answers")]
            [Cost(1)]
            public static Task PingAsync() => Task.CompletedTask;
        }

        public static class ChatAgent
        {
            [AgentLoop(MaxIterations = 8)]
            public static async Task<int> ConverseAsync(Microsoft.Extensions.AI.IChatClient chat)
            {
                int turns = 0;
                try
                {
                    while (turns < 100)
                    {
                        await Microsoft.Extensions.AI.ChatClientExtensions.GetResponseAsync(chat, "next step");
                        turns++;
                    }
                }
                catch (QuotaExceededException e) when (e.Reason == QuotaReason.RunIterationLimit)
                {
                    return turns;
                }

                return -1;
            }

            public static Task<int> Start(Microsoft.Extensions.AI.IChatClient chat) => ConverseAsync(chat);
        }
        """;

    /// <summary>The design document's example: tools with a fallback, an estimator, approval, an agent loop and AIFunctions.</summary>
    public const string DesignExample = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Support;

        public sealed record RefundResult(string OrderId, decimal Amount, bool IsDraft);

        [QuotaCategory("search")]
        public partial class SupportTools
        {
            [AgentTool("search_kb", "Searches the knowledge base")]
            [Cost(20)]
            public Task<string> SearchKbAsync(string query, CancellationToken ct = default) => Task.FromResult("3 articles");

            [AgentTool("issue_refund", "Refunds an order")]
            [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
            [Fallback(nameof(DraftRefundAsync))]
            public Task<RefundResult> IssueRefundAsync(string orderId, decimal amount) => Task.FromResult(new RefundResult(orderId, amount, false));

            private Task<RefundResult> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult(new RefundResult(orderId, amount, true));

            [Cost(Estimator = nameof(EstimateSummaryCost))]
            public Task<string> SummarizeAsync(IReadOnlyList<string> docs) => Task.FromResult("summary");

            static double EstimateSummaryCost(IReadOnlyList<string> docs) => 5 + docs.Count * 2;
        }

        public sealed class SupportAgent
        {
            private readonly SupportTools _tools = new();

            [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)]
            public async Task<string> RunAgentAsync(string question)
            {
                string answer = await _tools.SearchKbAsync(question);
                await _tools.IssueRefundAsync("order-1", 25m);
                return answer + await _tools.SummarizeAsync(new[] { answer });
            }

            public Task<string> Handle(string question) => RunAgentAsync(question);
        }
        """;
}
