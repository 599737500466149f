using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// The Roslyn analyzer test (Microsoft.CodeAnalysis.Analyzer.Testing) set up for AgentQuotas: every analyzer the
/// assembly exports runs over the sources; the framework parses the markup (<c>[|...|]</c>, <c>{|AQ0003:...|}</c>,
/// <c>{|#0:...|}</c>, also in agentquotas.json) and compares the diagnostics, failing on any other diagnostic,
/// any compiler error and any analyzer exception (AD0001).
/// </summary>
internal sealed class AgentQuotasAnalyzerTest : AnalyzerTest<DefaultVerifier>
{
    private ImmutableArray<Diagnostic> _reported;
    private bool _compareAgentQuotasDiagnostics = true;

    public AgentQuotasAnalyzerTest()
    {
        ReferenceAssemblies = TestProject.NoReferenceAssemblies;

        // Our analyzers skip generated code themselves; one analysis per test keeps the suite fast.
        TestBehaviors = TestBehaviors.SkipGeneratedCodeCheck | TestBehaviors.SkipSuppressionCheck;

        // Several rules have variants (one id, several descriptors); markup names the id.
        MarkupOptions = MarkupOptions.UseFirstDescriptor;
    }

    /// <summary>C# sources with markup; added to <see cref="AnalyzerTest{TVerifier}.TestState"/> as /0/Test0.cs, /0/Test1.cs, ...</summary>
    public List<string> Sources { get; } = [];

    /// <summary>The agentquotas.json (may carry markup); null for none.</summary>
    public string? Policy { get; set; } = TestPolicies.Standard;

    /// <summary>Other additional files (path, text).</summary>
    public List<(string Path, string Text)> OtherAdditionalFiles { get; } = [];

    /// <summary>The id that <c>[|...|]</c> stands for.</summary>
    public string? DefaultId { get; set; }

    /// <summary>The InterceptorsNamespaces feature; null to leave it out.</summary>
    public string? InterceptorsNamespaces { get; set; } = TestProject.InterceptorsNamespace;

    /// <summary>An .editorconfig above the sources.</summary>
    public string? EditorConfig { get; set; }

    /// <summary>Ids of diagnostics expected without a location (compilation-wide), any severity.</summary>
    public List<string> ExpectedWithoutLocation { get; } = [];

    public bool AllowCompilerErrors { get; set; }

    public bool ReferenceAI { get; set; } = true;

    /// <summary>Also reference Microsoft.Extensions.AI, Semantic Kernel, the Agent Framework, the MCP SDK and OpenAI.</summary>
    public bool ReferenceFrameworks { get; set; }

    public OutputKind OutputKind { get; set; } = OutputKind.DynamicallyLinkedLibrary;

    protected override string DefaultFileExt => "cs";

    public override string Language => LanguageNames.CSharp;

    public static Task<ImmutableArray<Diagnostic>> VerifyAsync(string source, string? defaultId = null, string? policy = TestPolicies.Standard) =>
        new AgentQuotasAnalyzerTest { Sources = { source }, DefaultId = defaultId, Policy = policy }.RunAsync();

    /// <summary>Runs the framework's verification; returns the AQ diagnostics (source order) for further checks.</summary>
    public new async Task<ImmutableArray<Diagnostic>> RunAsync(CancellationToken cancellationToken = default)
    {
        await base.RunAsync(cancellationToken);
        return _reported;
    }

    /// <summary>
    /// Runs the analyzers without comparing their AQ diagnostics with the markup (still failing on analyzer
    /// exceptions and, unless allowed, compiler errors); returns the AQ diagnostics.
    /// </summary>
    public Task<ImmutableArray<Diagnostic>> GetDiagnosticsAsync(CancellationToken cancellationToken = default)
    {
        _compareAgentQuotasDiagnostics = false;
        return RunAsync(cancellationToken);
    }

    protected override Task RunImplAsync(CancellationToken cancellationToken)
    {
        foreach (string source in Sources)
        {
            TestState.Sources.Add(source);
        }

        TestProject.Configure(TestState, Policy, ReferenceAI, ReferenceFrameworks);
        TestState.OutputKind = OutputKind;
        TestState.AdditionalFiles.AddRange(OtherAdditionalFiles.Select(f => (f.Path, Microsoft.CodeAnalysis.Text.SourceText.From(f.Text))));
        if (EditorConfig != null)
        {
            TestState.AnalyzerConfigFiles.Add((TestProject.EditorConfigPath, EditorConfig));
        }

        TestState.ExpectedDiagnostics.AddRange(ExpectedWithoutLocation.Select(id => new DiagnosticResult(id, DiagnosticSeverity.Warning).WithOptions(DiagnosticOptions.IgnoreSeverity)));
        if (AllowCompilerErrors)
        {
            CompilerDiagnostics = CompilerDiagnostics.None;
        }

        return base.RunImplAsync(cancellationToken);
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => AllAnalyzers.Create();

    protected override DiagnosticDescriptor? GetDefaultDiagnostic(DiagnosticAnalyzer[] analyzers) =>
        DefaultId == null ? null : analyzers.SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == DefaultId);

    protected override CompilationOptions CreateCompilationOptions() => TestProject.CompilationOptions(OutputKind);

    protected override ParseOptions CreateParseOptions() => TestProject.ParseOptions(InterceptorsNamespaces);

    /// <summary>
    /// The framework pins every tested id to <see cref="ReportDiagnostic.Default"/> in the compilation options, which
    /// outranks .editorconfig; dropping those pins lets <c>dotnet_diagnostic.AQxxxx.severity</c> apply as in a build.
    /// </summary>
    protected override Project ApplyCompilationOptions(Project project) => TestProject.WithoutDefaultPins(base.ApplyCompilationOptions(project));

    /// <summary>Keeps the AQ diagnostics of the run for <see cref="RunAsync"/> to return.</summary>
    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
    {
        ImmutableArray<(Project project, Diagnostic diagnostic)> filtered = base.FilterDiagnostics(diagnostics);
        if (_reported.IsDefault)
        {
            _reported = [.. SortDistinctDiagnostics(filtered).Select(d => d.diagnostic).Where(IsAgentQuotas)];
        }

        return _compareAgentQuotasDiagnostics ? filtered : [.. filtered.Where(d => !IsAgentQuotas(d.diagnostic))];
    }

    private static bool IsAgentQuotas(Diagnostic diagnostic) => diagnostic.Id.StartsWith("AQ", StringComparison.Ordinal);
}
