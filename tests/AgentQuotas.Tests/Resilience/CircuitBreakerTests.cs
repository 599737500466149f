using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Resilience;

public class CircuitBreakerTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    private QuotaGate Gate(string? breaker = null, Action<QuotaGateOptions>? configure = null) =>
        TestPolicies.Gate(TestPolicies.Simple(capacity: 1000, refill: 100, extra: breaker), _time, configure);

    [Fact]
    public void Consecutive_failures_open_the_breaker_for_its_break_duration()
    {
        var changes = new List<CircuitStateChangedArguments>();
        using QuotaGate gate = Gate(configure: o => o.OnCircuitStateChanged = a => { changes.Add(a); return ValueTask.CompletedTask; });
        using AgentRun run = gate.BeginRun(Acme);
        for (int i = 0; i < CircuitBreakerPolicy.DefaultFailureThreshold; i++)
        {
            Assert.Equal(CircuitState.Closed, gate.CircuitBreakers.GetState("search"));
            run.Acquire(Search, 1).Fail(new TimeoutException("kb offline"));
        }

        Assert.Equal(CircuitState.Open, gate.CircuitBreakers.GetState("search"));
        QuotaTicket refused = run.Acquire(Search, 1);
        Assert.Equal(QuotaReason.CircuitOpen, refused.Decision.Reason);
        Assert.Equal(DegradationMode.Rejected, refused.Mode);
        Assert.Equal(CircuitBreakerPolicy.DefaultBreakDuration, refused.Decision.RetryAfter);
        Assert.Contains("5 consecutive calls failed", refused.Decision.Detail);

        // Other categories are not affected.
        Assert.True(run.Acquire(new QuotaTool("other", "search2"), 1).Decision.Reason != QuotaReason.CircuitOpen);

        CircuitStateChangedArguments opened = Assert.Single(changes);
        Assert.Equal((CircuitState.Closed, CircuitState.Open), (opened.PreviousState, opened.State));
        Assert.IsType<TimeoutException>(opened.LastFailure);
        Assert.Equal(CircuitBreakerPolicy.DefaultBreakDuration, opened.BreakDuration);
    }

    [Fact]
    public void An_open_breaker_degrades_a_tool_with_a_fallback_to_its_draft()
    {
        using QuotaGate gate = Gate("\"circuitBreaker\": { \"failureThreshold\": 1 }");
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        QuotaTicket draft = run.Acquire(new QuotaTool("search_kb", "search", hasFallback: true), 1);
        Assert.Equal(DegradationMode.DraftOnly, draft.Mode);
        Assert.Equal(QuotaReason.CircuitOpen, draft.Decision.Reason);
    }

    [Fact]
    public void After_the_break_one_probe_goes_through_and_its_success_closes_the_breaker()
    {
        using QuotaGate gate = Gate("\"circuitBreaker\": { \"failureThreshold\": 2, \"breakDuration\": \"00:00:10\" }");
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        run.Acquire(Search, 1).Fail();
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), run.Acquire(Search, 1).Decision.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.HalfOpen, gate.CircuitBreakers.GetState("search"));

        QuotaTicket probe = run.Acquire(Search, 1);
        Assert.True(probe.IsAdmitted);
        QuotaTicket second = run.Acquire(Search, 1);             // one probe at a time
        Assert.Equal(QuotaReason.CircuitOpen, second.Decision.Reason);

        probe.Complete();
        Assert.Equal(CircuitState.Closed, gate.CircuitBreakers.GetState("search"));
        Assert.True(run.Acquire(Search, 1).IsAdmitted);
    }

    [Fact]
    public void A_failed_probe_opens_the_breaker_again()
    {
        using QuotaGate gate = Gate("\"circuitBreaker\": { \"failureThreshold\": 1, \"breakDuration\": \"00:00:05\" }");
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        _time.Advance(TimeSpan.FromSeconds(5));
        run.Acquire(Search, 1).Fail();
        Assert.Equal(CircuitState.Open, gate.CircuitBreakers.GetState("search"));
        Assert.Equal(TimeSpan.FromSeconds(5), run.Acquire(Search, 1).Decision.RetryAfter);
    }

    [Fact]
    public void A_probe_refused_by_its_budget_lets_the_next_call_probe()
    {
        QuotaPolicy policy = TestPolicies.Simple(capacity: 2, refill: 1, extra: "\"circuitBreaker\": { \"failureThreshold\": 1, \"breakDuration\": \"00:00:05\" }");
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(QuotaReason.CostExceedsCapacity, run.Acquire(Search, 50).Decision.Reason);  // the probe did not run
        Assert.True(run.Acquire(Search, 1).IsAdmitted);                                          // so this call probes
    }

    [Fact]
    public void A_success_resets_the_count_of_consecutive_failures()
    {
        using QuotaGate gate = Gate("\"circuitBreaker\": { \"failureThreshold\": 3 }");
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        run.Acquire(Search, 1).Fail();
        run.Acquire(Search, 1).Complete();
        Assert.True(gate.CircuitBreakers.TryGet("search", out CircuitBreaker? breaker));
        Assert.Equal(0, breaker.ConsecutiveFailures);
        run.Acquire(Search, 1).Fail();
        run.Acquire(Search, 1).Fail();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Categories_can_have_their_own_settings_and_breakers_can_be_turned_off()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capacity": 100, "refillPerSecond": 1 }, "pay": { "capacity": 100, "refillPerSecond": 1 } } } },
              "defaultTier": "t",
              "circuitBreaker": { "failureThreshold": 10, "categories": { "pay": { "failureThreshold": 1, "breakDuration": "00:01:00" } } } }
            """);
        Assert.Equal(10, policy.CircuitBreakers.For("search").FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.CircuitBreakers.For("search").BreakDuration);
        Assert.Equal(1, policy.CircuitBreakers.For("pay").FailureThreshold);
        using QuotaGate gate = TestPolicies.Gate(policy, _time);
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(new QuotaTool("refund", "pay"), 1).Fail();
        run.Acquire(Search, 1).Fail();
        Assert.Equal(CircuitState.Open, gate.CircuitBreakers.GetState("pay"));
        Assert.Equal(CircuitState.Closed, gate.CircuitBreakers.GetState("search"));

        Assert.True(gate.CircuitBreakers.Reset("pay"));
        Assert.True(run.Acquire(new QuotaTool("refund", "pay"), 1).IsAdmitted);

        using QuotaGate off = Gate("\"circuitBreaker\": { \"enabled\": false }");
        using AgentRun offRun = off.BeginRun(Acme);
        for (int i = 0; i < 20; i++)
        {
            offRun.Acquire(Search, 1).Fail();
        }

        Assert.True(offRun.Acquire(Search, 1).IsAdmitted);
    }

    [Fact]
    public void A_failing_state_change_handler_is_logged_not_thrown()
    {
        using QuotaGate gate = Gate("\"circuitBreaker\": { \"failureThreshold\": 1 }", o => o.OnCircuitStateChanged = _ => throw new InvalidOperationException("boom"));
        using AgentRun run = gate.BeginRun(Acme);
        run.Acquire(Search, 1).Fail();
        Assert.Equal(CircuitState.Open, gate.CircuitBreakers.GetState("search"));
    }
}
