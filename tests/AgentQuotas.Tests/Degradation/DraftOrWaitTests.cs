using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using AgentQuotas.Tests.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Degradation;

// Issue 17, item 2: per class, a short wait for the real tool or its draft at once (classes.<class>.waitBeforeDraft).
public class DraftOrWaitTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Draftable = new("search_kb", "search", hasFallback: true);
    private static readonly QuotaTool Plain = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    // One unit of capacity: refilling 8 a second an emptied bucket holds the next unit after 125 ms, within the
    // Critical class's 200 ms; refilling 5 a second, after 200 ms.
    private static QuotaPolicy Policy(string criticalClass = "\"waitBeforeDraft\": \"00:00:00.2\"", double refill = 8) =>
        TestPolicies.Simple(capacity: 1, refill: refill, extra: "\"classes\": { \"Critical\": { " + criticalClass + " } }");

    [Fact]
    public async Task A_critical_call_waits_up_to_200_ms_and_is_admitted_while_a_standard_call_gets_its_draft_at_once()
    {
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = PriorityQueueTests.Gate(Policy(), _time, o => o.AuditSink = audit);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Plain, 1)).IsAdmitted);

        ValueTask<QuotaDecision> standard = gate.AcquireAsync(new QuotaRequest(Acme, Draftable, 1, WorkloadClass.Standard));
        Assert.True(standard.IsCompleted);
        QuotaDecision drafted = await standard;
        Assert.False(drafted.IsAdmitted);
        Assert.Equal(DegradationMode.DraftOnly, drafted.Mode);

        ValueTask<QuotaDecision> critical = gate.AcquireAsync(new QuotaRequest(Acme, Draftable, 1, WorkloadClass.Critical));
        Assert.False(critical.IsCompleted);
        Assert.Equal(1, gate.GetQueuedCount("acme", "search"));
        _time.Advance(TimeSpan.FromMilliseconds(124));
        Assert.False(critical.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        QuotaDecision served = await critical;

        Assert.True(served.IsAdmitted);
        Assert.Equal(DegradationMode.Queued, served.Mode);
        QuotaAuditRecord admitted = audit.Snapshot().Last(r => r.Decision == AuditDecision.Admitted);
        Assert.Equal(WorkloadClass.Critical, admitted.WorkloadClass);
        Assert.Equal(TimeSpan.FromMilliseconds(125), admitted.QueueWait);
    }

    [Fact]
    public async Task A_critical_call_whose_wait_would_exceed_waitBeforeDraft_is_drafted_at_once_without_queueing()
    {
        using QuotaGate gate = PriorityQueueTests.Gate(Policy("\"waitBeforeDraft\": \"00:00:00.1\"", refill: 5), _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Plain, 1)).IsAdmitted);

        ValueTask<QuotaDecision> critical = gate.AcquireAsync(new QuotaRequest(Acme, Draftable, 1, WorkloadClass.Critical));

        Assert.True(critical.IsCompleted);
        QuotaDecision drafted = await critical;
        Assert.Equal(DegradationMode.DraftOnly, drafted.Mode);
        Assert.Equal(QuotaReason.QueueTimeout, drafted.Reason);
        Assert.Contains("waitBeforeDraft", drafted.Detail);
        Assert.Equal(0, gate.GetQueuedCount("acme", "search"));
    }

    [Fact]
    public async Task A_waiting_call_is_drafted_when_its_waitBeforeDraft_passes_before_units_come()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1, refill: 5, extra: "\"classes\": { \"High\": { \"waitBeforeDraft\": \"00:00:00.25\" } }");
        using QuotaGate gate = PriorityQueueTests.Gate(policy, _time);
        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Plain, 1)).IsAdmitted);

        // The High call expects the next unit at 200 ms, within its 250 ms; a Critical call arriving later outranks it.
        ValueTask<QuotaDecision> drafted = gate.AcquireAsync(new QuotaRequest(Acme, Draftable, 1, WorkloadClass.High));
        Assert.False(drafted.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        ValueTask<QuotaDecision> critical = gate.AcquireAsync(new QuotaRequest(Acme, Plain, 1, WorkloadClass.Critical));
        Assert.False(critical.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True((await critical).IsAdmitted);
        Assert.False(drafted.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        QuotaDecision decision = await drafted;
        Assert.False(decision.IsAdmitted);
        Assert.Equal(DegradationMode.DraftOnly, decision.Mode);
        Assert.Equal(QuotaReason.QueueTimeout, decision.Reason);
        Assert.Equal(0, gate.GetQueuedCount("acme", "search"));
    }

    [Fact]
    public void WaitBeforeDraft_is_read_written_back_and_defaults_to_none()
    {
        QuotaPolicy policy = Policy();

        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.GetClass(WorkloadClass.Critical).WaitBeforeDraft);
        Assert.Null(policy.GetClass(WorkloadClass.Standard).WaitBeforeDraft);
        Assert.Contains("\"waitBeforeDraft\"", policy.ToJson());
    }

    [Fact]
    public void WaitBeforeDraft_longer_than_the_class_maxQueueWait_is_a_located_error()
    {
        string json = """
            {
              "version": "1",
              "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } },
              "defaultTier": "t",
              "classes": { "Critical": { "maxQueueWait": "00:00:01", "waitBeforeDraft": "00:00:02" } }
            }
            """;

        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));

        PolicyError error = Assert.Single(e.Errors);
        Assert.Equal("$.classes.Critical.waitBeforeDraft", error.Path);
        Assert.Contains("at most the class's maxQueueWait (00:00:01)", error.Message);
        Assert.Equal(TestPolicies.Locate(json, "\"00:00:02\""), (error.Line, error.Column));
    }
}
