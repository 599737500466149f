using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Policy;

/// <summary>
/// What the validator (and so AQ0008) accepts, the runtime can build: a bucket's shape is checked once, by
/// one set of limits, and a shape that cannot work is refused with a located reason, never with an
/// ArgumentOutOfRangeException from construction.
/// </summary>
public sealed class BucketShapeValidationTests
{
    private static string Policy(string category, string? tierExtra = null) => $$"""
        {
          "version": "v1",
          "tiers": {
            "standard": {
              "categories": { "search": {{category}} }{{(tierExtra is null ? "" : ", " + tierExtra)}}
            }
          },
          "defaultTier": "standard"
        }
        """;

    private static PolicyError Refused(string json, string marker)
    {
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));
        PolicyError error = Assert.Single(e.Errors);
        (int line, int column) = TestPolicies.Locate(json, marker);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        return error;
    }

    [Fact]
    public void Burst_credits_on_top_of_the_longest_refill_are_refused_where_the_burst_is_written()
    {
        string json = Policy("""{ "capacity": 100000000, "refillPerSecond": 1 }""", "\"burst\": { \"multiplier\": 1000, \"maxSeconds\": 31536000 }");
        PolicyError error = Refused(json, "\"burst\"");
        Assert.Contains("100000000 seconds", error.Message);
        Assert.Contains("burst", error.Message);
        Assert.Contains("$.tiers.standard", error.Path);
    }

    [Fact]
    public void Emergency_debt_on_top_of_the_longest_refill_is_refused_where_the_emergency_is_written()
    {
        string json = Policy("""{ "capacity": 100000000, "refillPerSecond": 1 }""", "\"emergency\": { \"classes\": [\"Critical\"], \"debtMultiplier\": 3 }");
        PolicyError error = Refused(json, "\"emergency\"");
        Assert.Contains("debt", error.Message);
    }

    [Fact]
    public void A_bucket_smaller_than_one_tick_is_refused()
    {
        string json = Policy("""{ "capacity": 200, "refillPerSecond": 1000000000000 }""");
        PolicyError error = Refused(json, "1000000000000");
        Assert.Contains("tick", error.Message);
    }

    [Fact]
    public void A_unit_smaller_than_one_tick_is_refused()
    {
        string json = Policy("""{ "capacity": 1000000000000, "refillPerSecond": 1000000000000 }""");
        PolicyError error = Refused(json, "1000000000000 }");
        Assert.Contains("10000000", error.Message);
    }

    [Theory]
    [InlineData(10_000_000, 10_000_000)]         // one unit is exactly one tick
    [InlineData(0.000001, 0.00001)]              // a tiny bucket that refills slowly: 1 s of ticks
    [InlineData(100_000_000, 1)]                 // the longest refill
    public void Shapes_within_the_limits_load(double capacity, double refill)
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy($$"""{ "capacity": {{capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, "refillPerSecond": {{refill.ToString(System.Globalization.CultureInfo.InvariantCulture)}} }"""));
        Assert.Equal(capacity, policy.Tiers["standard"].Categories["search"].Limits.Capacity);
    }

    [Fact]
    public void A_reload_of_a_policy_that_cannot_be_built_keeps_the_old_policy()
    {
        string dir = Directory.CreateTempSubdirectory("aq-reload").FullName;
        try
        {
            string path = Path.Combine(dir, "agentquotas.json");
            File.WriteAllText(path, Policy("""{ "capacity": 10, "refillPerSecond": 1 }"""));
            using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(path);
            QuotaPolicy before = provider.Current;
            File.WriteAllText(path, Policy("""{ "capacity": 100000000, "refillPerSecond": 1 }""", "\"burst\": { \"multiplier\": 1000, \"maxSeconds\": 31536000 }"));

            PolicyReloadResult result = provider.Reload();

            Assert.False(result.Succeeded);
            Assert.Same(before, provider.Current);
            Assert.Contains(result.Errors, e => e.Path.StartsWith("$.tiers.standard", StringComparison.Ordinal) && e.Line > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
