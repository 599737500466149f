using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>
/// Serves an .editorconfig's analyzer options (<c>agentquotas.model_methods = ...</c>) to analyzers the way the
/// compiler does for a build: per file from the compiler's own <see cref="AnalyzerConfigSet"/>, and the global
/// section as <see cref="AnalyzerConfigOptionsProvider.GlobalOptions"/>.
/// </summary>
internal sealed class EditorConfigAnalyzerOptions(string editorConfigPath, string text) : AnalyzerConfigOptionsProvider
{
    private readonly AnalyzerConfigSet _set = AnalyzerConfigSet.Create(new[] { AnalyzerConfig.Parse(text, editorConfigPath) });

    public override AnalyzerConfigOptions GlobalOptions => new Options(_set.GlobalConfigOptions.AnalyzerOptions);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(_set.GetOptionsForSourcePath(tree.FilePath).AnalyzerOptions);

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(_set.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
