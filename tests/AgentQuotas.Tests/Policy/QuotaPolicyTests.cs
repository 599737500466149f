using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Policy;

public class QuotaPolicyTests
{
    [Fact]
    public void Burst_and_emergency_shape_the_bucket_limits()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(TestPolicies.Design);
        var limits = policy.Tiers["standard"].Categories["search"].Limits;

        Assert.Equal(200, limits.Capacity);
        Assert.Equal(5, limits.RefillPerSecond);
        Assert.Equal((2 - 1) * 5 * 30, limits.BurstCredits);   // (multiplier - 1) x refill x maxSeconds
        Assert.Equal(200, limits.EmergencyDebt);                // one capacity by default
    }

    [Fact]
    public void Tenants_resolve_to_their_tier_then_the_default()
    {
        QuotaPolicy withDefault = QuotaPolicy.Parse(TestPolicies.Design);
        Assert.True(withDefault.TryResolveTier("acme", out TierPolicy? acme));
        Assert.Equal("standard", acme.Name);
        Assert.True(withDefault.TryResolveTier("someone-else", out TierPolicy? other));
        Assert.Same(withDefault.DefaultTier, other);

        QuotaPolicy strict = QuotaPolicy.Parse("""
            { "version": "1", "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } }, "tenants": { "a": { "tier": "t" } } }
            """);
        Assert.True(strict.TryResolveTier("a", out _));
        Assert.False(strict.TryResolveTier("b", out _));
    }

    [Fact]
    public void Content_hash_identifies_the_content_not_its_comments()
    {
        QuotaPolicy a = QuotaPolicy.Parse(TestPolicies.Design);
        QuotaPolicy b = QuotaPolicy.Parse(TestPolicies.Design.Replace("// baseline / burst / emergency", "// edited"));
        QuotaPolicy c = QuotaPolicy.Parse(TestPolicies.Design.Replace("\"capacity\": 200", "\"capacity\": 201"));

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.NotEqual(a.ContentHash, c.ContentHash);
        Assert.Equal(a.Version, c.Version);
    }

    [Fact]
    public void ToJson_round_trips_to_an_equivalent_policy()
    {
        QuotaPolicy original = QuotaPolicy.Parse(TestPolicies.Design);
        string json = original.ToJson();
        QuotaPolicy again = QuotaPolicy.Parse(json);

        Assert.Equal(original.Version, again.Version);
        Assert.Equal(original.Tiers["standard"].Categories["payments"].RefillPerSecond, again.Tiers["standard"].Categories["payments"].RefillPerSecond);
        Assert.Equal(original.Tiers["standard"].Limits.MaxCostPerDay, again.Tiers["standard"].Limits.MaxCostPerDay);
        Assert.Equal(original.GetClass(WorkloadClass.Batch).MaxQueueWait, again.GetClass(WorkloadClass.Batch).MaxQueueWait);
        Assert.Equal(original.DegradationLadder, again.DegradationLadder);
        Assert.Equal(again.ToJson(), json);
        Assert.DoesNotContain("//", json);
    }

    [Fact]
    public void Ladder_defaults_to_every_rung_and_can_be_shortened()
    {
        Assert.True(TestPolicies.Simple().Allows(DegradationMode.DraftOnly));
        QuotaPolicy noDrafts = TestPolicies.Simple(extra: "\"degradation\": [\"Full\", \"ApprovalRequired\"]");
        Assert.False(noDrafts.Allows(DegradationMode.DraftOnly));
        Assert.True(noDrafts.Allows(DegradationMode.ApprovalRequired));
    }

    [Fact]
    public void Load_reads_a_file_and_names_it_in_errors()
    {
        string dir = Directory.CreateTempSubdirectory("aq-policy").FullName;
        try
        {
            string path = Path.Combine(dir, "agentquotas.json");
            File.WriteAllText(path, "{ \"version\": 1 }");
            PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Load(path));
            Assert.All(e.Errors, x => Assert.Equal(path, x.Source));
            Assert.Contains(path + "(1,14): WrongType at $.version", e.Message);

            Assert.Throws<FileNotFoundException>(() => QuotaPolicy.Load(Path.Combine(dir, "missing.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
