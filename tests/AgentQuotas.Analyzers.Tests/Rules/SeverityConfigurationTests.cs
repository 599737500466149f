using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests.Rules;

/// <summary>Every rule's severity can be changed with <c>dotnet_diagnostic.AQxxxx.severity</c> in .editorconfig.</summary>
public sealed class SeverityConfigurationTests
{
    private const string Source = """
        public class Tools
        {
            [AgentTool("lookup", "Looks up"), QuotaCategory("search")]
            public string {|AQ0001:Lookup|}(string key) => key;

            [Cost(1), QuotaCategory("search")]
            public string Search(string q) => q;

            public Func<string, string> Wire() => {|AQ0007:Search|};
        }
        """;

    [Fact]
    public async Task Defaults_are_the_catalogue_severities()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest { Sources = { Source } }.RunAsync();

        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single(d => d.Id == "AQ0001").Severity);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.Single(d => d.Id == "AQ0007").Severity);
    }

    [Fact]
    public async Task Editorconfig_can_lower_raise_and_silence_rules()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest
        {
            Sources = { Source.Replace("{|AQ0001:Lookup|}", "Lookup") },
            EditorConfig = """
                root = true

                [*.cs]
                dotnet_diagnostic.AQ0001.severity = none
                dotnet_diagnostic.AQ0007.severity = error
                """,
        }.RunAsync();

        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
        Assert.Equal("AQ0007", diagnostics.Single().Id);
    }

    [Fact]
    public async Task Editorconfig_can_turn_an_error_into_a_warning()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest
        {
            Sources = { Source },
            EditorConfig = """
                root = true

                [*.cs]
                dotnet_diagnostic.AQ0001.severity = warning
                """,
        }.RunAsync();

        Assert.Equal(DiagnosticSeverity.Warning, diagnostics.Single(d => d.Id == "AQ0001").Severity);
    }

    [Fact]
    public async Task Editorconfig_also_governs_the_some_tiers_variant_of_AQ0009()
    {
        var diagnostics = await new AgentQuotasAnalyzerTest
        {
            Sources = { "[QuotaCategory(\"search\")] public class Tools { [Cost({|AQ0009:100|})] public void Deep() { } }" },
            EditorConfig = """
                root = true

                [*.cs]
                dotnet_diagnostic.AQ0009.severity = error
                """,
        }.RunAsync();

        Assert.Equal(DiagnosticSeverity.Error, diagnostics.Single().Severity);
    }

    [Fact]
    public void Every_rule_can_be_configured_because_none_is_marked_not_configurable()
    {
        foreach (DiagnosticDescriptor descriptor in AllAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics))
        {
            Assert.DoesNotContain(WellKnownDiagnosticTags.NotConfigurable, descriptor.CustomTags);
            Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
        }
    }
}
