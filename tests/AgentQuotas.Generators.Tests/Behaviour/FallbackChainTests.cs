using System.Reflection;
using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>
/// Ordered fallback chains compiled, loaded and run against a real gate on virtual time: the first fallback is refused
/// (a guarded call inside it throws QuotaExceededException), so the next one serves; when every one is refused, the last
/// refusal surfaces as a single fallback's would.
/// </summary>
public sealed class FallbackChainTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private static readonly Lazy<Assembly> Chains = new(() => GeneratorHarness.Run(Sources.Chains).AssertClean().Load());
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public FallbackChainTests()
    {
        _gate = Policies.Gate(Policies.Create("{}", "payments:8:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void A_refused_first_fallback_hands_over_to_the_second()
    {
        object refunds = New();
        using AgentRun run = _gate.BeginRun(Acme);
        dynamic full = Scenario.Call(Chains.Value, "Demo.ChainScenarios", "Refund", refunds, "o-1")!;
        Assert.Equal("refunded o-1", (string)full.Text);

        dynamic draft = Scenario.Call(Chains.Value, "Demo.ChainScenarios", "Refund", refunds, "o-2")!;

        Assert.Equal("summary of o-2", (string)draft.Text);                       // the second fallback served
        Assert.Equal("tool;draft;", Tried(refunds));                               // the first was tried, its quote refused
        DegradedCall degraded = Assert.IsType<DegradedCall>(draft.Degradation);
        Assert.Equal(DegradationMode.DraftOnly, degraded.Mode);
        Assert.Equal(QuotaReason.BucketExhausted, degraded.Reason);
        Assert.Contains(_audit.Snapshot(), r => r.Decision == AuditDecision.Denied && r.Tool == "Refunds.Quote");
        Assert.Contains(_audit.Snapshot(), r => r.Decision == AuditDecision.Degraded && r.Tool == "Refunds.Refund");
    }

    [Fact]
    public async Task An_async_chain_awaits_the_first_fallback_before_handing_over()
    {
        object refunds = New();
        using AgentRun run = _gate.BeginRun(Acme);
        await Scenario.CallAsync(Chains.Value, "Demo.ChainScenarios", "RefundAsync", refunds, "o-1");

        dynamic draft = (await Scenario.CallAsync(Chains.Value, "Demo.ChainScenarios", "RefundAsync", refunds, "o-2"))!;

        Assert.Equal("summary of o-2", (string)draft.Text);
        Assert.Equal("tool;draft;summary;", Tried(refunds));                      // the refusal came after an await
        Assert.Equal(QuotaReason.BucketExhausted, ((DegradedCall)draft.Degradation).Reason);
        Assert.Single(run.Degradations);
    }

    [Fact]
    public void When_every_fallback_is_refused_the_last_refusal_surfaces()
    {
        object refunds = New();
        using AgentRun run = _gate.BeginRun(Acme);
        Scenario.Call(Chains.Value, "Demo.ChainScenarios", "RefundAllRefused", refunds, "o-1");

        QuotaExceededException e = Assert.Throws<QuotaExceededException>(() => Scenario.Call(Chains.Value, "Demo.ChainScenarios", "RefundAllRefused", refunds, "o-2"));

        Assert.Equal("Refunds.Quote", e.Tool);
        Assert.Equal("tool;draft;other;", Tried(refunds));                         // both tried, in order
    }

    [Fact]
    public void The_generated_guard_tries_the_chain_in_order_and_the_registry_carries_it()
    {
        GeneratorRun generated = GeneratorHarness.Run(Sources.Chains);
        string all = generated.AllSources;

        Assert.Contains("catch (global::AgentQuotas.QuotaExceededException)", all, StringComparison.Ordinal);
        Assert.True(all.IndexOf("DraftWithQuote(", StringComparison.Ordinal) < all.IndexOf("RetrievalSummary(", StringComparison.Ordinal));
        Assert.Contains("FallbackChain = new global::AgentQuotas.Tools.ToolFallbackStep[]", all, StringComparison.Ordinal);
    }

    private static object New() => Activator.CreateInstance(Chains.Value.GetType("Demo.Refunds", throwOnError: true)!)!;

    private static string Tried(object target) => (string)target.GetType().GetField("Tried")!.GetValue(target)!;
}
