using AgentQuotas.Policy;

namespace AgentQuotas.Tests.Tools;

public class PolicyToolsTests
{
    private const string Policy = """
        {
          "version": "v1",
          "tiers": { "standard": { "categories": {
            "search": { "capacity": 100, "refillPerSecond": 1 },
            "admin":  { "capacity": 5,   "refillPerSecond": 0.1 } } } },
          "defaultTier": "standard",
          "tools": {
            "web_search": { "category": "search", "cost": 5 },
            "github_*":   { "category": "search", "cost": 2 },
            "github_delete_*": { "category": "admin", "cost": 1, "requiresApproval": true },
            "*":          { "category": "search", "cost": 1 }
          }
        }
        """;

    [Fact]
    public void An_exact_name_wins_then_the_most_specific_pattern_then_the_catch_all()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy);

        Assert.True(policy.TryMatchTool("web_search", out ToolQuotaRule? exact));
        Assert.Equal(("web_search", 5d), (exact.Pattern, exact.Cost));
        Assert.True(policy.TryMatchTool("github_delete_repo", out ToolQuotaRule? specific));
        Assert.Equal("github_delete_*", specific.Pattern);
        Assert.True(specific.RequiresApproval);
        Assert.True(specific.IsPrivileged);
        Assert.True(policy.TryMatchTool("github_list_issues", out ToolQuotaRule? general));
        Assert.Equal("github_*", general.Pattern);
        Assert.True(policy.TryMatchTool("anything_else", out ToolQuotaRule? fallback));
        Assert.Equal("*", fallback.Pattern);
        Assert.Equal(["web_search", "github_delete_*", "github_*", "*"], policy.Tools.Select(r => r.Pattern));
    }

    [Fact]
    public void Without_a_catch_all_an_unlisted_tool_is_unknown()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy.Replace("""
            ,
                "*":          { "category": "search", "cost": 1 }
            """, string.Empty));
        Assert.False(policy.TryMatchTool("anything_else", out _));
        Assert.False(policy.TryMatchTool("Web_Search", out _));   // names are case-sensitive
        Assert.True(policy.TryMatchTool("web_search", out _));
    }

    [Theory]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("*_search", "web_search", true)]
    [InlineData("mcp:*/read", "mcp:files/read", true)]
    [InlineData("mcp:*/read", "mcp:files/write", false)]
    public void Patterns_match_like_globs(string pattern, string name, bool expected)
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy.Replace("\"web_search\": {", "\"" + pattern + "\": {"));
        Assert.Equal(expected, policy.Tools.Single(r => r.Pattern == pattern).Matches(name));
    }

    [Fact]
    public void A_policy_tool_descriptor_records_the_called_name_and_the_entry()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy);
        Assert.True(policy.TryMatchTool("github_list_issues", out ToolQuotaRule? rule));
        AgentQuotas.Tools.ToolDescriptor tool = rule.DescriptorFor("github_list_issues");
        Assert.Equal("github_list_issues", tool.Name);
        Assert.Equal("search", tool.Category);
        Assert.Equal(2, tool.FixedCost);
        Assert.Equal(AgentQuotas.Tools.ToolSource.Policy, tool.Source);
        Assert.Same(rule, tool.PolicyRule);
        Assert.True(policy.TryMatchTool("web_search", out ToolQuotaRule? exact));
        Assert.Same(exact.DescriptorFor("web_search"), exact.DescriptorFor("web_search")); // exact entries keep one descriptor
    }

    [Fact]
    public void The_tools_section_survives_a_round_trip()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(Policy);
        QuotaPolicy again = QuotaPolicy.Parse(policy.ToJson());
        Assert.Equal(policy.Tools.Select(r => r.ToString()), again.Tools.Select(r => r.ToString()));
    }

    [Fact]
    public void Every_error_in_the_tools_section_is_located()
    {
        const string json = """
            {
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 100, "refillPerSecond": 1 } } } },
              "defaultTier": "standard",
              "tools": {
                "web search": { "category": "search", "cost": 5 },
                "fetch":      { "category": "serch", "cost": 1 },
                "delete":     { "category": "search", "cost": -1, "requiresApproval": "yes" },
                "list":       { "category": "search" },
                "read":       { "category": "search", "cost": 1, "privilged": true },
                "":           { "category": "search", "cost": 1 },
                "write":      5
              }
            }
            """;
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));
        PolicyError[] errors = [.. e.Errors];
        Assert.Equal(8, errors.Length);
        Assert.Equal(PolicyErrorKind.InvalidValue, errors[0].Kind);
        Assert.Contains("'web search' is not a tool name or pattern", errors[0].Message);
        AssertAt(errors[0], json, "\"web search\"");
        Assert.Equal(PolicyErrorKind.UnknownReference, errors[1].Kind);
        Assert.Contains("no tier budgets category 'serch'; did you mean 'search'?", errors[1].Message);
        AssertAt(errors[1], json, "\"serch\"");
        Assert.Equal("$.tools.delete.cost", errors[2].Path);
        AssertAt(errors[2], json, "-1");
        Assert.Equal("$.tools.delete.requiresApproval", errors[3].Path);
        Assert.Equal(PolicyErrorKind.WrongType, errors[3].Kind);
        Assert.Equal(PolicyErrorKind.MissingField, errors[4].Kind);
        Assert.Equal("$.tools.list.cost", errors[4].Path);
        Assert.Equal(PolicyErrorKind.UnknownField, errors[5].Kind);
        Assert.Contains("did you mean 'privileged'?", errors[5].Message);
        Assert.Contains("must not be empty", errors[6].Message);
        Assert.Equal(PolicyErrorKind.WrongType, errors[7].Kind);
        AssertAt(errors[7], json, "5\n", occurrence: 1);
    }

    private static void AssertAt(PolicyError error, string json, string marker, int occurrence = 1)
    {
        (int line, int column) = TestPolicies.Locate(json, marker, occurrence);
        Assert.Equal((line, column), (error.Line, error.Column));
    }
}
