using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0001 for framework tools: a [KernelFunction] (Semantic Kernel) or [McpServerTool] (MCP) method, or a
/// method handed to AIFunctionFactory.Create (and the like), is exposed to the model, so it needs a budget.
/// </summary>
public sealed class FrameworkToolBudgetTests
{
    private static Task<ImmutableArray<Diagnostic>> Verify(string source) =>
        new AgentQuotasAnalyzerTest { Sources = { source }, ReferenceFrameworks = true }.RunAsync();

    [Fact]
    public async Task KernelFunction_without_a_budget_is_reported_and_says_why()
    {
        var diagnostics = await Verify("""
            using System.ComponentModel;
            using Microsoft.SemanticKernel;

            public sealed class LightsPlugin
            {
                [KernelFunction("get_lights"), Description("Gets a list of lights and their current state")]
                public Task<string> {|AQ0001:GetLightsAsync|}() => Task.FromResult("[]");

                [KernelFunction, Description("Changes the state of the light")]
                [QuotaCategory("search")]
                public Task<string> {|AQ0001:ChangeStateAsync|}(int id, bool isOn, CancellationToken cancellationToken) => Task.FromResult("ok");

                [KernelFunction, Cost(2), QuotaCategory("search")]
                public string Budgeted() => "fine";

                public string NotATool() => "plain";
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage() ==
            "Agent tool 'GetLightsAsync' ([KernelFunction]: Semantic Kernel exposes it to the model) has neither a [Cost] nor a category; add [Cost(...)] and [QuotaCategory(...)] on the method or its type");
        Assert.Contains(diagnostics, d => d.GetMessage() == "Agent tool 'ChangeStateAsync' has no [Cost]; say how many units each call takes from the 'search' bucket");
    }

    [Fact]
    public async Task McpServerTool_without_a_budget_is_reported()
    {
        var diagnostics = await Verify("""
            using System.ComponentModel;
            using ModelContextProtocol.Server;

            [McpServerToolType, QuotaCategory("search")]
            public static class EchoTool
            {
                [McpServerTool, Description("Echoes the message back to the client.")]
                public static string {|AQ0001:Echo|}(string message) => "hello " + message;

                [McpServerTool(Name = "reverse"), Cost(1)]
                public static string Reverse(string message) => new string(message.Reverse().ToArray());
            }
            """);

        Assert.Contains("([McpServerTool]: the MCP server exposes it to the model) has no [Cost]", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Privileged_framework_tool_without_a_budget_is_AQ0004()
    {
        await Verify("""
            using Microsoft.SemanticKernel;

            public sealed class Payments
            {
                [KernelFunction, Privileged(RequiresApproval = true)]
                public Task<string> {|AQ0004:RefundAsync|}(string orderId) => Task.FromResult(orderId);
            }
            """);
    }

    [Fact]
    public async Task Methods_handed_to_AIFunctionFactory_are_tools_wherever_they_are_declared()
    {
        var test = new AgentQuotasAnalyzerTest
        {
            ReferenceFrameworks = true,
            OutputKind = OutputKind.ConsoleApplication,
            Sources =
            {
                """
                using System.ComponentModel;
                using System.Reflection;

                [Description("Gets the weather")]
                static string {|AQ0001:GetWeather|}(string city) => "sunny in " + city;

                var tools = new List<AITool>
                {
                    AIFunctionFactory.Create(GetWeather),
                    AIFunctionFactory.Create(Forecasts.Tomorrow),
                    AIFunctionFactory.Create(typeof(Forecasts).GetMethod(nameof(Forecasts.NextWeek))!, target: null),
                    AIFunctionFactory.Create({|AQ0007:Forecasts.Budgeted|}), // budgeted, but a method group is not intercepted
                    AIFunctionFactory.Create((string city) => "lambda for " + city, "inline"),
                };
                Console.WriteLine(tools.Count);
                """,
                """
                using System.ComponentModel;

                public static class Forecasts
                {
                    [Description("Tomorrow's forecast")]
                    public static string {|AQ0001:Tomorrow|}(string city) => city;

                    public static string {|AQ0001:NextWeek|}(string city) => city;

                    [Cost(1), QuotaCategory("search")]
                    public static string Budgeted(string city) => city;
                }
                """,
            },
        };
        var diagnostics = await test.RunAsync();

        Diagnostic[] missing = diagnostics.Where(d => d.Id == "AQ0001").ToArray();
        Assert.All(missing, d => Assert.Contains("(handed to the model by AIFunctionFactory.Create) has neither a [Cost] nor a category", d.GetMessage()));
        Assert.All(missing, d => Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, d.Descriptor.CustomTags));
    }

    [Fact]
    public async Task Sub_agents_and_methods_of_other_assemblies_handed_to_AIFunctionFactory_are_not_reported()
    {
        await Verify("""
            public class Researcher
            {
                [AgentLoop(MaxIterations = 3)]
                public Task<string> ResearchAsync(string topic) => Task.FromResult(topic);
            }

            public class Wiring
            {
                public IList<AITool> Tools(Researcher researcher) =>
                [
                    AIFunctionFactory.Create({|AQ0007:researcher.ResearchAsync|}),
                    AIFunctionFactory.Create(string.IsNullOrWhiteSpace),
                ];
            }
            """);
    }

    [Fact]
    public async Task Process_step_functions_are_run_by_the_process_not_a_model()
    {
        // The SK Process Framework (Microsoft.SemanticKernel.Process.*, not served by the registry: stubbed with its
        // real names) marks step entry points with [KernelFunction]; the process calls them, not a model.
        await Verify("""
            using Microsoft.SemanticKernel;

            namespace Microsoft.SemanticKernel
            {
                public class KernelProcessStep { }
                public class KernelProcessStep<TState> : KernelProcessStep where TState : class, new() { }
            }

            public sealed class StartStep : KernelProcessStep
            {
                [KernelFunction]
                public void Execute() { }
            }

            public sealed class CountState { public int Count { get; set; } }

            public sealed class CountingStep : KernelProcessStep<CountState>
            {
                [KernelFunction("count")]
                public void Count() { }
            }
            """);
    }
}
