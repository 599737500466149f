using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Gate;

/// <summary>
/// The decision pipeline as one path: model turns and token usage go through the same steps as tool calls
/// (quarantine, audit clock, anomaly observation), and a refused attempt gives back what it took exactly once.
/// </summary>
public class DecisionPipelineTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly QuotaTool Chat = new("chat", "model");
    private static readonly QuotaTool Refund = new("issue_refund", "search", requiresApproval: true);
    private readonly FakeTimeProvider _time = TestTime.Create();

    // A 60 s window of six 10 s intervals; the quarantine tier budgets no model tokens at all.
    private static QuotaPolicy Policy() => QuotaPolicy.Parse("""
        {
          "version": "1",
          "tiers": {
            "standard": {
              "categories": {
                "search": { "capacity": 10000, "refillPerSecond": 1000 },
                "model":  { "capacity": 10000, "refillPerSecond": 1000 }
              }
            },
            "quarantine": { "categories": { "search": { "capacity": 5, "refillPerSecond": 0.1 } } }
          },
          "defaultTier": "standard",
          "anomaly": { "factor": 3, "window": "00:01:00", "interval": "00:00:10", "quarantineTier": "quarantine" }
        }
        """);

    [Fact]
    public void Token_spend_can_flag_an_anomaly()
    {
        var audit = new InMemoryAuditSink();
        var flagged = new List<AnomalyDetectedArguments>();
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o =>
        {
            o.AuditSink = audit;
            o.OnAnomalyDetected = a => { flagged.Add(a); return ValueTask.CompletedTask; };
        });
        using AgentRun run = gate.BeginRun(Acme);

        for (int i = 0; i < 6; i++)
        {
            Assert.True(run.RecordUsage(Chat, 100).IsAdmitted); // a full window of model tokens at 100 per interval
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Empty(flagged);
        Assert.True(run.RecordUsage(Chat, 310).IsAdmitted);      // 3.1x the baseline, in tokens alone

        AnomalyDetectedArguments anomaly = Assert.Single(flagged);
        Assert.Equal(("acme", 310d, 100d), (anomaly.Tenant, anomaly.Current, anomaly.Baseline));
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        QuotaAuditRecord record = Assert.Single(audit.Snapshot(), r => r.Decision == AuditDecision.AnomalyFlagged);
        Assert.Equal(run.Id, record.RunId);
        Assert.Equal(_time.GetUtcNow(), record.Timestamp);

        // The usage itself is on the audit trail as completed calls, stamped by the gate's clock.
        QuotaAuditRecord usage = audit.Snapshot().Last(r => r.Tool == "chat");
        Assert.Equal((AuditDecision.Completed, 310d), (usage.Decision, usage.ActualCost));
        Assert.Equal(_time.GetUtcNow(), usage.Timestamp);
    }

    [Fact]
    public void A_quarantined_tenants_model_turns_are_refused()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(Acme);
        Assert.True(run.CheckUsageBudget(Chat).IsAdmitted);

        for (int i = 0; i < 6; i++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 100));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        gate.TryAcquire(new QuotaRequest(Acme, Search, 400));    // flagged: moved to the quarantine tier
        Assert.True(gate.Anomalies.IsFlagged("acme"));

        QuotaDecision turn = run.CheckUsageBudget(Chat);
        Assert.False(turn.IsAdmitted);
        Assert.Equal(QuotaReason.AnomalyQuarantine, turn.Reason);
        Assert.Contains("runs under tier 'quarantine'", turn.Detail);
        QuotaAuditRecord record = audit.Snapshot()[^1];
        Assert.Equal(("chat", AuditDecision.Denied, QuotaReason.AnomalyQuarantine), (record.Tool, record.Decision, record.Reason));
        Assert.Equal(_time.GetUtcNow(), record.Timestamp);

        // A review clears the quarantine.
        Assert.True(gate.Anomalies.Clear("acme"));
        Assert.True(run.CheckUsageBudget(Chat).IsAdmitted);
    }

    [Fact]
    public void Usage_is_refused_when_the_audit_is_required_and_the_sink_refuses_the_record()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o =>
        {
            o.AuditSink = new RefusingSink();
            o.RequireAudit = true;
        });
        using AgentRun run = gate.BeginRun(Acme);

        Assert.Equal(QuotaReason.AuditUnavailable, run.TryBeginIteration().Reason);
        Assert.Equal(0, run.Iterations); // the iteration is given back
        Assert.Equal(QuotaReason.AuditUnavailable, run.RecordUsage(Chat, 10).Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refused_attempt_is_undone_exactly_once(bool asynchronous)
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o => o.ApprovalService = new Refusing());
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 30).Complete();                      // the bucket is below full, so a double refund would show
        (int calls, double cost, double level) before = (run.ToolCalls, run.CostSpent, Level(gate));
        Assert.Equal((1, 30d, 9970d), before);

        QuotaTicket refused = asynchronous ? await run.AcquireAsync(Refund, 50) : run.Acquire(Refund, 50);

        Assert.Equal(QuotaReason.ApprovalDenied, refused.Decision.Reason);
        Assert.Equal(before, (run.ToolCalls, run.CostSpent, Level(gate)));
        Assert.Equal(9970d, refused.Decision.Remaining);         // what the bucket holds once the units are back
    }

    [Fact]
    public void An_admission_the_audit_sink_refuses_is_undone_exactly_once_under_RequireAudit()
    {
        var sink = new RefusingSink { Refuse = false };
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o =>
        {
            o.AuditSink = sink;
            o.RequireAudit = true;
        });
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 30).Complete();
        (int calls, double cost, double level) before = (run.ToolCalls, run.CostSpent, Level(gate));

        sink.Refuse = true;
        QuotaTicket refused = run.Acquire(Search, 50);

        Assert.Equal(QuotaReason.AuditUnavailable, refused.Decision.Reason);
        Assert.Equal(before, (run.ToolCalls, run.CostSpent, Level(gate)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_later_refusal_gives_the_principals_units_back_exactly_once(bool asynchronous)
    {
        // The principal's own bucket holds 50 (half the tenant's 100) and does not refill while the clock stands still.
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "1", "defaultTier": "t",
              "tiers": { "t": { "categories": { "search": { "capacity": 100, "refillPerSecond": 1 } }, "principal": { "share": 0.5 } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, _time, o => o.ApprovalService = new Refusing());
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 30).Complete();                      // the principal has 20 left

        QuotaTicket refused = asynchronous ? await run.AcquireAsync(Refund, 20) : run.Acquire(Refund, 20);
        Assert.Equal(QuotaReason.ApprovalDenied, refused.Decision.Reason);

        // Given back once: exactly 20 again (none back would refuse the 20, twice would admit a 21st unit).
        Assert.True(run.Acquire(Search, 20).Decision.IsAdmitted);
        Assert.Equal(QuotaReason.PrincipalLimit, run.Acquire(Search, 1).Decision.Reason);
    }

    [Fact]
    public void A_revoked_principals_turns_and_usage_checks_are_refused_but_usage_already_incurred_is_charged()
    {
        var audit = new InMemoryAuditSink();
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "1", "defaultTier": "t", "revoked": { "principals": { "acme": ["user-42"] } },
              "tiers": { "t": { "categories": { "model": { "capacity": 100, "refillPerSecond": 1 } } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, _time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(Acme);

        Assert.Equal(QuotaReason.Revoked, run.TryBeginIteration().Reason);
        Assert.Equal(0, run.Iterations);
        QuotaDecision check = run.CheckUsageBudget(Chat);
        Assert.Equal((QuotaReason.Revoked, DegradationMode.Rejected), (check.Reason, check.Mode));
        Assert.True(run.RecordUsage(Chat, 10).IsAdmitted);       // the tokens were spent before the revocation took effect
        Assert.Equal(90, gate.Store.Peek(new BucketKey("acme", "model"), policy.Tiers["t"].Categories["model"].Limits).Available, 9);
        Assert.All(audit.Snapshot(), r => Assert.Equal(policy.ContentHash, r.PolicyHash));
    }

    private static double Level(QuotaGate gate) =>
        gate.Store.Peek(new BucketKey("acme", "search"), gate.Policy.Tiers["standard"].Categories["search"].Limits).Available;

    private sealed class Refusing : IApprovalService
    {
        public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
            new(ApprovalDecision.Deny("not today", "reviewer"));
    }

    private sealed class RefusingSink : IQuotaAuditSink
    {
        public bool Refuse { get; set; } = true;

        public long DroppedCount => 0;

        public bool TryWrite(in QuotaAuditRecord record) => !Refuse;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
