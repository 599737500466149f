using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using AgentQuotas.Generators.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AgentQuotas.Generators.Tests.Generation;

/// <summary>The pipeline's steps cache: unrelated edits change nothing, attribute edits and new tools do.</summary>
public sealed class CachingTests
{
    private const string ToolsFile = """
        using System.Threading.Tasks;
        using AgentQuotas;

        namespace Demo;

        [QuotaCategory("search")]
        public class Tools
        {
            [AgentTool("search", "Searches")]
            [Cost(2)]
            public Task<string> SearchAsync(string query) => Task.FromResult(query);
        }
        """;

    private const string CallsFile = """
        namespace Demo;

        public static class Calls
        {
            public static System.Threading.Tasks.Task<string> Run(Tools t) => t.SearchAsync("q");
        }
        """;

    private const string LoopFile = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using AgentQuotas;
        using Microsoft.Extensions.AI;

        namespace Demo;

        public sealed class Agent
        {
            [AgentLoop(MaxIterations = 3)]
            public async Task<string> RunAsync(IChatClient chat, List<ChatMessage> messages)
            {
                while (true)
                {
                    ChatResponse response = await chat.GetResponseAsync(messages);
                    if (response.Text.Length > 0) return response.Text;
                }
            }
        }
        """;

    // A Semantic Kernel-style tool: the generator matches [KernelFunction] by metadata name, so a stand-in attribute is enough here.
    private const string FrameworkFile = """
        namespace Microsoft.SemanticKernel
        {
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class KernelFunctionAttribute : System.Attribute
            {
                public KernelFunctionAttribute(string? name = null) { _ = name; }
            }
        }

        namespace Demo
        {
            [AgentQuotas.QuotaCategory("search")]
            public class Plugin
            {
                [Microsoft.SemanticKernel.KernelFunction("lookup"), AgentQuotas.Cost(1)]
                public string Lookup(string key) => key;
            }
        }
        """;

    private const string UnrelatedFile = """
        namespace Demo;

        public static class Unrelated
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private static readonly string[] AllSteps =
    [
        TrackingNames.CallSites, TrackingNames.CollectedCallSites, TrackingNames.AgentTools, TrackingNames.FrameworkTools, TrackingNames.CollectedAgentTools,
        TrackingNames.AIFunctionsEnabled, TrackingNames.GuardFiles, TrackingNames.LoopBodies, TrackingNames.CollectedLoopBodies, TrackingNames.ModelCallFiles,
        TrackingNames.Diagnostics, TrackingNames.RegistryEntries, TrackingNames.AnnotatedMembers,
    ];

    [Fact]
    public void Running_twice_on_a_cloned_compilation_caches_every_step()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();

        driver = driver.RunGenerators(compilation.Clone());
        GeneratorRunResult second = driver.GetRunResult().Results.Single();

        Assert.NotEmpty(first.GeneratedSources);
        foreach (string step in AllSteps)
        {
            Assert.True(second.TrackedSteps.ContainsKey(step), "step not tracked: " + step);
            foreach (IncrementalGeneratorRunStep run in second.TrackedSteps[step])
            {
                Assert.All(run.Outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
            }
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void No_step_output_holds_a_symbol_a_syntax_node_or_a_compilation()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> step in result.TrackedSteps.Where(s => AllSteps.Contains(s.Key)))
        {
            foreach (IncrementalGeneratorRunStep run in step.Value)
            {
                foreach ((object value, IncrementalStepRunReason _) in run.Outputs)
                {
                    AssertPlain(value, step.Key, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    [Fact]
    public void An_unrelated_edit_leaves_every_output_cached_or_unchanged()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Replace(compilation, UnrelatedFile, UnrelatedFile.Replace("x * 2", "x + x /* same */"));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.CallSites, TrackingNames.AgentTools, TrackingNames.GuardFiles, TrackingNames.LoopBodies, TrackingNames.ModelCallFiles, TrackingNames.Diagnostics })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }
    }

    [Fact]
    public void Editing_an_attribute_modifies_the_generated_file()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Replace(compilation, ToolsFile, ToolsFile.Replace("[Cost(2)]", "[Cost(3)]"));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.GuardFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("3d", result.GeneratedSources.Single(g => g.HintName == "AgentQuotas.Guards.Demo_Tools.g.cs").SourceText.ToString());
        Assert.Contains("\"search\", 3d", result.GeneratedSources.Single(g => g.HintName == "AgentQuotas.ToolRegistry.g.cs").SourceText.ToString());
    }

    [Fact]
    public void A_new_tool_adds_a_new_generated_file()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            namespace Demo;

            [AgentQuotas.QuotaCategory("mail")]
            public class Mailer
            {
                [AgentQuotas.Cost(1)]
                public void Send(string to) { }

                public void Use() => Send("x");
            }
            """, GeneratorHarness.ParseOptions, path: "/src/Mailer.cs"));
        GeneratorRunResult result = driver.RunGenerators(added).GetRunResult().Results.Single();

        // The new call site is New; the existing ones are Unchanged or Cached (per-node granularity).
        var sites = result.TrackedSteps[TrackingNames.CallSites].SelectMany(s => s.Outputs).ToList();
        Assert.Contains(sites, o => o.Reason == IncrementalStepRunReason.New && ((Models.CallSiteModel)o.Value).FileHint == "Demo_Mailer");
        Assert.All(sites.Where(o => ((Models.CallSiteModel)o.Value).FileHint == "Demo_Tools"),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, o.Reason.ToString()));

        // One more file model, and the existing file's text is what it was.
        Assert.Contains(result.TrackedSteps[TrackingNames.GuardFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.New);
        Assert.Contains(result.GeneratedSources, s => s.HintName == "AgentQuotas.Guards.Demo_Mailer.g.cs");
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single(g => g.HintName == "AgentQuotas.Guards.Demo_Tools.g.cs").SourceText.ToString();
        Assert.Equal(before, result.GeneratedSources.Single(s => s.HintName == "AgentQuotas.Guards.Demo_Tools.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Editing_a_loops_caps_modifies_only_the_model_call_file()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Replace(compilation, LoopFile, LoopFile.Replace("MaxIterations = 3", "MaxIterations = 4"));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.ModelCallFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(result.TrackedSteps[TrackingNames.GuardFiles].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.Contains("FromAgentLoop(4, 0, 0d)", result.GeneratedSources.Single(g => g.HintName == "AgentQuotas.ModelCalls.Demo_Agent.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_in_a_loop_body_touches_only_the_model_call_outputs()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        // Interceptable locations carry the file's checksum, so the loop file's interceptors are regenerated; nothing else is.
        CSharpCompilation edited = Replace(compilation, LoopFile, LoopFile.Replace("response.Text.Length > 0", "response.Text.Length > 1"));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.LoopBodies].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        foreach (string step in new[] { TrackingNames.GuardFiles, TrackingNames.AgentTools, TrackingNames.FrameworkTools })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }
    }

    [Fact]
    public void An_edit_inside_a_method_body_binds_only_the_edited_file_again()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Dictionary<string, int> before = compilation.SyntaxTrees.ToDictionary(t => t.ToString(), Helpers.SemanticCache.ComputedFor);
        Assert.True(before[CallsFile] > 0 && before[ToolsFile] > 0 && before[LoopFile] > 0, "the first run computes every file");

        // A body edit in the tool file itself: its declarations stay, so no other file is bound again.
        CSharpCompilation edited = Replace(compilation, ToolsFile, ToolsFile.Replace("Task.FromResult(query)", "Task.FromResult(query + \"!\")"));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (SyntaxTree tree in edited.SyntaxTrees.Where(t => compilation.SyntaxTrees.Contains(t)))
        {
            Assert.Equal(before[tree.ToString()], Helpers.SemanticCache.ComputedFor(tree));
        }

        Assert.True(Helpers.SemanticCache.ComputedFor(edited.SyntaxTrees.Single(t => !compilation.SyntaxTrees.Contains(t))) > 0, "the edited file is bound again");
        foreach (string step in new[] { TrackingNames.CallSites, TrackingNames.AgentTools, TrackingNames.FrameworkTools, TrackingNames.LoopBodies, TrackingNames.GuardFiles, TrackingNames.ModelCallFiles, TrackingNames.Diagnostics, TrackingNames.RegistryEntries })
        {
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_call_sites_file_edited_in_a_body_changes_only_its_own_interceptors()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([ToolsFile, CallsFile, LoopFile, FrameworkFile, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        int tools = Helpers.SemanticCache.ComputedFor(compilation.SyntaxTrees.Single(t => t.ToString() == ToolsFile));
        int loop = Helpers.SemanticCache.ComputedFor(compilation.SyntaxTrees.Single(t => t.ToString() == LoopFile));

        string calls = CallsFile.Replace("t.SearchAsync(\"q\")", "t.SearchAsync(\"longer query\")");
        CSharpCompilation edited = Replace(compilation, CallsFile, calls);
        GeneratorRun after = GeneratorHarness.Run(edited);
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Equal(tools, Helpers.SemanticCache.ComputedFor(edited.SyntaxTrees.Single(t => t.ToString() == ToolsFile)));
        Assert.Equal(loop, Helpers.SemanticCache.ComputedFor(edited.SyntaxTrees.Single(t => t.ToString() == LoopFile)));

        // The call site's interception data carries the file's checksum, so its tool's file is regenerated, and it
        // is what a new driver generates from scratch.
        var sites = result.TrackedSteps[TrackingNames.CallSites].SelectMany(s => s.Outputs).ToList();
        Assert.Contains(sites, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal(after.Sources["AgentQuotas.Guards.Demo_Tools.g.cs"], result.GeneratedSources.Single(g => g.HintName == "AgentQuotas.Guards.Demo_Tools.g.cs").SourceText.ToString());
        Assert.All(result.TrackedSteps[TrackingNames.ModelCallFiles].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Annotating_a_tool_in_another_file_intercepts_calls_in_unchanged_files()
    {
        // The caller's file does not change; the callee's declaration does (outside any body), so every file is
        // bound again and the call, not guarded before, is intercepted now.
        string tools = """
            namespace Demo;

            public class Plain
            {
                public int Lookup(string key) => key.Length;
            }
            """;
        string calls = """
            namespace Demo;

            public static class UsesPlain
            {
                public static int Run(Plain p) => p.Lookup("k");
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.Compile([tools, calls, UnrelatedFile], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.DoesNotContain(driver.GetRunResult().Results.Single().GeneratedSources, g => g.HintName == "AgentQuotas.Guards.Demo_Plain.g.cs");

        string annotated = tools.Replace("public class Plain", "[AgentQuotas.QuotaCategory(\"search\")]\npublic class Plain")
            .Replace("public int Lookup", "[AgentQuotas.Cost(1)] public int Lookup");
        CSharpCompilation edited = Replace(compilation, tools, annotated);
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        string guards = result.GeneratedSources.Single(g => g.HintName == "AgentQuotas.Guards.Demo_Plain.g.cs").SourceText.ToString();
        Assert.Contains("InterceptsLocation", guards, StringComparison.Ordinal);
        Assert.Equal(GeneratorHarness.Run(edited).Sources["AgentQuotas.Guards.Demo_Plain.g.cs"], guards);
    }

    [Fact]
    public void A_diagnostic_on_another_files_declaration_moves_with_a_body_edit_there()
    {
        // A conflict on the declaration is reported from the call site's model too; its location is in the tool's
        // file, so that result is never reused and the reported position follows an edit above the declaration.
        string tools = """
            namespace Demo;

            public interface IRefunds
            {
                [AgentQuotas.QuotaCategory("payments"), AgentQuotas.Cost(1)]
                string Refund(string id);
            }

            public sealed class Cheap : IRefunds
            {
                public int Pad() { return 1; }

                [AgentQuotas.QuotaCategory("search"), AgentQuotas.Cost(5)]
                public string Refund(string id) => id;
            }
            """;
        string calls = """
            namespace Demo;

            public static class UsesCheap
            {
                public static string Call(Cheap c) => c.Refund("x");
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.Compile([tools, calls], withAI: true);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = Replace(compilation, tools, tools.Replace("public int Pad() { return 1; }", "public int Pad()\n    {\n        return 1;\n    }"));
        ImmutableArray<Diagnostic> incremental = driver.RunGenerators(edited).GetRunResult().Diagnostics;
        ImmutableArray<Diagnostic> fresh = GeneratorHarness.CreateDriver().RunGenerators(edited).GetRunResult().Diagnostics;

        Assert.Contains(incremental, d => d.Id == "AQ1004" && d.Location.GetLineSpan().StartLinePosition.Line == 16);
        Assert.Equal(fresh.Select(d => d.ToString()).Order(StringComparer.Ordinal), incremental.Select(d => d.ToString()).Order(StringComparer.Ordinal));
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string oldText, string newText)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.ToString() == oldText);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newText, GeneratorHarness.ParseOptions, path: old.FilePath));
    }

    private static void AssertPlain(object? value, string step, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree or Location,
            $"step '{step}' outputs a {value.GetType().Name}, which would pin the compilation in memory and defeat caching");

        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                AssertPlain(item, step, seen);
            }

            return;
        }

        foreach (PropertyInfo property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.DeclaringType?.Namespace?.StartsWith("System", StringComparison.Ordinal) != true)
            {
                AssertPlain(property.GetValue(value), step, seen);
            }
        }

        if (value.GetType() is { IsGenericType: true } t && t.FullName!.StartsWith("System.ValueTuple", StringComparison.Ordinal))
        {
            foreach (FieldInfo field in t.GetFields())
            {
                AssertPlain(field.GetValue(value), step, seen);
            }
        }
    }
}
