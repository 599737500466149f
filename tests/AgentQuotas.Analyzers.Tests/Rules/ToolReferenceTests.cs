using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// AQ0004 / AQ0007: guarded tools reached where interceptors cannot wrap them — method groups, delegates,
/// reflection and expression trees — and forwarding lambdas, which are ordinary (wrapped) call sites.
/// </summary>
public sealed class ToolReferenceTests
{
    private const string Tools = """

        [QuotaCategory("payments")]
        public class Tools
        {
            [Cost(1)] public Task<string> SearchAsync(string q) => Task.FromResult(q);
            [Cost(1), Privileged(RequiresApproval = true)] public Task<string> RefundAsync(string orderId) => Task.FromResult(orderId);
            public string Plain(string q) => q;
        }
        """;

    [Fact]
    public async Task Method_groups_are_reported_by_privilege()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Agent
            {
                public void Wire(Tools tools)
                {
                    Func<string, Task<string>> search = {|AQ0007:tools.SearchAsync|};
                    var refund = new Func<string, Task<string>>({|AQ0004:tools.RefundAsync|});
                    AIFunction function = AIFunctionFactory.Create({|AQ0007:tools.SearchAsync|});
                    Func<string, string> plain = tools.Plain;
                }
            }
            """ + Tools);

        Diagnostic warning = diagnostics.First(d => d.Id == "AQ0007");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("Guarded tool 'Tools.SearchAsync' is used as a method group, so calls through it are not wrapped by the quota guard; call it directly or hand the model the generated AIFunction", warning.GetMessage());
        Diagnostic error = diagnostics.Single(d => d.Id == "AQ0004");
        Assert.Equal("Privileged tool 'Tools.RefundAsync' is unguarded: it is used as a method group, so calls through the delegate bypass the guard; call it directly, forward to it from a lambda, or hand the model the generated AIFunction", error.GetMessage());
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
    }

    [Fact]
    public async Task Reflection_by_name_is_reported()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            using System.Reflection;

            public class Agent
            {
                public object? Run(Tools tools)
                {
                    {|AQ0004:typeof(Tools).GetMethod("RefundAsync")!.Invoke(tools, new object[] { "o-1" })|};

                    MethodInfo? method = tools.GetType().GetMethod(nameof(Tools.SearchAsync));
                    {|AQ0007:method?.Invoke(tools, new object[] { "q" })|};

                    var search = {|AQ0007:Delegate.CreateDelegate(typeof(Func<string, Task<string>>), tools, "SearchAsync")|};
                    var viaInfo = {|AQ0007:typeof(Tools).GetMethod("SearchAsync")!.CreateDelegate<Func<string, Task<string>>>(tools)|};
                    {|AQ0004:typeof(Tools).InvokeMember("RefundAsync", BindingFlags.InvokeMethod, null, tools, new object[] { "o-2" })|};
                    MethodInfo? runtime = typeof(Tools).GetRuntimeMethod("SearchAsync", new[] { typeof(string) });
                    MethodInfo? chosen = runtime;
                    {|AQ0007:chosen!.Invoke(tools, new object[] { "r" })|};

                    // Not guarded: nothing to say.
                    typeof(Tools).GetMethod("Plain")!.Invoke(tools, new object[] { "p" });

                    // A computed name on a type with a privileged tool could reach it (issue 14): reported at the lookup.
                    string name = Console.ReadLine()!;
                    return {|AQ0004:typeof(Tools).GetMethod(name)|}!.Invoke(tools, null);
                }
            }
            """ + Tools);

        Assert.Contains(diagnostics, d => d.GetMessage() == "Privileged tool 'Tools.RefundAsync' is unguarded: it is invoked through reflection (MethodInfo.Invoke), which the guard cannot wrap; call it directly or hand the model the generated AIFunction");
        Assert.Contains(diagnostics, d => d.GetMessage().StartsWith("Guarded tool 'Tools.SearchAsync' is invoked through reflection (Delegate.CreateDelegate)"));
    }

    [Fact]
    public async Task AgentLoop_methods_used_as_delegates_lose_their_caps()
    {
        var diagnostics = await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class SubAgent
            {
                [AgentLoop(MaxIterations = 5)]
                public Task<string> ResearchAsync(string topic) => Task.FromResult(topic);
            }

            public class Agent
            {
                public async Task Wire(SubAgent sub)
                {
                    AIFunction research = AIFunctionFactory.Create({|AQ0007:sub.ResearchAsync|});
                    await sub.ResearchAsync("direct");
                }
            }
            """);

        Assert.Equal(
            "[AgentLoop] method 'SubAgent.ResearchAsync' is used as a method group, so calls through it are not wrapped by the quota guard; its caps do not apply there; call it directly",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task Calls_inside_expression_trees_are_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            using System.Linq.Expressions;

            public class Agent
            {
                public void Describe(Tools tools)
                {
                    Expression<Func<string, Task<string>>> tool = q => {|AQ0007:tools.SearchAsync(q)|};
                }
            }
            """ + Tools);
    }

    [Fact]
    public async Task Direct_calls_forwarding_lambdas_and_nameof_are_not_reported()
    {
        await AgentQuotasAnalyzerTest.VerifyAsync("""
            public class Agent
            {
                public async Task Run(Tools tools)
                {
                    await tools.SearchAsync("direct");
                    await tools.RefundAsync("o-1");

                    // A lambda that merely forwards is an ordinary call site: the generator intercepts the call inside it.
                    Func<string, Task<string>> search = q => tools.SearchAsync(q);
                    AIFunction function = AIFunctionFactory.Create((string orderId) => tools.RefundAsync(orderId), "refund");
                    await search("q");

                    string name = nameof(tools.RefundAsync) + nameof(Tools.SearchAsync);
                }
            }
            """ + Tools);
    }
}
