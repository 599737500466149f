using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Compiles marked-up sources with the runtime referenced, runs every AgentQuotas analyzer over them through
/// <see cref="CompilationWithAnalyzers"/>, and checks that the AQ diagnostics are exactly the marked spans:
/// no more, no fewer, no analyzer exceptions, and (unless allowed) no compiler errors in the test code.
/// </summary>
internal sealed class AnalyzerTest
{
    public const string SourceDirectory = "/src/";
    public const string PolicyPath = SourceDirectory + "agentquotas.json";

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using AgentQuotas;
        """;

    /// <summary>C# sources with span markup.</summary>
    public List<string> Sources { get; } = [];

    /// <summary>The agentquotas.json (may carry markup); null for none among the additional files.</summary>
    public string? Policy { get; set; } = TestPolicies.Standard;

    /// <summary>Other additional files (path, text), not analyzed as markup.</summary>
    public List<(string Path, string Text)> OtherAdditionalFiles { get; } = [];

    /// <summary>The id that <c>[|...|]</c> stands for.</summary>
    public string? DefaultId { get; set; }

    /// <summary>The InterceptorsNamespaces feature; null to leave it out.</summary>
    public string? InterceptorsNamespaces { get; set; } = "AgentQuotas.Generated";

    /// <summary>An .editorconfig at the root of the sources.</summary>
    public string? EditorConfig { get; set; }

    /// <summary>Ids of diagnostics expected without a location (compilation-wide).</summary>
    public List<string> ExpectedWithoutLocation { get; } = [];

    public bool AllowCompilerErrors { get; set; }

    public bool ReferenceAI { get; set; } = true;

    /// <summary>Also reference Microsoft.Extensions.AI, Semantic Kernel, the Agent Framework, the MCP SDK and OpenAI.</summary>
    public bool ReferenceFrameworks { get; set; }

    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;

    public static Task<ImmutableArray<Diagnostic>> VerifyAsync(string source, string? defaultId = null, string? policy = TestPolicies.Standard) =>
        new AnalyzerTest { Sources = { source }, DefaultId = defaultId, Policy = policy }.RunAsync();

    /// <summary>Runs the analyzers and asserts the expectations; returns the AQ diagnostics for further checks.</summary>
    public async Task<ImmutableArray<Diagnostic>> RunAsync()
    {
        (ImmutableArray<Diagnostic> actual, List<(string Id, string Path, TextSpan? Span)> expected) = await AnalyzeSourcesAsync();
        var expectedKeys = expected.Select(e => Key(e.Id, e.Path, e.Span)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var actualKeys = actual.Select(d => Key(d.Id, d.Location.IsInSource || d.Location.Kind == LocationKind.ExternalFile ? d.Location.GetLineSpan().Path : "", d.Location == Location.None ? null : d.Location.SourceSpan))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (!expectedKeys.SequenceEqual(actualKeys))
        {
            Assert.Fail("Diagnostics differ.\nExpected:\n  " + string.Join("\n  ", expectedKeys)
                + "\nActual:\n  " + string.Join("\n  ", actual.Select(Describe)));
        }

        return actual;
    }

    /// <summary>Runs the analyzers without comparing with the markup (still failing on analyzer exceptions); returns the AQ diagnostics.</summary>
    public async Task<ImmutableArray<Diagnostic>> GetDiagnosticsAsync() => (await AnalyzeSourcesAsync()).Actual;

    private async Task<(ImmutableArray<Diagnostic> Actual, List<(string Id, string Path, TextSpan? Span)> Expected)> AnalyzeSourcesAsync()
    {
        var expected = new List<(string Id, string Path, TextSpan? Span)>();
        var trees = new List<SyntaxTree>();
        CSharpParseOptions parseOptions = ParseOptions(InterceptorsNamespaces);
        for (int i = 0; i < Sources.Count; i++)
        {
            string path = SourceDirectory + "Test" + i + ".cs";
            (string text, List<MarkedSpan> spans) = Markup.Parse(Sources[i]);
            trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(text, Encoding.UTF8), parseOptions, path));
            expected.AddRange(spans.Select(s => (s.Id ?? DefaultId ?? throw new InvalidOperationException("[|...|] needs DefaultId"), path, (TextSpan?)s.Span)));
        }

        trees.Add(CSharpSyntaxTree.ParseText(GlobalUsings + (ReferenceAI ? "\nglobal using Microsoft.Extensions.AI;" : ""), parseOptions, SourceDirectory + "GlobalUsings.cs"));

        var additionalFiles = ImmutableArray.CreateBuilder<AdditionalText>();
        if (Policy != null)
        {
            (string policyText, List<MarkedSpan> policySpans) = Markup.Parse(Policy);
            additionalFiles.Add(new InMemoryAdditionalText(PolicyPath, policyText));
            expected.AddRange(policySpans.Select(s => (s.Id ?? DefaultId!, PolicyPath, (TextSpan?)s.Span)));
        }

        additionalFiles.AddRange(OtherAdditionalFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)));
        expected.AddRange(ExpectedWithoutLocation.Select(id => (id, "", (TextSpan?)null)));

        var options = new CSharpCompilationOptions(OutputKind, nullableContextOptions: NullableContextOptions.Enable);
        if (EditorConfig != null)
        {
            options = options.WithSyntaxTreeOptionsProvider(new EditorConfigOptionsProvider(SourceDirectory + ".editorconfig", EditorConfig, trees));
        }

        CSharpCompilation compilation = CSharpCompilation.Create(
            "TestProject", trees, ReferenceFrameworks ? TestReferences.WithFrameworks : ReferenceAI ? TestReferences.Default : TestReferences.WithoutAI, options);
        if (!AllowCompilerErrors)
        {
            Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, "The test source does not compile:\n" + string.Join("\n", errors.Select(e => e.ToString())));
        }

        AnalyzerConfigOptionsProvider? analyzerOptions = EditorConfig == null ? null : new EditorConfigAnalyzerOptions(SourceDirectory + ".editorconfig", EditorConfig);
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(compilation, additionalFiles.ToImmutable(), analyzerConfigOptions: analyzerOptions);
        return (diagnostics.Where(d => d.Id.StartsWith("AQ", StringComparison.Ordinal)).ToImmutableArray(), expected);
    }

    /// <summary>Runs every analyzer and fails on any analyzer exception (AD0001).</summary>
    /// <param name="compilation">The compilation to analyze.</param>
    /// <param name="additionalFiles">Additional files (agentquotas.json).</param>
    /// <param name="inspect">Called after the run, with execution times logged, for measurements.</param>
    /// <param name="analyzerConfigOptions">.editorconfig options for the analyzers, if any.</param>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation, ImmutableArray<AdditionalText> additionalFiles, Func<CompilationWithAnalyzers, Task>? inspect = null, AnalyzerConfigOptionsProvider? analyzerConfigOptions = null)
    {
        var exceptions = new ConcurrentBag<string>();
        var withAnalyzers = compilation.WithAnalyzers(
            AllAnalyzers.Create(),
            new CompilationWithAnalyzersOptions(
                analyzerConfigOptions == null ? new AnalyzerOptions(additionalFiles) : new AnalyzerOptions(additionalFiles, analyzerConfigOptions),
                onAnalyzerException: (e, analyzer, diagnostic) => exceptions.Add(analyzer.GetType().Name + ": " + e),
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: inspect != null));
        ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        Assert.True(exceptions.IsEmpty, "Analyzer exceptions:\n" + string.Join("\n", exceptions));
        Diagnostic[] ad0001 = diagnostics.Where(d => d.Id == "AD0001").ToArray();
        Assert.True(ad0001.Length == 0, "AD0001:\n" + string.Join("\n", ad0001.Select(d => d.ToString())));
        if (inspect != null)
        {
            await inspect(withAnalyzers);
        }

        return diagnostics;
    }

    public static CSharpParseOptions ParseOptions(string? interceptorsNamespaces)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        return interceptorsNamespaces == null
            ? options
            : options.WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", interceptorsNamespaces)]);
    }

    private static string Key(string id, string path, TextSpan? span) =>
        span == null ? id + " (no location)" : id + " " + path + " " + span.Value;

    private static string Describe(Diagnostic d)
    {
        string where = d.Location == Location.None ? "(no location)" : d.Location.GetLineSpan().Path + " " + d.Location.SourceSpan
            + " line " + (d.Location.GetLineSpan().StartLinePosition.Line + 1);
        string text = d.Location.IsInSource ? " '" + d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan) + "'" : "";
        return d.Id + " " + where + text + " [" + d.Severity + "]: " + d.GetMessage();
    }
}
