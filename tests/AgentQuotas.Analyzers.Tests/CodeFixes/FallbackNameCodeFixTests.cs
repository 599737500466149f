using AgentQuotas.Analyzers.CodeFixes;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AgentQuotas.Analyzers.Tests.CodeFixes;

/// <summary>The AQ0005 fix: point [Fallback] at a matching method with nameof.</summary>
public sealed class FallbackNameCodeFixTests
{
    private const string Before = """
        using AgentQuotas;

        [QuotaCategory("payments")]
        public class Refunds
        {
            [Cost(1), Fallback({|AQ0005:"DraftRefnd"|})]
            public Task<string> RefundAsync(string orderId, decimal amount) => Task.FromResult(orderId);

            [Cost(1), Fallback({|AQ0005:nameof(Log)|})]
            public Task<string> ChargeAsync(string orderId, decimal amount) => Task.FromResult(orderId);

            public Task<string> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult("draft");
            public Task<string> QueueAsync(string orderId, decimal amount) => Task.FromResult("queued");
            public void Log(string text) { }
        }
        """;

    [Fact]
    public async Task Replaces_a_misspelled_name_with_nameof_the_closest_match()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new FallbackNameCodeFixProvider(),
            ExpectedTitle = "Use fallback 'DraftRefundAsync'",
            Sources = { Before },
            FixedSources = { Before.Replace("{|AQ0005:\"DraftRefnd\"|}", "nameof(DraftRefundAsync)") }, // the other fallback is still invalid
        }.RunAsync();
    }

    [Fact]
    public async Task Offers_the_other_matching_methods_too()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new FallbackNameCodeFixProvider(),
            ActionIndex = 1,
            ExpectedTitle = "Use fallback 'QueueAsync'",
            Sources = { Before },
            FixedSources = { Before.Replace("{|AQ0005:\"DraftRefnd\"|}", "nameof(QueueAsync)") },
        }.RunAsync();
    }

    [Fact]
    public async Task Fix_all_repairs_every_fallback_in_the_project()
    {
        await new AgentQuotasCodeFixTest
        {
            Provider = new FallbackNameCodeFixProvider(),
            FixAllScope = FixAllScope.Project,
            Sources = { Before },
            FixedSources = { Before.Replace("{|AQ0005:\"DraftRefnd\"|}", "nameof(DraftRefundAsync)").Replace("{|AQ0005:nameof(Log)|}", "nameof(QueueAsync)") },
        }.RunAsync();
    }
}
