using AgentQuotas.Analyzers.Tests.Harness;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>The code and policy of DESIGN section 1 and 3 are clean: the rules do not fire on the intended usage.</summary>
public sealed class DesignExampleTests
{
    private const string DesignPolicy = """
        {
          "version": "2026-11-21.1",
          "tiers": {
            "standard": {
              "categories": {
                "search":   { "capacity": 200, "refillPerSecond": 5 },
                "payments": { "capacity": 5,   "refillPerSecond": 0.05 }
              },
              "burst":     { "multiplier": 2, "maxSeconds": 30 },
              "emergency": { "classes": ["Critical"] },
              "limits": { "maxIterations": 10, "maxToolCalls": 40, "maxCostPerRun": 500,
                          "maxCostPerDay": 20000 }
            }
          },
          "tenants": { "acme": { "tier": "standard" } },
          "defaultTier": "standard",
          "classes": {
            "Critical": { "reservedShare": 0.2 },
            "Batch":    { "reservedShare": 0.05, "maxQueueWait": "00:02:00" }
          },
          "aging": { "promoteAfter": "00:00:05" },
          "pools": {
            "reserved": { "concurrency": 4,  "classes": ["Critical", "High"] },
            "shared":   { "concurrency": 32 }
          },
          "degradation": ["Full", "DraftOnly", "ApprovalRequired", "Queued"],
          "anomaly": { "factor": 3.0, "window": "01:00:00" }
        }
        """;

    [Fact]
    public async Task The_design_example_has_no_diagnostics()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public sealed record RefundResult(string OrderId, bool Done);

            [QuotaCategory("search")]
            public partial class SupportTools
            {
                [AgentTool("search_kb", "Searches the knowledge base")]
                [Cost(20)]
                public Task<string> SearchKbAsync(string query, CancellationToken ct = default) => Task.FromResult(query);

                [AgentTool("issue_refund", "Refunds an order")]
                [QuotaCategory("payments"), Cost(1), Privileged(RequiresApproval = true)]
                [Fallback(nameof(DraftRefundAsync))]
                public Task<RefundResult> IssueRefundAsync(string orderId, decimal amount) => Task.FromResult(new RefundResult(orderId, true));

                public Task<RefundResult> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult(new RefundResult(orderId, false));

                [Cost(Estimator = nameof(EstimateSummaryCost))]
                public Task<string> SummarizeAsync(IReadOnlyList<string> docs) => Task.FromResult(string.Join(" ", docs));

                static double EstimateSummaryCost(IReadOnlyList<string> docs) => 5 + docs.Count * 2;
            }

            public sealed class SupportAgent(IChatClient chat, SupportTools tools)
            {
                [AgentLoop(MaxIterations = 8, MaxToolCalls = 20)]
                public async Task<string> RunAgentAsync(string question)
                {
                    var messages = new List<ChatMessage> { new(ChatRole.User, question) };
                    bool done = false;
                    string answer = "";
                    while (!done)
                    {
                        ChatResponse response = await chat.GetResponseAsync(messages);
                        answer = response.Text;
                        done = !answer.StartsWith("search:", StringComparison.Ordinal);
                        if (!done)
                        {
                            messages.Add(new ChatMessage(ChatRole.Tool, await tools.SearchKbAsync(answer[7..])));
                        }
                    }

                    return answer;
                }
            }
            """, policy: DesignPolicy);
    }
}
