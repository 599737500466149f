using System.Reflection;
using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Guard;
using AgentQuotas.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Behaviour;

/// <summary>Generated AIFunctions: schema fixed at compile time, arguments parsed, every invocation guarded.</summary>
public sealed class AIFunctionTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;
    private readonly Assembly _assembly = Compiled.AI;
    private readonly object _tools;
    private readonly IReadOnlyDictionary<string, AIFunction> _functions;

    public AIFunctionTests()
    {
        _gate = Policies.Gate(Policies.Create("{}", "search:100:1", "payments:8:1"), _time, o => o.AuditSink = _audit);
        _tools = Activator.CreateInstance(_assembly.GetType("Demo.AI.SupportTools", throwOnError: true)!)!;
        var functions = (IReadOnlyList<AIFunction>)Scenario.Call(_assembly, "Demo.AI.SupportToolsGuardedAIFunctions", "CreateGuardedAIFunctions", _tools)!;
        _functions = functions.ToDictionary(f => f.Name);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void Names_descriptions_and_order_come_from_the_AgentTool_attributes()
    {
        var functions = (IReadOnlyList<AIFunction>)Scenario.Call(_assembly, "Demo.AI.SupportToolsGuardedAIFunctions", "CreateGuardedAIFunctions", _tools)!;

        Assert.Equal(["file_ticket", "issue_refund", "ping", "search_kb"], functions.Select(f => f.Name));
        Assert.Equal("Searches the knowledge base", _functions["search_kb"].Description);
    }

    [Fact]
    public void The_schema_describes_parameters_with_types_descriptions_defaults_and_required_names()
    {
        string search = _functions["search_kb"].JsonSchema.GetRawText();
        Assert.Equal(
            """{"type":"object","properties":{"query":{"description":"What to look for.","type":"string"},"top":{"description":"How many articles to return.","type":"integer","default":3}},"required":["query"]}""",
            search);

        string ticket = _functions["file_ticket"].JsonSchema.GetRawText();
        Assert.Equal(
            """{"type":"object","properties":{"ticket":{"description":"The ticket to file","type":"object","properties":{"title":{"type":"string"},"priority":{"type":"string","enum":["Low","Normal","High"]},"tags":{"type":["array","null"],"items":{"type":"string"}}},"required":["title","priority"]},"escalate":{"type":["string","null"],"enum":["Low","Normal","High",null],"default":null},"note":{"type":["string","null"],"default":null}},"required":["ticket"]}""",
            ticket);

        Assert.Equal("""{"type":"object","properties":{}}""", _functions["ping"].JsonSchema.GetRawText());
    }

    [Fact]
    public async Task Invocation_parses_json_arguments_and_goes_through_the_guard()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        object? result = await _functions["search_kb"].InvokeAsync(Arguments("""{ "query": "refunds", "top": 2 }"""));

        Assert.Equal("2 articles about refunds", result);
        Assert.Equal(1, run.ToolCalls);
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "search_kb" && r.Decision == AuditDecision.Completed && r.PlannedCost == 2);
    }

    [Fact]
    public async Task Optional_arguments_take_their_defaults_and_complex_arguments_are_deserialized()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        Assert.Equal("3 articles about x", await _functions["search_kb"].InvokeAsync(Arguments("""{ "query": "x" }""")));
        object? filed = await _functions["file_ticket"].InvokeAsync(Arguments(
            """{ "ticket": { "title": "Broken", "priority": "High", "tags": ["a", "b"] }, "escalate": "Normal" }"""));

        Assert.Equal("Broken/High/2/Normal/-", filed);
        Assert.Contains(_audit.Snapshot(), r => r.Tool == "file_ticket" && r.PlannedCost == 3);   // estimator: 1 + 2 tags
    }

    [Fact]
    public async Task Missing_or_mistyped_arguments_give_a_clear_error_and_charge_nothing()
    {
        using AgentRun run = _gate.BeginRun(Acme);

        ToolArgumentException missing = await Assert.ThrowsAsync<ToolArgumentException>(() => _functions["search_kb"].InvokeAsync(Arguments("""{ "top": 2 }""")).AsTask());
        Assert.Equal("Tool 'search_kb': the required argument 'query' is missing.", missing.Message);

        ToolArgumentException mistyped = await Assert.ThrowsAsync<ToolArgumentException>(() => _functions["search_kb"].InvokeAsync(Arguments("""{ "query": "q", "top": "many" }""")).AsTask());
        Assert.Equal("Tool 'search_kb': the argument 'top' must be an integer, but was \"many\".", mistyped.Message);
        Assert.Equal("top", mistyped.ParamName);

        ToolArgumentException badEnum = await Assert.ThrowsAsync<ToolArgumentException>(() => _functions["file_ticket"].InvokeAsync(Arguments(
            """{ "ticket": { "title": "t", "priority": "Urgent" } }""")).AsTask());
        Assert.Contains("'ticket'", badEnum.Message);

        Assert.Equal(0, run.ToolCalls);
    }

    [Fact]
    public async Task Numbers_sent_as_strings_are_accepted()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal("4 articles about q", await _functions["search_kb"].InvokeAsync(Arguments("""{ "query": "q", "top": "4" }""")));
    }

    [Fact]
    public async Task Typed_values_from_a_caller_are_converted_to_the_parameter_type()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        var arguments = new AIFunctionArguments { ["query"] = "typed", ["top"] = 5L };   // a long for an int parameter
        Assert.Equal("5 articles about typed", await _functions["search_kb"].InvokeAsync(arguments));

        ToolArgumentException e = await Assert.ThrowsAsync<ToolArgumentException>(
            () => _functions["search_kb"].InvokeAsync(new AIFunctionArguments { ["query"] = null }).AsTask());
        Assert.Equal("Tool 'search_kb': the argument 'query' must not be null; expected a string.", e.Message);
    }

    [Fact]
    public async Task A_denied_invocation_with_a_fallback_returns_a_result_marked_as_degraded()
    {
        using AgentRun run = _gate.BeginRun(Acme);
        Assert.Equal(12.5m, await _functions["issue_refund"].InvokeAsync(Arguments("""{ "orderId": "o-1", "amount": 12.5 }""")));

        object? second = await _functions["issue_refund"].InvokeAsync(Arguments("""{ "orderId": "o-2", "amount": 30 }"""));

        FallbackToolResult degraded = Assert.IsType<FallbackToolResult>(second);
        Assert.True(degraded.Degraded);
        Assert.Equal(0m, degraded.Result);
        Assert.Equal("DraftOnly", degraded.Mode);
        Assert.Equal("BucketExhausted", degraded.Reason);
        Assert.Equal(2, degraded.RetryAfterSeconds);
        Assert.Contains("issue_refund", degraded.Message);
        string json = JsonSerializer.Serialize(degraded, AIJsonUtilities.DefaultOptions);
        Assert.True(JsonDocument.Parse(json).RootElement.GetProperty("degraded").GetBoolean(), json);
    }

    [Fact]
    public async Task A_denied_invocation_without_a_fallback_throws_the_quota_error()
    {
        using AgentRun run = _gate.BeginRun(Acme, limits: new RunLimits { MaxToolCalls = 1 });
        await _functions["ping"].InvokeAsync(Arguments("{}"));

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => _functions["ping"].InvokeAsync(Arguments("{}")).AsTask());
        Assert.Equal(QuotaReason.RunToolCallLimit, e.Reason);
    }

    [Fact]
    public async Task Invocation_outside_a_run_fails_closed()
    {
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => _functions["search_kb"].InvokeAsync(Arguments("""{ "query": "x" }""")).AsTask());
        Assert.Contains("guarded by AgentQuotas", e.Message);
        Assert.Equal(0, (int)_tools.GetType().GetField("Searches")!.GetValue(_tools)!);
    }

    private static AIFunctionArguments Arguments(string json)
    {
        var arguments = new AIFunctionArguments();
        foreach (JsonProperty p in JsonDocument.Parse(json).RootElement.EnumerateObject())
        {
            arguments[p.Name] = p.Value.Clone();
        }

        return arguments;
    }
}
