using System.Security.Claims;
using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.ModelContextProtocol.Tests.Harness;
using ModelContextProtocol.Protocol;

namespace AgentQuotas.ModelContextProtocol.Tests;

/// <summary>mcpServerBuilder.AddAgentQuotas(): each tools/call runs in a run for the authenticated caller, guarded.</summary>
public sealed class ServerGuardTests : IDisposable
{
    private readonly Fixture _f = new();

    public void Dispose() => _f.Dispose();

    private static JsonElement Json(CallToolResult result) => JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text).RootElement;

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task A_call_runs_in_a_run_of_the_caller_named_by_the_claims_and_is_charged()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f);

        CallToolResult result = await mcp.CallAsync("search_kb", ("query", "refunds"));

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("articles about refunds", Text(result));
        Assert.Equal(1, mcp.Counters.Searches);
        Assert.Equal(10 - 4, _f.Left("search"), 9);
        QuotaAuditRecord record = Assert.Single(_f.Audit.Snapshot(), r => r.Decision == AuditDecision.Completed);
        Assert.Equal(("acme", "user-42", "search_kb", "mcp", 4d), (record.Tenant, record.Principal, record.Tool, record.Workflow, record.ActualCost));
        Assert.Null(AgentRun.Current);
    }

    [Fact]
    public async Task A_privileged_tool_requiring_approval_never_runs_without_it()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f);

        CallToolResult closed = await mcp.CallAsync("close_account", ("accountId", "C-1"));
        CallToolResult refunded = await mcp.CallAsync("issue_refund", ("orderId", "A-1"), ("amount", 12.5));

        Assert.Equal((0, 0), (mcp.Counters.Closures, mcp.Counters.Refunds));
        Assert.True(closed.IsError);
        Assert.Equal("ApprovalRequired", Json(closed).GetProperty("reason").GetString());
        Assert.NotEqual(true, refunded.IsError);           // drafted by its instance fallback
        Assert.True(Json(refunded).GetProperty("degraded").GetBoolean());
        Assert.Equal("draft refund of 12.5 for A-1", Json(refunded).GetProperty("result").GetString());
        Assert.Equal(1, mcp.Counters.Drafts);
        Assert.Equal(5, _f.Left("payments"), 9);
    }

    [Fact]
    public async Task An_approved_privileged_tool_runs_once()
    {
        var approvals = new Approvals(_ => new(ApprovalDecision.Approve("lead")));
        using var f = new Fixture(approvals);
        await using McpPair mcp = await McpPair.StartAsync(f);

        CallToolResult result = await mcp.CallAsync("close_account", ("accountId", "C-1"));

        Assert.Equal("closed C-1", Text(result));
        Assert.Equal((1, 1), (mcp.Counters.Closures, approvals.Asked));
        Assert.Equal(4, f.Left("payments"), 9);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("unauthenticated")]
    [InlineData("no-tenant")]
    public async Task A_request_without_an_authenticated_caller_is_refused_and_nothing_runs(string? caller)
    {
        await using McpPair mcp = await McpPair.StartAsync(_f);
        mcp.Caller = caller switch
        {
            null => null,
            "unauthenticated" => new ClaimsPrincipal(new ClaimsIdentity([new Claim("tenant", "acme"), new Claim("sub", "user-42")])),
            _ => new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "user-42")], "test")),
        };

        CallToolResult result = await mcp.CallAsync("search_kb", ("query", "x"), ("tenant", "acme"));

        Assert.True(result.IsError);
        Assert.Equal("unauthenticated", Json(result).GetProperty("error").GetString());
        Assert.Equal(0, mcp.Counters.Searches);
        Assert.Empty(_f.Audit.Snapshot());
        Assert.Equal(10, _f.Left("search"), 9);
    }

    [Fact]
    public async Task Each_tenant_pays_from_its_own_bucket()
    {
        using var f = new Fixture(policy: Fixture.PolicyJson.Replace("\"defaultTier\": \"standard\",", "\"defaultTier\": \"standard\", \"tenants\": { \"acme\": { \"tier\": \"standard\" }, \"globex\": { \"tier\": \"standard\" } },", StringComparison.Ordinal));
        await using McpPair mcp = await McpPair.StartAsync(f);

        await mcp.CallAsync("search_kb", ("query", "a"));
        await mcp.CallAsync("search_kb", ("query", "b"));
        mcp.Caller = McpPair.User("globex", "bob");
        await mcp.CallAsync("search_kb", ("query", "c"));

        Assert.Equal(10 - 8, f.Left("search"), 9);
        Assert.Equal(["acme", "acme", "globex"], f.Audit.Snapshot().Where(r => r.Decision == AuditDecision.Completed).Select(r => r.Tenant));
        Assert.Equal("bob", f.Audit.Snapshot().Last().Principal);
    }

    [Fact]
    public async Task A_denial_is_a_tool_error_with_its_reason_and_retry_after()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f);
        for (int i = 0; i < 3; i++)
        {
            await mcp.CallAsync("web_search", ("query", "x"));
        }

        CallToolResult refused = await mcp.CallAsync("web_search", ("query", "x"));

        Assert.True(refused.IsError);
        JsonElement json = Json(refused);
        Assert.Equal(("quota", "BucketExhausted"), (json.GetProperty("error").GetString(), json.GetProperty("reason").GetString()));
        Assert.Equal(2, json.GetProperty("retryAfterSeconds").GetDouble(), 9);
        Assert.Equal(3, mcp.Counters.WebSearches);
    }

    [Fact]
    public async Task A_tool_nobody_described_is_refused_and_recorded()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f);

        CallToolResult refused = await mcp.CallAsync("drop_tables");

        Assert.True(refused.IsError);
        Assert.Equal("unknown_tool", Json(refused).GetProperty("error").GetString());
        Assert.Contains("Tool 'drop_tables' has no quota", Json(refused).GetProperty("message").GetString());
        Assert.Equal(0, mcp.Counters.Drops);
        Assert.Single(_f.Audit.Snapshot(), r => r.Reason == QuotaReason.UnknownTool && r.Tenant == "acme");
    }

    [Fact]
    public async Task Run_limits_cap_each_request_and_a_tool_that_throws_fails_its_ticket()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f, o => o.Limits = new RunLimits { MaxCost = 3 });

        CallToolResult capped = await mcp.CallAsync("search_kb", ("query", "x"));   // costs 4 > 3
        Assert.True(capped.IsError);
        Assert.Equal("RunCostLimit", Json(capped).GetProperty("reason").GetString());
        Assert.Equal(0, mcp.Counters.Searches);

        await using McpPair other = await McpPair.StartAsync(_f);
        other.Counters.SearchBody = () => throw new IOException("index offline");
        CallToolResult failed = await other.CallAsync("search_kb", ("query", "x"));
        Assert.True(failed.IsError);
        Assert.Equal(AuditDecision.Failed, _f.Audit.Snapshot().Last().Decision);
    }

    [Fact]
    public async Task The_identity_mapping_is_configurable_and_a_mapper_returning_null_refuses()
    {
        await using McpPair mcp = await McpPair.StartAsync(_f, o => o.IdentityMapper = user =>
            user.FindFirst("org")?.Value is string org ? new AgentIdentity(org, user.FindFirst("email")!.Value) : null);
        mcp.Caller = new ClaimsPrincipal(new ClaimsIdentity([new Claim("org", "acme"), new Claim("email", "ann@acme.test")], "test"));

        await mcp.CallAsync("search_kb", ("query", "x"));
        mcp.Caller = McpPair.User("acme", "user-42");   // no "org" claim
        CallToolResult refused = await mcp.CallAsync("search_kb", ("query", "x"));

        Assert.Equal("ann@acme.test", Assert.Single(_f.Audit.Snapshot(), r => r.Decision == AuditDecision.Completed).Principal);
        Assert.True(refused.IsError);
        Assert.Equal(1, mcp.Counters.Searches);
    }

    [Fact]
    public async Task Without_the_integration_the_same_server_runs_the_privileged_tool()
    {
        // The control: the refusals above come from AddAgentQuotas, not from the harness.
        await using McpPair mcp = await McpPair.StartAsync(_f, guarded: false);

        CallToolResult result = await mcp.CallAsync("close_account", ("accountId", "C-1"));

        Assert.Equal("closed C-1", Text(result));
        Assert.Equal(1, mcp.Counters.Closures);
    }

    [Fact]
    public void Invalid_options_are_refused_when_the_server_is_configured()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Assert.Throws<ArgumentException>(() => Microsoft.Extensions.DependencyInjection.McpServerServiceCollectionExtensions.AddMcpServer(services)
            .AddAgentQuotas(o => o.TenantClaimTypes.Clear()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Microsoft.Extensions.DependencyInjection.McpServerServiceCollectionExtensions.AddMcpServer(services)
            .AddAgentQuotas(o => o.WorkloadClass = (WorkloadClass)42));
    }
}
