using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Applies an .editorconfig's <c>dotnet_diagnostic.ID.severity</c> entries to a compilation the way the
/// compiler does for a build: through <see cref="SyntaxTreeOptionsProvider"/>, built from the compiler's
/// own <see cref="AnalyzerConfigSet"/>.
/// </summary>
internal sealed class EditorConfigOptionsProvider : SyntaxTreeOptionsProvider
{
    private readonly AnalyzerConfigSet _set;
    private readonly Dictionary<SyntaxTree, ImmutableDictionary<string, ReportDiagnostic>> _byTree = new();

    public EditorConfigOptionsProvider(string editorConfigPath, string text, IEnumerable<SyntaxTree> trees)
    {
        _set = AnalyzerConfigSet.Create(new[] { AnalyzerConfig.Parse(text, editorConfigPath) });
        foreach (SyntaxTree tree in trees)
        {
            _byTree[tree] = _set.GetOptionsForSourcePath(tree.FilePath).TreeOptions;
        }
    }

    public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

    public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
    {
        severity = ReportDiagnostic.Default;
        return _byTree.TryGetValue(tree, out ImmutableDictionary<string, ReportDiagnostic>? options) && options.TryGetValue(diagnosticId, out severity);
    }

    public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity)
    {
        severity = ReportDiagnostic.Default;
        return _set.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
