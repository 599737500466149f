using System.Text.Json;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Zoo;

namespace AgentQuotas.Generators.SignatureZoo;

/// <summary>
/// The generated AIFunctions of the zoo's agent tools: every schema is valid JSON built at compile time,
/// framework parameters are bound from the invocation (as AIFunctionFactory binds them, and Semantic Kernel
/// binds Kernel) and kept out of the schema, and invocations are guarded like direct calls.
/// </summary>
public sealed class AIFunctionTests : IDisposable
{
    private static readonly string[] FrameworkNames = ["cancellationToken", "cancellation", "first", "second", "serviceProvider", "arguments", "kernel"];
    private readonly QuotaGate _gate = new(
        QuotaPolicy.Parse("""{ "version": "zoo-ai-1", "tiers": { "t": { "categories": { "zoo": { "capacity": 100000, "refillPerSecond": 1 } } } }, "defaultTier": "t" }"""),
        new QuotaGateOptions { TimeProvider = TestTime.Create() });

    public void Dispose() => _gate.Dispose();

    public static IEnumerable<AIFunction> All() =>
        new NameTools().CreateGuardedAIFunctions()
            .Concat(new FrameworkParameterTools().CreateGuardedAIFunctions())
            .Concat(new TypeTools().CreateGuardedAIFunctions())
            .Concat(new DefaultTools().CreateGuardedAIFunctions())
            .Concat(new ModifierTools().CreateGuardedAIFunctions())
            .Concat(new ReturnTools().CreateGuardedAIFunctions());

    [Fact]
    public void Every_schema_is_an_object_schema_without_framework_parameters()
    {
        AIFunction[] all = [.. All()];
        Assert.True(all.Length > 150, "only " + all.Length + " AIFunctions");
        foreach (AIFunction function in all)
        {
            JsonElement schema = function.JsonSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            if (function.Name.StartsWith("With", StringComparison.Ordinal))
            {
                foreach (JsonProperty property in schema.GetProperty("properties").EnumerateObject())
                {
                    Assert.DoesNotContain(property.Name, FrameworkNames);
                }
            }
        }
    }

    [Fact]
    public void Framework_parameters_are_left_out_of_the_schema_and_model_parameters_kept()
    {
        AIFunction everything = new FrameworkParameterTools().CreateGuardedAIFunctions().Single(f => f.Name == "WithEverything");
        JsonElement properties = everything.JsonSchema.GetProperty("properties");

        Assert.Equal(["context"], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["context"], everything.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_tool_whose_parameter_names_collide_with_generated_names_reads_its_argument()
    {
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "zoo"));
        int calls = 0;
        foreach (AIFunction function in new NameTools().CreateGuardedAIFunctions())
        {
            string name = function.JsonSchema.GetProperty("properties").EnumerateObject().Single().Name;
            object? result = await function.InvokeAsync(new AIFunctionArguments { [name] = "v-" + name });
            Assert.Equal("v-" + name, result);
            calls++;
            Assert.Equal(calls, run.ToolCalls);
        }

        Assert.Equal(100, calls);
    }

    [Fact]
    public async Task Every_default_value_reaches_the_tool_as_the_direct_call_passes_it()
    {
        var tools = new DefaultTools();
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "zoo"));
        // The direct calls pass no argument: the compiler fills in each default.
        var expected = DefaultShapes.All(tools).ToDictionary(s => s.Name["defaults/".Length..s.Name.IndexOf(':', StringComparison.Ordinal)], s => s.Call());
        foreach (AIFunction function in tools.CreateGuardedAIFunctions().Where(f => f.Name != "Several"))
        {
            object? viaModel = await function.InvokeAsync(new AIFunctionArguments());
            object? direct = expected[function.Name];
            Assert.True(Equals(direct, viaModel), $"{function.Name}: the AIFunction passed {viaModel ?? "null"}, the default is {direct ?? "null"}");
        }

        AIFunction several = tools.CreateGuardedAIFunctions().Single(f => f.Name == "Several");
        Assert.Equal(tools.Several("a"), await several.InvokeAsync(new AIFunctionArguments { ["a"] = "a" }));
        Assert.True(expected.Count >= 40);
    }

    [Fact]
    public void Defaults_are_valid_JSON_in_the_schema_including_NaN_and_the_infinities()
    {
        Dictionary<string, JsonElement> schemas = new DefaultTools().CreateGuardedAIFunctions().ToDictionary(f => f.Name, f => f.JsonSchema);

        Assert.Equal("NaN", Default(schemas["NaN"]).GetString());
        Assert.Equal("Infinity", Default(schemas["PositiveInfinity"]).GetString());
        Assert.Equal("-Infinity", Default(schemas["NegativeInfinity"]).GetString());
        Assert.Equal("Green", Default(schemas["EnumDefault"]).GetString());
        Assert.Equal(-3.25m, Default(schemas["NegativeDecimal"]).GetDecimal());
        Assert.Equal("quote \" backslash \\ newline \n tab \t nul \0 line-separator \u2028 bell \a", Default(schemas["Escapes"]).GetString());
        Assert.Equal(JsonValueKind.Null, Default(schemas["NullString"]).ValueKind);

        static JsonElement Default(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Single().Value.GetProperty("default");
    }

    [Fact]
    public async Task Kernel_is_bound_from_the_call_then_the_services_then_made_over_the_services()
    {
        var tools = new FrameworkParameterTools();
        AIFunction withKernel = tools.CreateGuardedAIFunctions().Single(f => f.Name == "WithKernel");
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "zoo"));

        var carried = new Kernel();
        await withKernel.InvokeAsync(new AIFunctionArguments { ["query"] = "q", ["AIFunctionArguments_Kernel"] = carried });
        Assert.Same(carried, tools.LastKernel);

        var registered = new Kernel();
        await withKernel.InvokeAsync(new AIFunctionArguments { ["query"] = "q" }.WithServices(new KernelServices(registered)));
        Assert.Same(registered, tools.LastKernel);

        await withKernel.InvokeAsync(new AIFunctionArguments { ["query"] = "q" });
        Assert.NotNull(tools.LastKernel);
        Assert.NotSame(registered, tools.LastKernel);
        Assert.Equal(3, run.ToolCalls);
    }

    [Fact]
    public async Task Services_arguments_and_tokens_are_bound_from_the_invocation()
    {
        var tools = new FrameworkParameterTools();
        Dictionary<string, AIFunction> functions = tools.CreateGuardedAIFunctions().ToDictionary(f => f.Name);
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "zoo"));

        Assert.Equal("qFalse", await functions["WithServices"].InvokeAsync(new AIFunctionArguments { ["query"] = "q" }.WithServices(EmptyServices.Instance)));
        Assert.Equal("qTrue", await functions["WithOptionalServices"].InvokeAsync(new AIFunctionArguments { ["query"] = "q" }));
        Assert.Equal("2", await functions["WithArguments"].InvokeAsync(new AIFunctionArguments { ["a"] = 1, ["b"] = 2 }));
        using var cancellation = new CancellationTokenSource();
        Assert.Equal("q", await functions["WithToken"].InvokeAsync(new AIFunctionArguments { ["query"] = "q" }, cancellation.Token));
        Assert.Equal(4, run.ToolCalls);

        // A required service provider that the caller did not pass: a clear error before anything is charged.
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await functions["WithServices"].InvokeAsync(new AIFunctionArguments { ["query"] = "q" }));
        Assert.Contains("needs an IServiceProvider for its parameter 'serviceProvider'", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, run.ToolCalls);
    }

    [Fact]
    public async Task An_AIFunction_outside_a_run_fails_closed()
    {
        AIFunction function = new NameTools().CreateGuardedAIFunctions().First();
        string name = function.JsonSchema.GetProperty("properties").EnumerateObject().Single().Name;
        var hits = Probe.Start();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await function.InvokeAsync(new AIFunctionArguments { [name] = "x" }));
        Assert.Equal(0, hits.Value);
    }

    [Fact]
    public void Framework_tools_are_named_and_described_as_their_framework_names_them()
    {
        Dictionary<string, AIFunction> kernel = new MenuPlugin().CreateGuardedAIFunctions().ToDictionary(f => f.Name);
        Dictionary<string, AIFunction> mcp = new McpTools().CreateGuardedAIFunctions().ToDictionary(f => f.Name);

        Assert.Equal(["GetPrice", "get_menu"], kernel.Keys.Order(StringComparer.Ordinal));   // 'Unbudgeted' has no budget: no AIFunction
        Assert.Equal("Lists the menu.", kernel["get_menu"].Description);
        Assert.Equal("Looks up the price of an item.", kernel["GetPrice"].Description);   // the XML summary
        Assert.Equal(["item"], kernel["GetPrice"].JsonSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name));

        Assert.Equal(["both", "echo_message", "weather"], mcp.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Echoes the message.", mcp["echo_message"].Description);
    }

    [Fact]
    public async Task Framework_tools_are_guarded_and_audited_under_their_framework_name()
    {
        var audit = new AgentQuotas.Audit.InMemoryAuditSink();
        using var gate = new QuotaGate(
            QuotaPolicy.Parse("""{ "version": "zoo-fw-1", "tiers": { "t": { "categories": { "zoo": { "capacity": 100, "refillPerSecond": 1 } } } }, "defaultTier": "t" }"""),
            new QuotaGateOptions { TimeProvider = TestTime.Create(), AuditSink = audit });
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "zoo"));

        MenuItem[] menu = new MenuPlugin().GetMenu();
        object? echoed = await new McpTools().CreateGuardedAIFunctions().Single(f => f.Name == "echo_message").InvokeAsync(new AIFunctionArguments { ["message"] = "hi" });

        Assert.Single(menu);
        Assert.Equal("hi", echoed);
        Assert.Equal(2, run.ToolCalls);
        Assert.Contains(audit.Snapshot(), r => r.Tool == "get_menu" && r.Decision == AgentQuotas.Audit.AuditDecision.Completed);
        Assert.Contains(audit.Snapshot(), r => r.Tool == "echo_message" && r.Decision == AgentQuotas.Audit.AuditDecision.Completed);

        // [Privileged] on an MCP tool: without an approval service the call is refused (no fallback).
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => new McpTools().GetWeatherAsync("Oslo", CancellationToken.None));
        Assert.Equal(QuotaReason.ApprovalRequired, e.Reason);
        Assert.Equal("weather", e.Tool);
    }

    private sealed class KernelServices(Kernel kernel) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(Kernel) ? kernel : null;
    }
}

internal static class ArgumentsExtensions
{
    public static AIFunctionArguments WithServices(this AIFunctionArguments arguments, IServiceProvider services)
    {
        arguments.Services = services;
        return arguments;
    }
}
