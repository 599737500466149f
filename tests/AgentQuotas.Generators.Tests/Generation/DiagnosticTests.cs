using System.Reflection;
using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Generators.Tests.Generation;

/// <summary>The generator reports only what it cannot generate; a call it cannot guard fails the build.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public async Task A_call_to_an_instance_tool_of_a_struct_cannot_be_intercepted_and_fails_the_build()
    {
        var diagnostics = await new GuardGeneratorTest
        {
            Sources =
            {
                """
                using AgentQuotas;
                [QuotaCategory("search")]
                public struct Counter
                {
                    [Cost(1)]
                    public int Next() => 1;
                }

                public static class Use
                {
                    public static int Go() { var c = new Counter(); return {|#0:c.Next()|}; }
                }
                """,
            },
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
            ExpectedDiagnostics = { new DiagnosticResult("AQ1001", DiagnosticSeverity.Error).WithLocation(0) },
        }.RunAsync();

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Contains("'Counter.Next' cannot be intercepted: instance methods of value types", d.GetMessage());
        Assert.Equal(GeneratorHarness.SourcePath(0), d.Location.GetLineSpan().Path);
    }

    [Fact]
    public void Calls_through_base_are_reported_and_calls_with_open_type_arguments_are_guarded()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using AgentQuotas;
            public class Repo<T>
            {
                public int Loads;

                [QuotaCategory("db"), Cost(1)]
                public virtual T Load(T key) { Loads++; return key; }
            }

            public class Derived : Repo<string>
            {
                public override string Load(string key) => base.Load(key);
            }

            public static class Use
            {
                public static T Generic<T>(Repo<T> repo, T key) => repo.Load(key);
                public static string Closed(Repo<string> repo) => repo.Load("k");
            }
            """);

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AQ1001", d.Id);
        Assert.Contains("through 'base'", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Repo<T> @this", run.AllSources, StringComparison.Ordinal);   // one interceptor, generic over the type's T

        // The call inside Generic<T> (open type arguments at the call site) is intercepted and guarded.
        Assembly assembly = EmitIgnoringGeneratorErrors(run);
        Type repoType = assembly.GetType("Repo`1", throwOnError: true)!.MakeGenericType(typeof(int));
        object repo = Activator.CreateInstance(repoType)!;
        MethodInfo generic = assembly.GetType("Use", throwOnError: true)!.GetMethod("Generic")!.MakeGenericMethod(typeof(int));
        var e = Assert.Throws<TargetInvocationException>(() => generic.Invoke(null, [repo, 5]));
        Assert.IsType<InvalidOperationException>(e.InnerException);   // no run: fails closed
        Assert.Equal(0, (int)repoType.GetField("Loads")!.GetValue(repo)!);
    }

    [Fact]
    public void A_call_inside_an_expression_tree_is_reported_but_an_ordinary_lambda_is_intercepted()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using System.Linq.Expressions;
            using AgentQuotas;
            [QuotaCategory("search")]
            public class Tools
            {
                [Cost(1)]
                public string Find(string q) => q;
            }

            public static class Use
            {
                public static Expression<Func<Tools, string>> Tree() => t => t.Find("x");
                public static Func<Tools, string> Lambda() => t => t.Find("y");
            }
            """);

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AQ1001", d.Id);
        Assert.Contains("expression trees", d.GetMessage());
        Assert.Single(run.Result.GeneratedSources, s => s.HintName.StartsWith("AgentQuotas.Guards.", StringComparison.Ordinal));
        Assert.Single(run.AllSources.Split('\n'), l => l.Contains("InterceptsLocation(1,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_generic_agent_tool_gets_no_AIFunction_and_a_warning()
    {
        const string Tools = """
            using AgentQuotas;
            [QuotaCategory("search")]
            public class Tools
            {
                [AgentTool("echo", "Echoes")]
                [Cost(1)]
                public T {|#0:Echo|}<T>(T value) => value;

                [AgentTool("ok", "Works")]
                [Cost(1)]
                public string Ok(string value) => value;
            }
            """;
        var diagnostics = await new GuardGeneratorTest
        {
            Sources = { Tools },
            WithAI = true,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
            ExpectedDiagnostics = { new DiagnosticResult("AQ1002", DiagnosticSeverity.Warning).WithLocation(0) },
        }.RunAsync();
        GeneratorRun run = GeneratorHarness.RunWithAI(Tools.Replace("{|#0:Echo|}", "Echo", StringComparison.Ordinal));

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Contains("'Tools.Echo': generic methods cannot be described to a model", d.GetMessage());
        Assert.Contains("\"ok\"", run.AllSources, StringComparison.Ordinal);
        Assert.DoesNotContain("\"echo\"", run.AllSources, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_Microsoft_Extensions_AI_no_AIFunctions_are_generated()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using AgentQuotas;
            [QuotaCategory("search")]
            public class Tools
            {
                [AgentTool("ok", "Works")]
                [Cost(1)]
                public string Ok(string value) => value;
            }
            """);

        run.AssertClean();
        // Only the tool registry (it needs no Microsoft.Extensions.AI): no guard file, no AIFunction.
        Assert.Equal(["AgentQuotas.ToolRegistry.g.cs"], run.Sources.Keys);
        Assert.DoesNotContain("AIFunction", run.AllSources, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tool_without_a_category_is_still_intercepted_and_fails_closed_at_run_time()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using AgentQuotas;
            public class Tools
            {
                [Cost(1)]
                public string NoCategory(string value) => value;
            }

            public static class Use
            {
                public static string Go() => new Tools().NoCategory("x");
            }
            """);

        Assembly assembly = run.Load();   // no generator diagnostic: AQ0001 is the analyzers' rule
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Scenario.Call(assembly, "Use", "Go"));
        Assert.Contains("has no quota category", e.Message);
        Assert.Contains("AQ0001", e.Message);
    }

    [Fact]
    public async Task Unannotated_methods_of_a_budgeted_class_are_not_guarded()
    {
        // Nothing generated (no expected generated sources), no diagnostic, no compiler warning.
        await new GuardGeneratorTest
        {
            CompilerDiagnostics = CompilerDiagnostics.Warnings,
            Sources =
            {
                """
                using AgentQuotas;
                [QuotaCategory("search")]
                public class Tools
                {
                    public string Helper(string value) => value;
                }

                public static class Use
                {
                    public static string Go() => new Tools().Helper("x");
                }
                """,
            },
        }.RunAsync();
    }

    [Fact]
    public void Every_descriptor_links_to_its_rule_page_and_the_page_exists()
    {
        string root = RepositoryRoot();
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            Assert.EndsWith("/docs/rules/" + descriptor.Id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(root, "docs", "rules", descriptor.Id + ".md")), "missing docs/rules/" + descriptor.Id + ".md");
            Assert.Contains(descriptor.Id, File.ReadAllText(Path.Combine(root, "src", "Generators", "AnalyzerReleases.Unshipped.md")), StringComparison.Ordinal);
        }
    }

    // The generator's diagnostics are errors, so Load() refuses; the compiled interceptors are still valid C#.
    private static Assembly EmitIgnoringGeneratorErrors(GeneratorRun run)
    {
        Assert.Empty(run.CompileDiagnostics);
        using var image = new MemoryStream();
        Assert.True(run.Output.Emit(image).Success);
        return Assembly.Load(image.ToArray());
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "")
    {
        string? dir = Path.GetDirectoryName(path);
        while (dir is not null && !File.Exists(Path.Combine(dir, "Directory.Build.props")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
