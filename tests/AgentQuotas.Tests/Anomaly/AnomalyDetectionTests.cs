using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Anomaly;

public class AnomalyDetectionTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    // A 60 s window of six 10 s intervals; a quarantine tier with a small budget.
    private static QuotaPolicy Policy(string anomaly = """{ "factor": 3, "window": "00:01:00", "interval": "00:00:10", "quarantineTier": "quarantine" }""") =>
        QuotaPolicy.Parse($$"""
            {
              "version": "1",
              "tiers": {
                "standard":   { "categories": { "search": { "capacity": 10000, "refillPerSecond": 1000 } } },
                "quarantine": { "categories": { "search": { "capacity": 5, "refillPerSecond": 0.1 } } }
              },
              "defaultTier": "standard",
              "anomaly": {{anomaly}}
            }
            """);

    // Spends `perInterval` units in each of `intervals` 10 s intervals.
    private void Spend(QuotaGate gate, double perInterval, int intervals)
    {
        for (int i = 0; i < intervals; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                gate.TryAcquire(new QuotaRequest(Acme, Search, perInterval / 10));
            }

            _time.Advance(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void Tripled_spend_is_flagged_audited_and_moves_the_tenant_to_the_quarantine_tier_until_cleared()
    {
        var audit = new InMemoryAuditSink();
        var flagged = new List<AnomalyDetectedArguments>();
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o =>
        {
            o.AuditSink = audit;
            o.OnAnomalyDetected = a => { flagged.Add(a); return ValueTask.CompletedTask; };
        });

        Spend(gate, perInterval: 100, intervals: 6);             // a full window at 100 per interval
        Assert.Equal(new TenantSpendRate(0, 100, true, false), gate.Anomalies.GetRate("acme"));

        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 250)).IsAdmitted);
        Assert.Empty(flagged);                                   // 2.5x: not yet
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 60)).IsAdmitted); // 3.1x: flagged (this call still ran)

        AnomalyDetectedArguments anomaly = Assert.Single(flagged);
        Assert.Equal(("acme", 310d, 100d, "quarantine"), (anomaly.Tenant, anomaly.Current, anomaly.Baseline, anomaly.QuarantineTier));
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        QuotaAuditRecord record = Assert.Single(audit.Snapshot(), r => r.Decision == AuditDecision.AnomalyFlagged);
        Assert.Equal(QuotaReason.AnomalyQuarantine, record.Reason);
        Assert.Contains("moved to tier 'quarantine'", record.Detail);

        // Now the quarantine tier's budget applies, and denials say why.
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 5)).IsAdmitted);
        QuotaDecision denied = gate.TryAcquire(new QuotaRequest(Acme, Search, 5));
        Assert.Equal(QuotaReason.AnomalyQuarantine, denied.Reason);
        Assert.Contains("runs under tier 'quarantine'", denied.Detail);
        Assert.NotNull(denied.RetryAfter);
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("globex", "u"), Search, 500)).IsAdmitted); // others unaffected

        Assert.True(gate.Anomalies.Clear("acme"));
        Assert.False(gate.Anomalies.IsFlagged("acme"));
        Assert.Single(audit.Snapshot(), r => r.Decision == AuditDecision.AnomalyCleared);
        // Back on its own tier; its bucket kept the quarantine level (clipped to 5) and refills at its own rate.
        Assert.Equal(TimeSpan.FromSeconds(0.5), gate.TryAcquire(new QuotaRequest(Acme, Search, 500)).RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 500)).IsAdmitted);
        Assert.False(gate.Anomalies.Clear("acme"));
    }

    [Fact]
    public void Nothing_is_judged_before_a_full_window_of_history()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time);
        Spend(gate, perInterval: 10, intervals: 5);
        Assert.False(gate.Anomalies.GetRate("acme")!.Value.IsEstablished);
        gate.TryAcquire(new QuotaRequest(Acme, Search, 1000));
        Assert.False(gate.Anomalies.IsFlagged("acme"));
    }

    [Fact]
    public void A_baseline_below_the_minimum_is_not_judged()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy("""{ "factor": 2, "window": "00:01:00", "interval": "00:00:10", "minBaseline": 1000 }"""), _time);
        Spend(gate, perInterval: 10, intervals: 6);               // 60 per window < 1000
        gate.TryAcquire(new QuotaRequest(Acme, Search, 500));
        Assert.False(gate.Anomalies.IsFlagged("acme"));
    }

    [Fact]
    public void Without_a_quarantine_tier_the_tenant_is_only_flagged()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy("""{ "factor": 2, "window": "00:01:00", "interval": "00:00:10" }"""), _time);
        Spend(gate, perInterval: 10, intervals: 6);
        gate.TryAcquire(new QuotaRequest(Acme, Search, 25));
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 1000)).IsAdmitted);  // still its own tier
    }

    [Fact]
    public void Reported_actual_costs_count_toward_the_rate()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time);
        Spend(gate, perInterval: 100, intervals: 6);
        using AgentRun run = gate.BeginRun(Acme);
        QuotaTicket ticket = run.Acquire(Search, 10);
        Assert.False(gate.Anomalies.IsFlagged("acme"));
        ticket.Complete(actualCost: 400);                         // planned 10, really 400
        Assert.True(gate.Anomalies.IsFlagged("acme"));
    }

    [Fact]
    public void Idle_intervals_count_as_zero_in_the_baseline()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time);
        Spend(gate, perInterval: 60, intervals: 6);
        _time.Advance(TimeSpan.FromSeconds(30));                 // three idle intervals: baseline 30
        Assert.Equal(30, gate.Anomalies.GetRate("acme")!.Value.Baseline, 9);
    }
}
