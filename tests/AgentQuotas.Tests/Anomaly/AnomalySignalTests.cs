using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Guard;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Anomaly;

/// <summary>Request-rate and token-growth detection: each signal has its own factor and flags on its own.</summary>
public class AnomalySignalTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly QuotaTool Chat = new("chat", "tokens");
    private readonly FakeTimeProvider _time = TestTime.Create();

    // A 60 s window of six 10 s intervals. Spend factor 3, requests factor 4, tokens factor 5.
    private static QuotaPolicy Policy(string signals, string quarantine = "\"quarantineTier\": \"quarantine\",") =>
        QuotaPolicy.Parse($$"""
            {
              "version": "1",
              "tiers": {
                "standard":   { "categories": { "search": { "capacity": 100000, "refillPerSecond": 10000 }, "tokens": { "capacity": 1000000, "refillPerSecond": 100000 } } },
                "quarantine": { "categories": { "search": { "capacity": 5, "refillPerSecond": 0.1 }, "tokens": { "capacity": 5, "refillPerSecond": 0.1 } } }
              },
              "defaultTier": "standard",
              "anomaly": { "factor": 3, "window": "00:01:00", "interval": "00:00:10", {{quarantine}} {{signals}} }
            }
            """);

    private QuotaGate Gate(QuotaPolicy policy, List<AnomalyDetectedArguments> flagged, InMemoryAuditSink? audit = null) =>
        TestPolicies.Gate(policy, _time, o =>
        {
            o.AuditSink = audit ?? new InMemoryAuditSink();
            o.OnAnomalyDetected = a => { flagged.Add(a); return ValueTask.CompletedTask; };
        });

    // A full window of 10 calls costing `cost` each and `tokens` model tokens per interval.
    private void Baseline(QuotaGate gate, AgentRun run, double cost, long tokens)
    {
        for (int i = 0; i < 6; i++)
        {
            for (int k = 0; k < 10; k++)
            {
                Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, cost)).IsAdmitted);
            }

            if (tokens > 0)
            {
                run.RecordUsage(Chat, 0.001, "model-a", ModelTokenUsage.From(tokens, null, null));
            }

            _time.Advance(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void A_burst_of_cheap_calls_is_flagged_by_the_request_rate_while_spend_stays_below_its_factor()
    {
        var flagged = new List<AnomalyDetectedArguments>();
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = Gate(Policy("\"requests\": { \"factor\": 4 }"), flagged, audit);
        using AgentRun run = gate.BeginRun(Acme);
        Baseline(gate, run, cost: 10, tokens: 0);                     // 10 calls, 100 units per interval

        // 41 calls of 0.1 units: 4.1x the request baseline, 0.041x the spend baseline.
        for (int k = 0; k < 40; k++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 0.1));
        }

        Assert.Empty(flagged);                                         // 40 = 4x: not more than the factor
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 0.1)).IsAdmitted);

        AnomalyDetectedArguments anomaly = Assert.Single(flagged);
        Assert.Equal((AnomalySignal.Requests, 41d, 10d, 4d), (anomaly.Signal, anomaly.Current, anomaly.Baseline, anomaly.Factor));
        Assert.Equal("quarantine", anomaly.QuarantineTier);
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        Assert.False(gate.Anomalies.GetRate("acme")!.Value.Current > 3 * 100); // spend did not cross its own factor
        QuotaAuditRecord record = Assert.Single(audit.Snapshot(), r => r.Decision == AuditDecision.AnomalyFlagged);
        Assert.Contains("Requests of 41 calls", record.Detail);

        // The quarantine path is the spend signal's: the tier's small budget applies until cleared.
        Assert.Equal(QuotaReason.AnomalyQuarantine, gate.TryAcquire(new QuotaRequest(Acme, Search, 6)).Reason);
        Assert.True(gate.Anomalies.Clear("acme"));
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 6)).IsAdmitted);
    }

    [Fact]
    public void Token_growth_is_flagged_by_its_own_factor_while_spend_and_requests_stay_below_theirs()
    {
        var flagged = new List<AnomalyDetectedArguments>();
        using QuotaGate gate = Gate(Policy("\"requests\": { \"factor\": 4 }, \"tokens\": { \"factor\": 5, \"minBaseline\": 6000 }"), flagged);
        using AgentRun run = gate.BeginRun(Acme);
        Baseline(gate, run, cost: 10, tokens: 1000);                  // 1,000 tokens per interval (6,000 per window)
        Assert.Equal(new TenantSpendRate(0, 1000, true, false), gate.Anomalies.GetRate("acme", AnomalySignal.Tokens));

        run.RecordUsage(Chat, 0.001, "model-a", ModelTokenUsage.From(3000, 2000, null)); // 5,000 = 5x: not more
        Assert.Empty(flagged);
        run.RecordUsage(Chat, 0.001, "model-a", ModelTokenUsage.From(null, null, 1));      // 5,001: flagged

        AnomalyDetectedArguments anomaly = Assert.Single(flagged);
        Assert.Equal((AnomalySignal.Tokens, 5001d, 1000d, 5d), (anomaly.Signal, anomaly.Current, anomaly.Baseline, anomaly.Factor));
        Assert.Equal(0, gate.Anomalies.GetRate("acme", AnomalySignal.Requests)!.Value.Current); // no calls this interval
    }

    [Fact]
    public void Spend_still_flags_alone_and_the_first_signal_to_flag_a_tenant_is_the_only_one_reported()
    {
        var flagged = new List<AnomalyDetectedArguments>();
        using QuotaGate gate = Gate(Policy("\"requests\": { \"factor\": 4 }, \"tokens\": { \"factor\": 5 }", quarantine: string.Empty), flagged);
        using AgentRun run = gate.BeginRun(Acme);
        Baseline(gate, run, cost: 10, tokens: 1000);

        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 301)).IsAdmitted); // one call: spend 3.01x
        Assert.Equal(AnomalySignal.Spend, Assert.Single(flagged).Signal);
        Assert.Null(flagged[0].QuarantineTier);

        for (int k = 0; k < 50; k++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 0.1));                          // requests 51 = 5.1x
        }

        run.RecordUsage(Chat, 0.001, "model-a", ModelTokenUsage.From(10_000, null, null)); // tokens 10x
        Assert.Single(flagged);                                                            // already flagged: no second report
    }

    [Fact]
    public void A_tenant_below_a_signals_min_baseline_is_not_judged_on_it()
    {
        var flagged = new List<AnomalyDetectedArguments>();
        using QuotaGate gate = Gate(Policy("\"requests\": { \"factor\": 4, \"minBaseline\": 61 }"), flagged);
        using AgentRun run = gate.BeginRun(Acme);
        Baseline(gate, run, cost: 10, tokens: 0);                     // 60 calls per window: below 61

        for (int k = 0; k < 100; k++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 0.1));
        }

        Assert.Empty(flagged);
    }

    [Theory]
    [InlineData("\"requests\": { \"factor\": 1 }", "$.anomaly.requests.factor")]
    [InlineData("\"tokens\": { \"minBaseline\": 5 }", "$.anomaly.tokens.factor")]
    [InlineData("\"tokens\": { \"factor\": 2, \"minBaseline\": -1 }", "$.anomaly.tokens.minBaseline")]
    [InlineData("\"requests\": { \"factor\": 2, \"window\": \"00:01:00\" }", "$.anomaly.requests.window")]
    [InlineData("\"requests\": 4", "$.anomaly.requests")]
    public void Bad_signal_settings_are_refused_with_their_location(string signals, string path)
    {
        var e = Assert.Throws<PolicyValidationException>(() => Policy(signals));
        Assert.Contains(e.Errors, error => error.Path == path);
    }

    [Fact]
    public void Signal_settings_survive_a_round_trip_through_the_policy_json()
    {
        QuotaPolicy policy = Policy("\"requests\": { \"factor\": 4 }, \"tokens\": { \"factor\": 5, \"minBaseline\": 6000 }");
        QuotaPolicy again = QuotaPolicy.Parse(policy.ToJson());

        Assert.Equal((4d, 0d), (again.Anomaly!.Requests!.Factor, again.Anomaly.Requests.MinBaseline));
        Assert.Equal((5d, 6000d), (again.Anomaly.Tokens!.Factor, again.Anomaly.Tokens.MinBaseline));
        Assert.Equal(3, again.Anomaly.For(AnomalySignal.Spend)!.Factor);
        Assert.Null(QuotaPolicy.Parse(Policy(string.Empty).ToJson()).Anomaly!.Requests);
    }
}
