using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Policy;

// The policy fields added for scheduling: circuitBreaker, anomaly.interval and anomaly.minBaseline.
public class SchedulingPolicyValidationTests
{
    private static string With(string fields) => $$"""
        {
          "version": "1",
          "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } },
          "defaultTier": "t",
          {{fields}}
        }
        """;

    private static PolicyError Single(string json)
    {
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));
        return Assert.Single(e.Errors);
    }

    private static void AssertAt(PolicyError error, string json, string marker)
    {
        (int line, int column) = TestPolicies.Locate(json, marker);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Circuit_breaker_settings_are_read_with_defaults_for_what_is_left_out()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(With("""
            "circuitBreaker": { "breakDuration": "00:01:00", "categories": { "search": { "failureThreshold": 2 } } }
            """));
        Assert.True(policy.CircuitBreakers.Enabled);
        Assert.Equal(CircuitBreakerPolicy.DefaultFailureThreshold, policy.CircuitBreakers.Default.FailureThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.CircuitBreakers.Default.BreakDuration);
        Assert.Equal(2, policy.CircuitBreakers.For("search").FailureThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.CircuitBreakers.For("search").BreakDuration);

        QuotaPolicy defaults = QuotaPolicy.Parse(With("\"aging\": { \"promoteAfter\": \"00:00:05\" }"));
        Assert.Same(defaults.CircuitBreakers, CircuitBreakerPolicy.Defaults);
    }

    [Fact]
    public void A_threshold_below_one_is_invalid()
    {
        string json = With("\"circuitBreaker\": { \"failureThreshold\": 0 }");
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Equal("$.circuitBreaker.failureThreshold", error.Path);
        AssertAt(error, json, "0 }");
    }

    [Fact]
    public void A_fractional_or_huge_threshold_is_invalid()
    {
        Assert.Contains("whole number", Single(With("\"circuitBreaker\": { \"failureThreshold\": 2.5 }")).Message);
        Assert.Contains("at most 1000000", Single(With("\"circuitBreaker\": { \"failureThreshold\": 2000000 }")).Message);
    }

    [Fact]
    public void A_breaker_for_a_category_no_tier_budgets_is_an_unknown_reference()
    {
        string json = With("\"circuitBreaker\": { \"categories\": { \"serch\": { \"failureThreshold\": 2 } } }");
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.UnknownReference, error.Kind);
        Assert.Contains("no tier budgets category 'serch'; did you mean 'search'?", error.Message);
        AssertAt(error, json, "\"serch\"");
    }

    [Fact]
    public void Breaker_fields_are_checked_for_type_duration_and_spelling()
    {
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(With("""
            "circuitBreaker": { "enabled": "no", "breakDuration": "30s", "failureTreshold": 3, "categories": { "search": { "breakDuration": "00:00:00" } } }
            """)));
        Assert.Equal(
            [
                (PolicyErrorKind.WrongType, "$.circuitBreaker.enabled"),
                (PolicyErrorKind.InvalidDuration, "$.circuitBreaker.breakDuration"),
                (PolicyErrorKind.UnknownField, "$.circuitBreaker.failureTreshold"),
                (PolicyErrorKind.InvalidDuration, "$.circuitBreaker.categories.search.breakDuration"),
            ],
            e.Errors.Select(x => (x.Kind, x.Path)));
        Assert.Contains("expected true or false", e.Errors[0].Message);
        Assert.Contains("did you mean 'failureThreshold'", e.Errors[2].Message);
        Assert.Contains("must be a positive duration", e.Errors[3].Message);
    }

    [Fact]
    public void Breakers_can_be_turned_off()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(With("\"circuitBreaker\": { \"enabled\": false }"));
        Assert.False(policy.CircuitBreakers.Enabled);
    }

    [Fact]
    public void The_anomaly_interval_defaults_to_a_twelfth_of_the_window()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(With("\"anomaly\": { \"factor\": 3, \"window\": \"01:00:00\" }"));
        Assert.Equal(TimeSpan.FromMinutes(5), policy.Anomaly!.Interval);
        Assert.Equal(0, policy.Anomaly.MinBaseline);

        QuotaPolicy own = QuotaPolicy.Parse(With("\"anomaly\": { \"factor\": 3, \"window\": \"01:00:00\", \"interval\": \"00:01:00\", \"minBaseline\": 500 }"));
        Assert.Equal(TimeSpan.FromMinutes(1), own.Anomaly!.Interval);
        Assert.Equal(500, own.Anomaly.MinBaseline);
    }

    [Fact]
    public void An_anomaly_interval_must_be_shorter_than_the_window_and_divide_it_sensibly()
    {
        string json = With("\"anomaly\": { \"factor\": 3, \"window\": \"00:10:00\", \"interval\": \"00:10:00\" }");
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Contains("shorter than the window (00:10:00)", error.Message);
        Assert.Equal("$.anomaly.interval", error.Path);

        PolicyError tooFine = Single(With("\"anomaly\": { \"factor\": 3, \"window\": \"1.00:00:00\", \"interval\": \"00:00:01\" }"));
        Assert.Contains("the window holds 86400 intervals", tooFine.Message);
    }

    [Fact]
    public void A_negative_minimum_baseline_is_invalid()
    {
        PolicyError error = Single(With("\"anomaly\": { \"factor\": 3, \"window\": \"01:00:00\", \"minBaseline\": -1 }"));
        Assert.Equal("$.anomaly.minBaseline", error.Path);
        Assert.Contains("must be >= 0", error.Message);
    }

    [Fact]
    public void The_new_fields_survive_a_round_trip()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(With("""
            "anomaly": { "factor": 3, "window": "01:00:00", "interval": "00:10:00", "minBaseline": 50 },
            "circuitBreaker": { "enabled": false, "failureThreshold": 4, "breakDuration": "00:00:20", "categories": { "search": { "failureThreshold": 2 } } }
            """));
        QuotaPolicy again = QuotaPolicy.Parse(policy.ToJson());
        Assert.Equal(policy.ToJson(), again.ToJson());
        Assert.False(again.CircuitBreakers.Enabled);
        Assert.Equal(2, again.CircuitBreakers.For("search").FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(20), again.CircuitBreakers.For("search").BreakDuration);
        Assert.Equal(50, again.Anomaly!.MinBaseline);
        Assert.Equal(TimeSpan.FromMinutes(10), again.Anomaly.Interval);
    }
}
