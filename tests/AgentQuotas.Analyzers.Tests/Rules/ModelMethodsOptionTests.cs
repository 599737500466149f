using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>
/// <c>agentquotas.model_methods</c> in .editorconfig: more methods that call a model, for AQ0003. The format,
/// where it applies, and what happens to wrong entries (docs/rules/AQ0003.md, "Configuration").
/// </summary>
public sealed class ModelMethodsOptionTests
{
    private const string Llm = """

        namespace MyCompany.Llm
        {
            public interface ILlm
            {
                Task<string> CompleteAsync(string prompt);
            }

            public sealed class HttpLlm : ILlm
            {
                public Task<string> CompleteAsync(string prompt) => Task.FromResult(prompt);

                public static string Complete(string prompt) => prompt;
            }

            public static class Outer
            {
                public sealed class Inner
                {
                    public string Ask(string prompt) => prompt;
                }
            }
        }
        """;

    private const string Loops = """
        using MyCompany.Llm;

        public class Agent
        {
            public async Task ThroughInterfaceAsync(ILlm llm)
            {
                string answer = "";
                [|while|] (!answer.Contains("DONE")) answer = await llm.CompleteAsync(answer);
            }

            public async Task ThroughImplementationAsync(HttpLlm llm)
            {
                [|while|] (true) await llm.CompleteAsync("again");
            }
        }
        """;

    private static AgentQuotasAnalyzerTest Test(string source, string? editorConfig) =>
        new() { Sources = { source + Llm }, DefaultId = "AQ0003", EditorConfig = editorConfig };

    [Fact]
    public async Task Configured_interface_method_makes_loops_over_it_and_its_implementations_agent_loops()
    {
        var diagnostics = await Test(Loops, """
            root = true

            [*.cs]
            agentquotas.model_methods = MyCompany.Llm.ILlm.CompleteAsync
            """).RunAsync();

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("it calls model method 'ILlm.CompleteAsync'"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("it calls model method 'HttpLlm.CompleteAsync'"));
    }

    [Fact]
    public async Task Without_the_option_the_same_loops_are_not_agent_loops()
    {
        await Test(Loops.Replace("[|while|]", "while"), null).RunAsync();
    }

    [Fact]
    public async Task Several_entries_nested_types_and_static_methods_are_understood()
    {
        await Test("""
            using MyCompany.Llm;

            public class Agent
            {
                public void Run(Outer.Inner inner)
                {
                    [|while|] (true) HttpLlm.Complete("x");
                    [|do|] { inner.Ask("y"); } while (true);
                }
            }
            """, """
            root = true

            [*.cs]
            agentquotas.model_methods = MyCompany.Llm.HttpLlm.Complete ,, MyCompany.Llm.Outer+Inner.Ask,
            """).RunAsync();
    }

    [Fact]
    public async Task The_option_applies_to_the_files_its_section_matches()
    {
        await new AgentQuotasAnalyzerTest
        {
            Sources =
            {
                Loops + Llm,
                """
                public class Other
                {
                    public async Task RunAsync(MyCompany.Llm.ILlm llm) { while (true) await llm.CompleteAsync("not configured here"); }
                }
                """,
            },
            DefaultId = "AQ0003",
            EditorConfig = """
                root = true

                [Test0.cs]
                agentquotas.model_methods = MyCompany.Llm.ILlm.CompleteAsync
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task Entries_for_types_the_project_does_not_reference_are_ignored_silently()
    {
        await Test(Loops, """
            root = true

            [*.cs]
            agentquotas.model_methods = Some.Other.Library.Client.SendAsync, MyCompany.Llm.ILlm.CompleteAsync
            """).RunAsync();
    }

    [Fact]
    public async Task Malformed_entries_and_missing_methods_are_reported_without_stopping_the_others()
    {
        var test = Test(Loops, """
            root = true

            [*.cs]
            agentquotas.model_methods = CompleteAsync, MyCompany.Llm.ILlm.CompleteAsync, System.Collections.Generic.List<int>.Add, MyCompany.Llm.ILlm., MyCompany.Llm.ILlm.Complete
            """);
        test.ExpectedWithoutLocation.AddRange(["AQ0003", "AQ0003", "AQ0003", "AQ0003"]);
        var diagnostics = await test.RunAsync();

        string[] problems = diagnostics.Where(d => d.Location == Location.None).Select(d => d.GetMessage()).ToArray();
        Assert.Equal(
            [
                "agentquotas.model_methods entry 'CompleteAsync' is ignored: it is not of the form Namespace.Type.Method; list model methods as Namespace.Type.Method, separated by commas",
                "agentquotas.model_methods entry 'MyCompany.Llm.ILlm.' is ignored: it is not of the form Namespace.Type.Method; list model methods as Namespace.Type.Method, separated by commas",
                "agentquotas.model_methods entry 'MyCompany.Llm.ILlm.Complete' is ignored: type 'MyCompany.Llm.ILlm' has no method 'Complete'; list model methods as Namespace.Type.Method, separated by commas",
                "agentquotas.model_methods entry 'System.Collections.Generic.List<int>.Add' is ignored: 'System.Collections.Generic.List<int>' is not a type's metadata name (write generic types as Name`1 and nested types as Outer+Inner); list model methods as Namespace.Type.Method, separated by commas",
            ],
            problems);
        Assert.All(diagnostics.Where(d => d.Location == Location.None), d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public async Task A_wrong_entry_is_reported_once_even_when_several_files_use_it()
    {
        var test = new AgentQuotasAnalyzerTest
        {
            Sources = { Loops.Replace("[|while|]", "while") + Llm, "public class Second { public void M() { } }" },
            DefaultId = "AQ0003",
            EditorConfig = """
                root = true

                [*.cs]
                agentquotas.model_methods = NoDots
                """,
        };
        test.ExpectedWithoutLocation.Add("AQ0003");
        await test.RunAsync();
    }

    [Fact]
    public void Parse_accepts_metadata_names_and_rejects_everything_else()
    {
        Assert.Null(Configuration.ModelMethodsOption.Parse("A.B`2+C.M_1", out string type, out string method));
        Assert.Equal(("A.B`2+C", "M_1"), (type, method));
        Assert.NotNull(Configuration.ModelMethodsOption.Parse("A.B`.M", out _, out _));
        Assert.NotNull(Configuration.ModelMethodsOption.Parse("A..M", out _, out _));
        Assert.NotNull(Configuration.ModelMethodsOption.Parse("A.B.M()", out _, out _));
        Assert.NotNull(Configuration.ModelMethodsOption.Parse(".M", out _, out _));
        Assert.NotNull(Configuration.ModelMethodsOption.Parse("A.1B.M", out _, out _));
    }
}
