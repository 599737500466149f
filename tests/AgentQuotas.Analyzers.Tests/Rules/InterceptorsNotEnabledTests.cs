using AgentQuotas.Analyzers.Rules;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>AQ0011: guarded calls in a compilation whose parse options do not let interceptors live in AgentQuotas.Generated.</summary>
public sealed class InterceptorsNotEnabledTests
{
    private const string Calls = """
        [QuotaCategory("search")]
        public class Tools
        {
            [Cost(1)] public string Search(string q) => q;
            public string Plain(string q) => q;
        }

        public class Agent
        {
            [AgentLoop(MaxIterations = 3)] public void Loop() { }

            public void Run(Tools tools)
            {
                tools.Plain("not guarded");
                {|AQ0011:tools.Search("first")|};
                tools.Search("second");
                Loop();
            }
        }
        """;

    [Fact]
    public async Task Guarded_calls_without_the_feature_are_reported_once_at_the_first_call()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest { Sources = { Calls }, InterceptorsNamespaces = null }.RunAsync();

        Assert.Equal(
            "3 guarded call(s), the first to 'Tools.Search', would run without the quota guard: interceptors are not enabled for namespace 'AgentQuotas.Generated'; add <InterceptorsNamespaces>$(InterceptorsNamespaces);AgentQuotas.Generated</InterceptorsNamespaces> to the project",
            diagnostics.Single().GetMessage());
        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
    }

    [Fact]
    public async Task Other_namespaces_alone_do_not_enable_it()
    {
        await new AgentQuotasAnalyzerTest { Sources = { Calls }, InterceptorsNamespaces = "Microsoft.AspNetCore.Http.Generated;AgentQuotas.Generated.Other" }.RunAsync();
    }

    [Theory]
    [InlineData("AgentQuotas.Generated")]
    [InlineData("Microsoft.AspNetCore.Http.Generated;AgentQuotas.Generated")]
    public async Task Listing_the_generated_namespace_enables_it(string namespaces)
    {
        string source = Calls.Replace("{|AQ0011:", "").Replace("|};", ";");
        await new AgentQuotasAnalyzerTest { Sources = { source }, InterceptorsNamespaces = namespaces }.RunAsync();
    }

    [Fact]
    public async Task Code_without_guarded_calls_needs_no_interceptors()
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources = { "[QuotaCategory(\"search\")] public class Tools { [Cost(1)] public void Search() { } }" },
            InterceptorsNamespaces = null,
        }.RunAsync();
    }

    /// <summary>The analyzer's reading of the feature agrees with the compiler's, for a real interceptor in AgentQuotas.Generated.</summary>
    [Theory]
    [InlineData("AgentQuotas.Generated")]
    [InlineData("Other;AgentQuotas.Generated")]
    [InlineData("AgentQuotas")]
    [InlineData("AgentQuotas.Generated.Inner")]
    [InlineData("Other")]
    [InlineData("")]
    public void Analyzer_agrees_with_the_compiler_on_what_enables_interceptors(string namespaces)
    {
        CSharpParseOptions options = TestProject.ParseOptions(namespaces);
        SyntaxTree call = CSharpSyntaxTree.ParseText("public class C { public void M() { } public void Run() => M(); }", options, "/src/Call.cs");
        var compilation = CSharpCompilation.Create("Interceptors", [call], TestReferences.Default, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        InvocationExpressionSyntax invocation = call.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().Single();
        var location = compilation.GetSemanticModel(call).GetInterceptableLocation(invocation)!;
        SyntaxTree interceptor = CSharpSyntaxTree.ParseText($$"""
            namespace System.Runtime.CompilerServices
            {
                [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
                file sealed class InterceptsLocationAttribute : Attribute
                {
                    public InterceptsLocationAttribute(int version, string data) { }
                }
            }

            namespace AgentQuotas.Generated
            {
                static file class Interceptors
                {
                    [global::System.Runtime.CompilerServices.InterceptsLocation({{location.Version}}, "{{location.Data}}")]
                    public static void M(this global::C c) { }
                }
            }
            """, options, "/src/Interceptor.cs");

        bool compilerAccepts = !compilation.AddSyntaxTrees(interceptor).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

        Assert.Equal(compilerAccepts, InterceptorsAnalyzer.IsEnabled(options));
    }
}
