using AgentQuotas.Audit;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Integrations.Tests.ExtensionsAI;

/// <summary>Model turns go through the gate's decision pipeline: a tenant quarantined for a spend anomaly gets no more turns.</summary>
public sealed class QuarantineTests : IDisposable
{
    // The quarantine tier budgets no model tokens; spend is judged per 10 s interval over a minute.
    private const string Policy = """
        {
          "version": "v1",
          "tiers": {
            "standard":   { "categories": { "search": { "capacity": 10000, "refillPerSecond": 1000 }, "tokens": { "capacity": 10000, "refillPerSecond": 1000 } } },
            "quarantine": { "categories": { "search": { "capacity": 5, "refillPerSecond": 0.1 } } }
          },
          "defaultTier": "standard",
          "tools": { "web_search": { "category": "search", "cost": 3 } },
          "anomaly": { "factor": 3, "window": "00:01:00", "interval": "00:00:10", "quarantineTier": "quarantine" }
        }
        """;

    private static readonly QuotaTool Search = new("web_search", "search");
    private readonly Fixture _f = new(policy: Policy);

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task A_quarantined_tenants_model_turns_are_refused()
    {
        var model = new ScriptedModel() { UsagePerTurn = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 } };
        IChatClient client = model.AsBuilder().UseAgentQuotas(o => o.Turns = new GuardedChatClientOptions { TokenCategory = "tokens" }).Build();
        using AgentRun run = _f.Gate.BeginRun(Fixture.Acme);
        for (int i = 0; i < 6; i++)
        {
            _f.Gate.TryAcquire(new QuotaRequest(Fixture.Acme, Search, 100));
            _f.Time.Advance(TimeSpan.FromSeconds(10));
        }

        _f.Gate.TryAcquire(new QuotaRequest(Fixture.Acme, Search, 400)); // 4x the baseline: flagged and quarantined
        Assert.True(_f.Gate.Anomalies.IsFlagged("acme"));

        QuotaExceededException refused = await Assert.ThrowsAsync<QuotaExceededException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(QuotaReason.AnomalyQuarantine, refused.Reason);
        Assert.Equal(0, model.Calls);
        QuotaAuditRecord record = _f.Audit.Snapshot()[^1];
        Assert.Equal(("tokens", AuditDecision.Denied, QuotaReason.AnomalyQuarantine), (record.Category, record.Decision, record.Reason));
    }
}
