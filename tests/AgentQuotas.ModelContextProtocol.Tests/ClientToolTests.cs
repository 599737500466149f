using System.Text.Json;
using AgentQuotas.Extensions.AI;
using AgentQuotas.Integrations.Tests.Harness;
using AgentQuotas.ModelContextProtocol.Tests.Harness;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;

namespace AgentQuotas.ModelContextProtocol.Tests;

/// <summary>
/// tools.WithAgentQuotas(): an MCP client's tools are guarded by the client's policy before a model sees them. The server
/// and the client have a gate each, as two processes would.
/// </summary>
public sealed class ClientToolTests : IDisposable
{
    private readonly Fixture _server = new();
    private readonly Fixture _client = new();

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    private static JsonElement Json(object? result) => JsonSerializer.SerializeToElement(result, AIJsonUtilities.DefaultOptions);

    private static Dictionary<string, object?> Query(string query) => new() { ["query"] = query };

    [Fact]
    public async Task Client_tools_take_their_quota_from_the_policy_and_a_denial_reaches_the_model_with_retry_after()
    {
        await using McpPair mcp = await McpPair.StartAsync(_server);
        IList<AIFunction> tools = await mcp.Client.ListToolsWithAgentQuotasAsync();
        var call = ScriptedModel.Call("web_search", Query("x"));
        var model = new ScriptedModel([call], [call], [call], [call]);   // 4 x 3 units from the client's bucket of 10
        using AgentRun run = _client.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseFunctionInvocation().Build().GetResponseAsync("hi", new ChatOptions { Tools = [.. tools] });

        Assert.Equal(3, mcp.Counters.WebSearches);
        JsonElement refused = Json(model.ResultsSeen.Last().Result);
        Assert.Equal("BucketExhausted", refused.GetProperty("reason").GetString());
        Assert.Equal(2, refused.GetProperty("retryAfterSeconds").GetDouble(), 9);
        Assert.Equal((3, 9d), (run.ToolCalls, run.CostSpent));
        Assert.Equal(10 - 9, _client.Left("search"), 9);
    }

    [Fact]
    public async Task A_client_tool_no_policy_entry_covers_is_refused_before_it_reaches_the_server()
    {
        await using McpPair mcp = await McpPair.StartAsync(_server);
        IList<McpClientTool> listed = await mcp.Client.ListToolsAsync();
        var model = new ScriptedModel([ScriptedModel.Call("search_kb", Query("x"))]);
        using AgentRun run = _client.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseFunctionInvocation().Build().GetResponseAsync("hi", new ChatOptions { Tools = [.. listed.WithAgentQuotas()] });

        Assert.Equal("unknown_tool", Json(model.ResultsSeen.Single().Result).GetProperty("error").GetString());
        Assert.Equal(0, mcp.Counters.Searches);
    }

    [Fact]
    public async Task Outside_a_run_a_client_tool_fails_closed_and_the_server_is_not_called()
    {
        await using McpPair mcp = await McpPair.StartAsync(_server);
        IList<AIFunction> tools = await mcp.Client.ListToolsWithAgentQuotasAsync();
        AIFunction search = tools.Single(t => t.Name == "web_search");

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await search.InvokeAsync(new AIFunctionArguments(Query("x"))));

        Assert.Equal(0, mcp.Counters.WebSearches);
    }

    [Fact]
    public async Task In_an_agent_quotas_pipeline_a_wrapped_client_tool_is_charged_once()
    {
        await using McpPair mcp = await McpPair.StartAsync(_server);
        IList<AIFunction> tools = await mcp.Client.ListToolsWithAgentQuotasAsync();
        var model = new ScriptedModel([ScriptedModel.Call("web_search", Query("x"))]);
        using AgentRun run = _client.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseAgentQuotas().Build().GetResponseAsync("hi", new ChatOptions { Tools = [.. tools] });

        Assert.Equal(1, mcp.Counters.WebSearches);
        Assert.Equal(10 - 3, _client.Left("search"), 9);
        Assert.Equal(10 - 3, _server.Left("search"), 9);   // the server charged its caller once too, in its own run
    }

    [Fact]
    public async Task A_refusal_by_the_server_reaches_the_model_as_the_tool_error_it_is()
    {
        using var client = new Fixture(policy: Fixture.PolicyJson.Replace("\"web_search\":", "\"*\": { \"category\": \"search\", \"cost\": 1 }, \"web_search\":", StringComparison.Ordinal));
        await using McpPair mcp = await McpPair.StartAsync(_server);
        IList<AIFunction> tools = await mcp.Client.ListToolsWithAgentQuotasAsync();
        var model = new ScriptedModel([ScriptedModel.Call("close_account", new Dictionary<string, object?> { ["accountId"] = "C-1" })]);
        using AgentRun run = client.Gate.BeginRun(Fixture.Acme);

        await model.AsBuilder().UseFunctionInvocation().Build().GetResponseAsync("hi", new ChatOptions { Tools = [.. tools] });

        JsonElement seen = Json(model.ResultsSeen.Single().Result);
        Assert.True(seen.GetProperty("isError").GetBoolean());
        Assert.Contains("ApprovalRequired", seen.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(0, mcp.Counters.Closures);
        Assert.Equal(1, run.ToolCalls);   // the client admitted the call; the server refused it for its caller
    }
}
