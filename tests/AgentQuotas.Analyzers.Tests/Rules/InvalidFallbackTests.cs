using AgentQuotas.Analyzers.Tests.Harness;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0005: [Fallback] targets that are missing, mismatched, unreachable, static-incompatible or privileged.</summary>
public sealed class InvalidFallbackTests
{
    [Fact]
    public async Task Missing_target_is_reported_with_the_closest_valid_method()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Refunds
            {
                [Cost(1), Fallback([|"DraftRefnd"|])]
                public Task<string> RefundAsync(string orderId, decimal amount) => Task.FromResult(orderId);

                public Task<string> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult("draft");
            }
            """, "AQ0005");

        Assert.Equal("[Fallback] of 'RefundAsync' is invalid: 'Refunds' has no method named 'DraftRefnd'; did you mean 'DraftRefundAsync'?", diagnostics.Single().GetMessage());
        Assert.Equal("DraftRefundAsync", diagnostics.Single().Properties["AQ.FallbackCandidates"]);
    }

    [Fact]
    public async Task A_bad_entry_of_an_ordered_chain_is_reported_at_its_own_argument()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Refunds
            {
                [Cost(1), Fallback(nameof(DraftRefundAsync), [|nameof(SummaryOnly)|], nameof(RetrievalSummaryAsync))]
                public Task<string> RefundAsync(string orderId, decimal amount) => Task.FromResult(orderId);

                public Task<string> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult("draft");
                public string SummaryOnly(string orderId, decimal amount) => "summary";
                public Task<string> RetrievalSummaryAsync(string orderId, decimal amount) => Task.FromResult("summary");
            }
            """, "AQ0005");

        Assert.Equal(
            "[Fallback] of 'RefundAsync' is invalid: entry 2 of its fallback chain: 'SummaryOnly' takes (string orderId, decimal amount) and returns string, but the tool takes (string orderId, decimal amount) and returns Task<string>",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Every_bad_entry_of_a_chain_is_reported_and_good_chains_are_not()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Refunds
            {
                [Cost(1), Fallback([|"Missing"|], nameof(Draft), [|nameof(Refund)|])]
                public string Refund(string id) => id;

                [Cost(1), Fallback(nameof(Draft), nameof(Summary))]
                public string Lookup(string id) => id;

                public string Draft(string id) => "draft";
                public static string Summary(string id) => "summary";
            }
            """, "AQ0005");

        Assert.Equal(2, diagnostics.Length);
        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("entry 1 of its fallback chain: 'Refunds' has no method named 'Missing'; did you mean 'Summary'?"));
        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("entry 3 of its fallback chain: it names the tool itself"));
    }

    [Fact]
    public async Task Signature_mismatches_are_explained()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Refunds
            {
                [Cost(1), Fallback([|nameof(WrongParameters)|])]
                public Task<string> A(string orderId, decimal amount) => Task.FromResult(orderId);

                [Cost(1), Fallback([|nameof(WrongReturn)|])]
                public Task<string> B(string orderId, decimal amount) => Task.FromResult(orderId);

                public Task<string> WrongParameters(string orderId) => Task.FromResult("draft");
                public string WrongReturn(string orderId, decimal amount) => "draft";
            }
            """, "AQ0005");

        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("'WrongParameters' takes (string orderId) and returns Task<string>, but the tool takes (string orderId, decimal amount) and returns Task<string>"));
        Assert.Contains(diagnostics, d => d.GetMessage().EndsWith("'WrongReturn' takes (string orderId, decimal amount) and returns string, but the tool takes (string orderId, decimal amount) and returns Task<string>"));
    }

    [Fact]
    public async Task Privileged_self_static_and_unreachable_fallbacks_are_reported()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            [QuotaCategory("payments")]
            public class Refunds
            {
                [Cost(1), Fallback([|nameof(Other)|])]
                public void Refund(string id) { }

                [Cost(1), Privileged]
                public void Other(string id) { }

                [Cost(1), Fallback([|nameof(Itself)|])]
                public void Itself(string id) { }

                [Cost(1), Fallback([|nameof(Instance)|])]
                public static void Static(string id) { }
                public void Instance(string id) { }

                [Cost(1), Fallback(nameof(Hidden))]
                public void Visible(string id) { }
                private void Hidden(string id) { }       // reached through [UnsafeAccessor]: fine
            }

            public class RefundsBase
            {
                protected void Shielded(string id) { }
            }

            [QuotaCategory("payments")]
            public class DerivedRefunds : RefundsBase
            {
                [Cost(1), Fallback([|nameof(Shielded)|])]
                public void Refund(string id) { }
            }
            """, "AQ0005");

        string[] messages = diagnostics.Select(d => d.GetMessage()).ToArray();
        Assert.Contains(messages, m => m.EndsWith("'Other' is itself privileged; a fallback is the degraded path and must not act with consequences"));
        Assert.Contains(messages, m => m.EndsWith("it names the tool itself"));
        Assert.Contains(messages, m => m.EndsWith("'Instance' is an instance method but the tool is static, so there is no instance to call it on"));
        Assert.Contains(messages, m => m.EndsWith("'Shielded' is protected in 'RefundsBase', so the generated guard cannot call it; make it internal, or declare it on 'DerivedRefunds'"));
    }

    [Fact]
    public async Task Valid_fallbacks_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class RefundsBase
            {
                public Task<string> InheritedDraftAsync(string orderId, decimal amount) => Task.FromResult("draft");
            }

            [QuotaCategory("payments")]
            public partial class Refunds : RefundsBase
            {
                [AgentTool("refund", "Refunds"), Cost(1), Privileged(RequiresApproval = true), Fallback(nameof(DraftRefundAsync))]
                public Task<string> RefundAsync(string orderId, decimal amount) => Task.FromResult(orderId);

                [Cost(1), Fallback(nameof(InheritedDraftAsync))]
                public Task<string> OtherAsync(string orderId, decimal amount) => Task.FromResult(orderId);

                [Cost(1), Fallback(nameof(PrivateDraft))]
                public string Sync(string orderId) => orderId;

                [Cost(1), Fallback(nameof(StaticDraft))]
                public string FromInstance(string orderId) => orderId;

                [Cost(1), Fallback(nameof(Overloaded))]
                public int Count(string orderId) => 1;

                internal Task<string> DraftRefundAsync(string orderId, decimal amount) => Task.FromResult("draft");
                private string PrivateDraft(string orderId) => "draft";   // reachable: the type is partial
                internal static string StaticDraft(string orderId) => "draft";
                internal int Overloaded(int other) => 0;
                internal int Overloaded(string orderId) => 0;
            }
            """);
    }
}
