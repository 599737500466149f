using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using AgentQuotas.Analyzers.Rules;
using AgentQuotas.Generators;
using AgentQuotas.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.ToolModel.Tests;

/// <summary>What the generator decided about one method: the guard it wrote (if any) and its registry entry.</summary>
internal sealed record GeneratorVerdict(GuardModel? Guard, bool CannotIntercept, bool CannotGuardDeclaration, string? Registration);

/// <summary>
/// Compiles a corpus with a call to every public method added, runs the generator (reading its pipeline models)
/// and every analyzer of AgentQuotas.Analyzers (reading their diagnostics), and files both by method ("Type.Method").
/// </summary>
internal sealed class AgreementRun
{
    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "AgentQuotas.Generated")]);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private AgreementRun(CSharpCompilation compilation)
    {
        Compilation = compilation;
    }

    /// <summary>The corpus and the calls, before generation.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>Every method and local function of the corpus, by "Type.Method".</summary>
    public Dictionary<string, IMethodSymbol> Methods { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, GeneratorVerdict> Generator { get; } = new(StringComparer.Ordinal);

    /// <summary>The analyzers' diagnostics on each method (at the method, its attributes or its body).</summary>
    public Dictionary<string, List<Diagnostic>> Analyzers { get; } = new(StringComparer.Ordinal);

    public static async Task<AgreementRun> RunAsync(IEnumerable<string> sources, string policy)
    {
        CSharpCompilation corpus = Compile(sources);
        AssertNoErrors(corpus);
        CSharpCompilation compilation = corpus.AddSyntaxTrees(CSharpSyntaxTree.ParseText(Calls(corpus), ParseOptions, path: "/src/Calls.cs"));
        AssertNoErrors(compilation);

        var run = new AgreementRun(compilation);
        run.CollectMethods();
        Compilation generated = run.RunGenerator();
        await run.RunAnalyzersAsync(generated, policy);
        return run;
    }

    /// <summary>The key of a method on both sides: its type's name and its own ("Refunds.Refund").</summary>
    public static string Key(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

    private static CSharpCompilation Compile(IEnumerable<string> sources) =>
        CSharpCompilation.Create(
            "AgreementCorpus",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/Corpus{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static void AssertNoErrors(Compilation compilation)
    {
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The corpus does not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())));
    }

    /// <summary>A call to every public method of every public corpus type, so the generator describes each one.</summary>
    private static string Calls(Compilation corpus)
    {
        var calls = new StringBuilder();
        foreach (INamedTypeSymbol type in CorpusTypes(corpus).Where(t => t.DeclaredAccessibility == Accessibility.Public))
        {
            string typeName = "global::Corpus." + type.Name + (type.Arity == 0 ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(_ => "object")) + ">");
            foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && m.DeclaredAccessibility == Accessibility.Public && m.Parameters.All(p => p.RefKind == RefKind.None)
                    && type.GetMembers(m.Name).Length == 1)) // overloads are helpers (estimators, fallbacks), never tools of the corpus
            {
                string receiver = method.IsStatic ? typeName : type.IsValueType ? $"default({typeName})" : $"(({typeName})null!)";
                string typeArguments = method.Arity == 0 ? string.Empty : "<" + string.Join(", ", method.TypeParameters.Select(_ => "object")) + ">";
                string arguments = string.Join(", ", method.Parameters.Select(_ => "default!"));
                calls.AppendLine($"            {receiver}.{method.Name}{typeArguments}({arguments});");
            }
        }

        return "namespace Corpus\n{\n    internal static class AgreementCalls\n    {\n        internal static void CallEverything()\n        {\n"
            + calls + "        }\n    }\n}\n";
    }

    private static IEnumerable<INamedTypeSymbol> CorpusTypes(Compilation compilation) =>
        compilation.GlobalNamespace.GetNamespaceMembers().Where(n => n.Name == "Corpus").SelectMany(n => n.GetTypeMembers())
            .Where(t => t.Name != "AgreementCalls");

    private void CollectMethods()
    {
        foreach (INamedTypeSymbol type in CorpusTypes(Compilation))
        {
            foreach (IMethodSymbol method in type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind is MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation))
            {
                Methods.TryAdd(Key(method), method);
            }
        }

        foreach (SyntaxTree tree in Compilation.SyntaxTrees)
        {
            SemanticModel model = Compilation.GetSemanticModel(tree);
            foreach (LocalFunctionStatementSyntax local in tree.GetRoot().DescendantNodes().OfType<LocalFunctionStatementSyntax>())
            {
                if (model.GetDeclaredSymbol(local) is IMethodSymbol symbol)
                {
                    Methods.TryAdd(Key(symbol), symbol);
                }
            }
        }
    }

    private Compilation RunGenerator()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new GuardGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(Compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, "The generator failed: " + result.Exception);

        var guards = new Dictionary<string, GuardModel?>(StringComparer.Ordinal);
        foreach (CallSiteModel site in Outputs<CallSiteModel>(result, "CallSites"))
        {
            if (site.Method is MethodModel method)
            {
                guards[method.DisplayName] = method.Guard;
            }
        }

        var registrations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (GuardGenerator.RegistryEntryModel entry in Outputs<GuardGenerator.RegistryEntryModel>(result, "RegistryMethods"))
        {
            // "global::Corpus.Type.Method(params)": the last two names before the parameters.
            string[] names = entry.Key.Substring(0, entry.Key.IndexOf('(')).Split('.');
            registrations[names[^2] + "." + names[^1]] = entry.Registration;
        }

        var cannotIntercept = new HashSet<string>(StringComparer.Ordinal);
        var cannotGuard = new HashSet<string>(StringComparer.Ordinal);
        foreach (Diagnostic d in diagnostics)
        {
            if (d.Id == "AQ1003" && MethodAt(d.Location) is string declared)
            {
                cannotGuard.Add(declared);
            }
        }

        // AQ1001 is reported at the call; the message names the method.
        foreach (Diagnostic d in diagnostics.Where(d => d.Id == "AQ1001"))
        {
            string message = d.GetMessage();
            int start = message.IndexOf('\'') + 1;
            cannotIntercept.Add(message.Substring(start, message.IndexOf('\'', start) - start));
        }

        foreach (string key in Methods.Keys)
        {
            guards.TryGetValue(key, out GuardModel? guard);
            registrations.TryGetValue(key, out string? registration);
            Generator[key] = new GeneratorVerdict(guard, cannotIntercept.Contains(key), cannotGuard.Contains(key), registration);
        }

        return output;
    }

    private static IEnumerable<T> Outputs<T>(GeneratorRunResult result, string step) =>
        result.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs)
            ? runs.SelectMany(r => r.Outputs).Select(o => o.Value).OfType<T>()
            : [];

    private async Task RunAnalyzersAsync(Compilation generated, string policy)
    {
        ImmutableArray<DiagnosticAnalyzer> analyzers = [.. typeof(ToolBudgetAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];
        var options = new AnalyzerOptions([new PolicyText("/src/agentquotas.json", policy)]);
        ImmutableArray<Diagnostic> diagnostics = await generated.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
        foreach (Diagnostic d in diagnostics)
        {
            if (MethodAt(d.Location) is string key)
            {
                if (!Analyzers.TryGetValue(key, out List<Diagnostic>? list))
                {
                    Analyzers[key] = list = [];
                }

                list.Add(d);
            }
        }
    }

    /// <summary>The method or local function whose declaration (attributes included) or body holds the location.</summary>
    private string? MethodAt(Location location)
    {
        // The generator's diagnostics carry a file path and a span (its models hold no syntax trees).
        SyntaxTree? tree = location.SourceTree ?? Compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == location.GetLineSpan().Path);
        if (tree is null || !Compilation.SyntaxTrees.Contains(tree))
        {
            return null;
        }

        SyntaxNode node = tree.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        SyntaxNode? declaration = node.AncestorsAndSelf().FirstOrDefault(n => n is LocalFunctionStatementSyntax or MethodDeclarationSyntax);
        if (declaration is null || declaration.SyntaxTree.FilePath == "/src/Calls.cs")
        {
            return null;
        }

        return Compilation.GetSemanticModel(declaration.SyntaxTree).GetDeclaredSymbol(declaration) is IMethodSymbol method ? Key(method) : null;
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("System", StringComparison.Ordinal) || name is "mscorlib" or "netstandard"
                || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal) || name == "Microsoft.CSharp")
            {
                paths.Add(path);
            }
        }

        paths.Add(typeof(AgentRun).Assembly.Location);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private sealed class PolicyText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}
