using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Policy;

public class PolicyValidationTests
{
    private static PolicyValidationException Invalid(string json) =>
        Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));

    private static PolicyError Single(string json)
    {
        PolicyValidationException e = Invalid(json);
        return Assert.Single(e.Errors);
    }

    private static void AssertAt(PolicyError error, string json, string marker, int occurrence = 1)
    {
        (int line, int column) = TestPolicies.Locate(json, marker, occurrence);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal("agentquotas.json", error.Source);
    }

    [Fact]
    public void Design_example_with_comments_is_valid()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(TestPolicies.Design);

        Assert.Equal("2026-11-21.1", policy.Version);
        TierPolicy standard = policy.Tiers["standard"];
        Assert.Equal(200, standard.Categories["search"].Capacity);
        Assert.Equal(0.05, standard.Categories["payments"].RefillPerSecond);
        Assert.Equal(2, standard.Burst!.Multiplier);
        Assert.True(standard.AllowsEmergency(WorkloadClass.Critical));
        Assert.False(standard.AllowsEmergency(WorkloadClass.High));
        Assert.Equal(40, standard.Limits.MaxToolCalls);
        Assert.Equal(20000, standard.Limits.MaxCostPerDay);
        Assert.Same(standard, policy.Tenants["acme"]);
        Assert.Same(standard, policy.DefaultTier);
        Assert.Equal(0.2, policy.GetClass(WorkloadClass.Critical).ReservedShare);
        Assert.Equal(TimeSpan.FromMinutes(2), policy.GetClass(WorkloadClass.Batch).MaxQueueWait);
        Assert.Equal(0, policy.GetClass(WorkloadClass.High).ReservedShare);
        Assert.Equal(TimeSpan.FromSeconds(5), policy.Aging!.PromoteAfter);
        Assert.Equal(["reserved", "shared"], policy.Pools.Select(p => p.Name));
        Assert.True(policy.Pools[0].Serves(WorkloadClass.High));
        Assert.False(policy.Pools[0].Serves(WorkloadClass.Batch));
        Assert.True(policy.Pools[1].Serves(WorkloadClass.Batch));
        Assert.Equal(3.0, policy.Anomaly!.Factor);
        Assert.Equal(64, policy.ContentHash.Length);
    }

    [Fact]
    public void Trailing_commas_and_block_comments_are_allowed()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            /* reviewed by the platform team */
            {
              "version": "1",
              "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1, }, }, }, },
              "defaultTier": "t",
            }
            """);
        Assert.Equal("1", policy.Version);
    }

    [Fact]
    public void Syntax_error_is_located_at_the_offending_token()
    {
        const string json = """
            {
              "version": "1"
              "tiers": {}
            }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.Syntax, error.Kind);
        Assert.Contains("expected ',' or '}'", error.Message);
        AssertAt(error, json, "\"tiers\"");
    }

    [Fact]
    public void Unterminated_string_is_located_where_it_starts()
    {
        const string json = "{ \"version\": \"1,\n  \"tiers\": {} }";
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.Syntax, error.Kind);
        AssertAt(error, json, "\"1,");
    }

    [Fact]
    public void Unknown_field_suggests_the_closest_name()
    {
        const string json = """
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capcity": 5, "capacity": 5, "refillPerSecond": 1 } } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.UnknownField, error.Kind);
        Assert.Contains("did you mean 'capacity'", error.Message);
        Assert.Equal("$.tiers.t.categories.search.capcity", error.Path);
        AssertAt(error, json, "\"capcity\"");
    }

    [Fact]
    public void Missing_field_is_located_at_its_object()
    {
        const string json = """
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capacity": 5 } } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.MissingField, error.Kind);
        Assert.Contains("refillPerSecond", error.Message);
        AssertAt(error, json, "{ \"capacity\"");
    }

    [Fact]
    public void Missing_version_and_tiers_are_both_reported()
    {
        PolicyValidationException e = Invalid("{ }");
        Assert.Equal(["$.version", "$.tiers"], e.Errors.Select(x => x.Path));
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorKind.MissingField, x.Kind));
    }

    [Fact]
    public void Wrong_type_tells_how_to_fix_a_quoted_number()
    {
        const string json = """
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capacity": "200", "refillPerSecond": 1 } } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.WrongType, error.Kind);
        Assert.Contains("remove the quotes", error.Message);
        AssertAt(error, json, "\"200\"");
    }

    [Theory]
    [InlineData("-5", "must be > 0")]
    [InlineData("0", "must be > 0")]
    [InlineData("NaN", "finite number, not NaN")]
    [InlineData("1e999", "finite number, not 1e999")]
    [InlineData("Infinity", "finite number, not Infinity")]
    public void Capacity_must_be_a_finite_positive_number(string value, string expected)
    {
        string json = $$"""
            { "version": "1", "tiers": { "t": { "categories": { "search": { "capacity": {{value}}, "refillPerSecond": 1 } } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Equal("$.tiers.t.categories.search.capacity", error.Path);
        AssertAt(error, json, value + ",");
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("8.0")]
    [InlineData("1e1")]
    public void Whole_numbers_must_be_written_as_integers(string value)
    {
        string json = $$"""
            { "version": "1", "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } }, "limits": { "maxIterations": {{value}} } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Contains("whole number", error.Message);
        AssertAt(error, json, value + " }");
    }

    [Fact]
    public void A_bucket_that_would_take_years_to_refill_is_refused()
    {
        const string json = """
            { "version": "1", "tiers": { "t": { "categories": { "c": { "capacity": 1000000000, "refillPerSecond": 0.001 } } } } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Contains("must refill from empty", error.Message);
        AssertAt(error, json, "0.001");
    }

    [Fact]
    public void Unknown_tier_reference_is_located_at_the_reference()
    {
        const string json = """
            {
              "version": "1",
              "tiers": { "standard": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } },
              "tenants": { "acme": { "tier": "standrad" } },
              "defaultTier": "gold"
            }
            """;
        PolicyValidationException e = Invalid(json);
        Assert.Equal(2, e.Errors.Count);
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorKind.UnknownReference, x.Kind));
        Assert.Contains("did you mean 'standard'", e.Errors[0].Message);
        AssertAt(e.Errors[0], json, "\"standrad\"");
        AssertAt(e.Errors[1], json, "\"gold\"");
    }

    [Fact]
    public void Unknown_class_and_mode_references_are_reported()
    {
        const string json = """
            {
              "version": "1",
              "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } }, "emergency": { "classes": ["Urgent"] } } },
              "classes": { "Backgound": { "reservedShare": 0.1 } },
              "degradation": ["Full", "Sleep"]
            }
            """;
        PolicyValidationException e = Invalid(json);
        Assert.Equal(3, e.Errors.Count);
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorKind.UnknownReference, x.Kind));
        AssertAt(e.Errors[0], json, "\"Urgent\"");
        AssertAt(e.Errors[1], json, "\"Backgound\"");
        AssertAt(e.Errors[2], json, "\"Sleep\"");
    }

    [Fact]
    public void Duplicate_names_point_at_the_second_definition()
    {
        const string json = """
            {
              "version": "1",
              "tiers": { "t": { "categories": {
                "search": { "capacity": 1, "refillPerSecond": 1 },
                "search": { "capacity": 2, "refillPerSecond": 1 }
              }, "emergency": { "classes": ["Critical", "Critical"] } } }
            }
            """;
        PolicyValidationException e = Invalid(json);
        Assert.Equal(2, e.Errors.Count);
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorKind.DuplicateName, x.Kind));
        AssertAt(e.Errors[0], json, "\"search\"", occurrence: 2);
        Assert.Contains("first defined at line 4", e.Errors[0].Message);
        AssertAt(e.Errors[1], json, "\"Critical\"", occurrence: 2);
    }

    [Fact]
    public void Duplicate_field_in_one_object_is_reported()
    {
        const string json = """{ "version": "1", "version": "2", "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } } }""";
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.DuplicateName, error.Kind);
        AssertAt(error, json, "\"version\"", occurrence: 2);
    }

    [Theory]
    [InlineData("2 minutes")]
    [InlineData("00:61:00")]
    [InlineData("-00:00:05")]
    [InlineData("00:00:00")]
    public void Durations_must_parse_and_be_positive(string value)
    {
        string json = $$"""
            { "version": "1", "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } }, "aging": { "promoteAfter": "{{value}}" } }
            """;
        PolicyError error = Single(json);
        Assert.Equal(PolicyErrorKind.InvalidDuration, error.Kind);
        Assert.Equal("$.aging.promoteAfter", error.Path);
        AssertAt(error, json, "\"" + value + "\"");
    }

    [Fact]
    public void Every_error_is_reported_at_once_in_document_order()
    {
        const string json = """
            {
              "version": "",
              "tiers": {
                "t": {
                  "categories": { "c": { "capacity": -1, "refillPerSecond": "fast" } },
                  "burst": { "multiplier": 0.5, "maxSeconds": 30 },
                  "limits": { "maxToolCalls": 0, "maxCostPerDay": -3 }
                }
              },
              "classes": { "Critical": { "reservedShare": 0.7 }, "High": { "reservedShare": 0.6 } },
              "pools": { "p": { "concurrency": 0 } },
              "anomaly": { "factor": 1, "window": "soon" },
              "extra": true
            }
            """;
        PolicyValidationException e = Invalid(json);
        Assert.Equal(
            [
                "$.version",
                "$.tiers.t.categories.c.capacity",
                "$.tiers.t.categories.c.refillPerSecond",
                "$.tiers.t.burst.multiplier",
                "$.tiers.t.limits.maxToolCalls",
                "$.tiers.t.limits.maxCostPerDay",
                "$.classes",
                "$.pools.p.concurrency",
                "$.anomaly.factor",
                "$.anomaly.window",
                "$.extra",
            ],
            e.Errors.Select(x => x.Path));
        Assert.Equal(e.Errors.OrderBy(x => x.Line).ThenBy(x => x.Column), e.Errors);
        Assert.Contains("The quota policy 'agentquotas.json' is invalid (11 errors)", e.Message);
        foreach (PolicyError error in e.Errors)
        {
            Assert.Contains(error.ToString(), e.Message);
        }
    }

    [Fact]
    public void Degradation_ladder_must_start_with_full_and_go_down_in_order()
    {
        const string json = """
            { "version": "1", "tiers": { "t": { "categories": { "c": { "capacity": 1, "refillPerSecond": 1 } } } }, "degradation": ["DraftOnly", "Full"] }
            """;
        PolicyValidationException e = Invalid(json);
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("must start with \"Full\"", e.Errors[0].Message);
        AssertAt(e.Errors[1], json, "\"Full\"");
    }

    [Fact]
    public void Invalid_utf8_is_a_syntax_error()
    {
        byte[] bytes = [(byte)'{', 0xC3, 0x28, (byte)'}'];
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(bytes, "bad.json"));
        Assert.Equal(PolicyErrorKind.Syntax, Assert.Single(e.Errors).Kind);
        Assert.Contains("UTF-8", e.Errors[0].Message);
    }

    [Fact]
    public void Empty_file_is_a_syntax_error()
    {
        PolicyError error = Single("  // nothing here\n");
        Assert.Equal(PolicyErrorKind.Syntax, error.Kind);
        Assert.Contains("empty", error.Message);
    }
}
