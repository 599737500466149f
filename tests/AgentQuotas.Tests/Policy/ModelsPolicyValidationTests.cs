using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Policy;

/// <summary>The policy's <c>models</c> and <c>routing</c> sections (issue 17): validated with located errors, read back, written back.</summary>
public class ModelsPolicyValidationTests
{
    private static string Policy(string models, string routing = "") => $$"""
        {
          "version": "m1",
          "tiers": { "standard": { "categories": { "model": { "capacity": 100, "refillPerSecond": 1 } } } },
          "defaultTier": "standard",
          "pools": { "premium": { "concurrency": 2 }, "small": { "concurrency": 8, "classes": ["Standard", "Batch"] } },
          "models": {{models}}{{(routing.Length == 0 ? string.Empty : ",\n  \"routing\": " + routing)}}
        }
        """;

    private const string TwoModels = """
        {
            "premium": { "pool": "premium", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": 3 },
            "small":   { "pool": "small", "inputCostPer1K": 0.25, "outputCostPer1K": 1.25, "rank": 1 }
          }
        """;

    private static PolicyError[] Errors(string json) =>
        Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json")).Errors.ToArray();

    private static void AssertAt(PolicyError error, string json, string marker, int occurrence = 1)
    {
        (int line, int column) = TestPolicies.Locate(json, marker, occurrence);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal("agentquotas.json", error.Source);
    }

    [Fact]
    public void A_valid_models_section_and_its_rules_are_read()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy(TwoModels, """[ { "workflow": "triage", "model": "small" }, { "class": "Critical", "minRank": 3 } ]"""));

        Assert.Equal(["premium", "small"], policy.Models.Select(m => m.Name));
        Assert.True(policy.TryGetModel("small", out ModelPolicy? small));
        Assert.Equal(("small", 0.25, 1.25, 1), (small.Pool, small.InputCostPer1K, small.OutputCostPer1K, small.Rank));
        Assert.Equal(0.25 + 2.5, small.CostOf(1000, 2000));
        Assert.Equal("small", policy.MatchRoutingRule("triage", WorkloadClass.High, "acme")!.Model);
        Assert.Equal(3, policy.MatchRoutingRule(null, WorkloadClass.Critical, "acme")!.MinRank);
        Assert.Null(policy.MatchRoutingRule(null, WorkloadClass.High, "acme"));
    }

    [Fact]
    public void The_sections_survive_a_round_trip_through_ToJson()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy(TwoModels, """[ { "workflow": "triage", "class": "Batch", "tier": "standard", "model": "small", "minRank": 1 } ]"""));

        QuotaPolicy again = QuotaPolicy.Parse(policy.ToJson());

        Assert.Equal(policy.Models.Select(m => (m.Name, m.Pool, m.InputCostPer1K, m.OutputCostPer1K, m.Rank)),
            again.Models.Select(m => (m.Name, m.Pool, m.InputCostPer1K, m.OutputCostPer1K, m.Rank)));
        ModelRoutingRule rule = Assert.Single(again.RoutingRules);
        Assert.Equal(("triage", (WorkloadClass?)WorkloadClass.Batch, "standard", "small", (int?)1), (rule.Workflow, rule.Class, rule.Tier, rule.Model, rule.MinRank));
    }

    [Fact]
    public void A_pool_name_the_policy_does_not_define_is_located_with_a_suggestion()
    {
        string json = Policy("""{ "premium": { "pool": "premum", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": 3 } }""");

        PolicyError error = Assert.Single(Errors(json));

        Assert.Equal(PolicyErrorKind.UnknownReference, error.Kind);
        Assert.Equal("$.models.premium.pool", error.Path);
        Assert.Contains("unknown pool 'premum'; did you mean 'premium'?", error.Message, StringComparison.Ordinal);
        AssertAt(error, json, "\"premum\"");
    }

    [Fact]
    public void Negative_prices_are_invalid_and_every_one_is_reported()
    {
        string json = Policy("""{ "premium": { "pool": "premium", "inputCostPer1K": -3, "outputCostPer1K": -0.5, "rank": 3 } }""");

        PolicyError[] errors = Errors(json);

        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Equal(PolicyErrorKind.InvalidValue, e.Kind));
        Assert.Equal(["$.models.premium.inputCostPer1K", "$.models.premium.outputCostPer1K"], errors.Select(e => e.Path));
        Assert.Contains("inputCostPer1K must be >= 0", errors[0].Message, StringComparison.Ordinal);
        AssertAt(errors[0], json, "-3");
        AssertAt(errors[1], json, "-0.5");
    }

    [Fact]
    public void A_model_defined_twice_is_a_duplicate()
    {
        string json = Policy("""
            {
                "small": { "pool": "small", "inputCostPer1K": 1, "outputCostPer1K": 1, "rank": 1 },
                "small": { "pool": "small", "inputCostPer1K": 2, "outputCostPer1K": 2, "rank": 1 }
              }
            """);

        PolicyError error = Assert.Single(Errors(json));

        Assert.Equal(PolicyErrorKind.DuplicateName, error.Kind);
        Assert.Contains("duplicate model 'small'", error.Message, StringComparison.Ordinal);
        AssertAt(error, json, "\"small\": {", occurrence: 3); // the first is the pool
    }

    [Theory]
    [InlineData("0", "rank must be >= 1")]
    [InlineData("1.5", "rank must be a whole number")]
    [InlineData("1001", "rank must be <= 1000")]
    [InlineData("\"high\"", "expected a number")]
    public void A_rank_must_be_a_whole_number_from_1_to_1000(string rank, string message)
    {
        string json = Policy($$"""{ "premium": { "pool": "premium", "inputCostPer1K": 3, "outputCostPer1K": 15, "rank": {{rank}} } }""");

        PolicyError error = Assert.Single(Errors(json));

        Assert.Equal("$.models.premium.rank", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        AssertAt(error, json, rank + " }");
    }

    [Fact]
    public void Missing_and_unknown_model_fields_are_reported()
    {
        string json = Policy("""{ "premium": { "pool": "premium", "inputCost": 3, "rank": 3 } }""");

        PolicyError[] errors = Errors(json);

        Assert.Contains(errors, e => e.Kind == PolicyErrorKind.UnknownField && e.Path == "$.models.premium.inputCost");
        Assert.Contains(errors, e => e.Kind == PolicyErrorKind.MissingField && e.Path == "$.models.premium.inputCostPer1K");
        Assert.Contains(errors, e => e.Kind == PolicyErrorKind.MissingField && e.Path == "$.models.premium.outputCostPer1K");
    }

    [Fact]
    public void Routing_rules_must_name_known_models_tiers_and_classes()
    {
        string json = Policy(TwoModels, """
            [
                { "workflow": "triage", "model": "smal" },
                { "tier": "gold", "model": "small" },
                { "class": "Urgent", "model": "small" },
                { "workflow": "x" }
              ]
            """);

        PolicyError[] errors = Errors(json);

        Assert.Equal(4, errors.Length);
        Assert.Equal(("$.routing[0].model", PolicyErrorKind.UnknownReference), (errors[0].Path, errors[0].Kind));
        Assert.Contains("did you mean 'small'?", errors[0].Message, StringComparison.Ordinal);
        AssertAt(errors[0], json, "\"smal\"");
        Assert.Equal("$.routing[1].tier", errors[1].Path);
        Assert.Equal("$.routing[2].class", errors[2].Path);
        Assert.Equal(("$.routing[3]", PolicyErrorKind.MissingField), (errors[3].Path, errors[3].Kind));
    }

    [Fact]
    public void A_rule_cannot_ask_for_a_rank_no_model_has_or_send_work_below_its_own_minRank()
    {
        string json = Policy(TwoModels, """[ { "class": "Critical", "minRank": 4 }, { "workflow": "legal", "model": "small", "minRank": 3 } ]""");

        PolicyError[] errors = Errors(json);

        Assert.Equal(2, errors.Length);
        Assert.Contains("minRank 4 is above every model's rank (the highest is 3)", errors[0].Message, StringComparison.Ordinal);
        AssertAt(errors[0], json, "4 }");
        Assert.Contains("model 'small' has rank 1, below the rule's minRank 3", errors[1].Message, StringComparison.Ordinal);
        Assert.Equal("$.routing[1].model", errors[1].Path);
    }

    [Fact]
    public void Routing_without_models_is_reported()
    {
        string json = """
            {
              "version": "m1",
              "tiers": { "standard": { "categories": { "model": { "capacity": 100, "refillPerSecond": 1 } } } },
              "defaultTier": "standard",
              "routing": [ { "minRank": 1 } ]
            }
            """;

        PolicyError[] errors = Errors(json);

        Assert.Contains(errors, e => e.Path == "$.routing" && e.Message.Contains("need a models section", StringComparison.Ordinal));
    }
}
