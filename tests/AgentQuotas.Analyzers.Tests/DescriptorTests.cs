using System.Text.RegularExpressions;
using AgentQuotas.Analyzers.Tests.Harness;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tests;

/// <summary>Every descriptor is documented: help link, doc page with its sections, README table and release tracking agree.</summary>
public sealed class DescriptorTests
{
    private static readonly DiagnosticDescriptor[] Descriptors = AllAnalyzers.Create()
        .SelectMany(a => a.SupportedDiagnostics)
        .GroupBy(d => d.Id)
        .Select(g => g.First())
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void The_catalogue_is_AQ0001_to_AQ0013()
    {
        Assert.Equal(Enumerable.Range(1, 13).Select(i => $"AQ{i:0000}"), Descriptors.Select(d => d.Id));
    }

    [Fact]
    public void Every_descriptor_has_a_help_link_matching_its_id_and_an_existing_doc()
    {
        foreach (DiagnosticDescriptor descriptor in Descriptors)
        {
            Assert.Equal($"https://github.com/agentquotas/agentquotas/blob/main/docs/rules/{descriptor.Id}.md", descriptor.HelpLinkUri);
            string doc = RepositoryPaths.Combine("docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(doc), doc + " is missing");

            string text = File.ReadAllText(doc);
            Assert.StartsWith("# " + descriptor.Id + ": " + descriptor.Title, text);
            foreach (string section in new[] { "## Why", "## Non-compliant", "## Compliant", "## Configuration", "## Fix" })
            {
                Assert.True(text.Contains("\n" + section + "\n", StringComparison.Ordinal), descriptor.Id + ".md lacks " + section);
            }

            Assert.Contains("dotnet_diagnostic." + descriptor.Id + ".severity", text);
        }
    }

    [Fact]
    public void Every_descriptor_is_complete_and_uses_a_house_category()
    {
        string[] categories = ["Usage", "Design", "Reliability", "Security", "Performance"];
        foreach (DiagnosticDescriptor descriptor in Descriptors)
        {
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()), descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.MessageFormat.ToString()), descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString()), descriptor.Id);
            Assert.Contains(descriptor.Category, categories);
        }
    }

    /// <summary>
    /// One id may have several descriptors (AQ0004 found at once and at the end of the compilation, AQ0003's
    /// option problems), but what users configure and look up by id must agree: category, severity, whether it
    /// is on by default, and the help link. Titles and messages may differ; the first is the catalogue's.
    /// </summary>
    [Fact]
    public void Descriptors_sharing_an_id_agree()
    {
        foreach (IGrouping<string, DiagnosticDescriptor> group in AllAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).GroupBy(d => d.Id))
        {
            Assert.Single(group.Select(d => (d.Category, d.DefaultSeverity, d.IsEnabledByDefault, d.HelpLinkUri)).Distinct());
        }
    }

    [Fact]
    public void Descriptors_reported_at_the_end_of_the_compilation_say_so()
    {
        // The IDE runs compilation-end actions only for descriptors tagged CompilationEnd.
        DiagnosticDescriptor[] all = AllAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).Distinct().ToArray();
        Assert.Contains(all, d => d.Id == "AQ0004" && d.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd));
        Assert.Contains(all, d => d.Id == "AQ0004" && !d.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd));
        Assert.Contains(all, d => d.Id == "AQ0001" && d.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd));
        Assert.All(all.Where(d => d.Id == "AQ0003"), d => Assert.Contains(WellKnownDiagnosticTags.CompilationEnd, d.CustomTags));
    }

    [Fact]
    public void Release_tracking_lists_every_rule_with_its_category_and_severity()
    {
        string unshipped = File.ReadAllText(RepositoryPaths.Combine("src", "Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor descriptor in Descriptors)
        {
            Assert.Matches(new Regex($@"^{descriptor.Id} \| {descriptor.Category} \| {descriptor.DefaultSeverity} \|", RegexOptions.Multiline), unshipped);
        }
    }

    [Fact]
    public void Rules_readme_table_lists_every_rule_with_its_severity_and_title()
    {
        string readme = File.ReadAllText(RepositoryPaths.Combine("docs", "rules", "README.md"));
        foreach (DiagnosticDescriptor descriptor in Descriptors)
        {
            Assert.Contains($"| [{descriptor.Id}]({descriptor.Id}.md) | {descriptor.DefaultSeverity}", readme);
            Assert.Contains($"| {descriptor.Title} |", readme);
        }
    }
}
