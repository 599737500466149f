using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpDesk.Tests;

/// <summary>The sample's calls over loopback HTTP, on a manual clock: what a reader of its output is promised.</summary>
public sealed class DeskServerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestTime.Create();
    private DeskServer _server = null!;
    private McpClient _acme = null!;

    public async Task InitializeAsync()
    {
        _server = await DeskServer.StartAsync(Path.Combine(AppContext.BaseDirectory, "agentquotas.json"), _time);
        _acme = await Connect("acme-key");
    }

    public async Task DisposeAsync()
    {
        await _acme.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<McpClient> Connect(string? key) => _server.ConnectAsync(key).WaitAsync(TimeSpan.FromSeconds(30));

    private static Task<CallToolResult> Call(McpClient client, string tool, params (string Name, object? Value)[] arguments) =>
        client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    private static JsonElement Json(CallToolResult result) => JsonDocument.Parse(Text(result)).RootElement;

    [Fact]
    public async Task A_guarded_call_runs_in_a_run_of_the_authenticated_caller()
    {
        CallToolResult result = await Call(_acme, "search_kb", ("query", "refund policy"));

        Assert.Equal("3 articles about refund policy", Text(result));
        Assert.Equal(1, _server.Ledger.Searches);
        QuotaAuditRecord done = Assert.Single(_server.AuditTrail, r => r.Decision == AuditDecision.Completed);
        Assert.Equal(("acme", "ann", "mcp", 15d), (done.Tenant, done.Principal, done.Workflow, done.PlannedCost));
    }

    [Fact]
    public async Task A_denial_is_a_tool_error_with_retry_after_and_other_tenants_pay_from_their_own_bucket()
    {
        await Call(_acme, "search_kb", ("query", "a"));
        await Call(_acme, "search_kb", ("query", "b"));

        CallToolResult refused = await Call(_acme, "search_kb", ("query", "c"));
        await using McpClient globex = await Connect("globex-key");
        CallToolResult other = await Call(globex, "search_kb", ("query", "c"));

        Assert.True(refused.IsError);
        Assert.Equal("BucketExhausted", Json(refused).GetProperty("reason").GetString());
        Assert.Equal(2.5, Json(refused).GetProperty("retryAfterSeconds").GetDouble(), 9);   // 5 units short at 2 a second
        Assert.Equal("3 articles about c", Text(other));
        Assert.Equal(3, _server.Ledger.Searches);
    }

    [Fact]
    public async Task A_privileged_call_without_approval_is_drafted_and_moves_no_money()
    {
        CallToolResult result = await Call(_acme, "issue_refund", ("orderId", "A-1042"), ("amount", 25m));

        Assert.NotEqual(true, result.IsError);
        Assert.True(Json(result).GetProperty("degraded").GetBoolean());
        Assert.Equal("draft: refund 25 for A-1042, waiting for a person to approve it", Json(result).GetProperty("result").GetString());
        Assert.Equal((0, 1), (_server.Ledger.Refunds, _server.Ledger.Drafts));
    }

    [Fact]
    public async Task A_request_over_the_tiers_cost_cap_per_run_is_refused_and_a_smaller_one_runs()
    {
        CallToolResult capped = await Call(_acme, "bulk_export", ("rows", 2000));    // cost 200 > maxCostPerRun 100
        CallToolResult fits = await Call(_acme, "bulk_export", ("rows", 500));       // cost 50

        Assert.True(capped.IsError);
        Assert.Equal("RunCostLimit", Json(capped).GetProperty("reason").GetString());
        Assert.Equal("exported 500 rows", Text(fits));
        Assert.Equal(1, _server.Ledger.Exports);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("stolen-key")]
    public async Task Without_an_authenticated_caller_nothing_runs_whatever_the_arguments_claim(string? key)
    {
        await using McpClient anonymous = await Connect(key);

        CallToolResult refused = await Call(anonymous, "search_kb", ("query", "x"), ("tenant", "acme"));

        Assert.True(refused.IsError);
        Assert.Equal("unauthenticated", Json(refused).GetProperty("error").GetString());
        Assert.Equal(0, _server.Ledger.Searches);
        Assert.Empty(_server.AuditTrail);
    }
}
