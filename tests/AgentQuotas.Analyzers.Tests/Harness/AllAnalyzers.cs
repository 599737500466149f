using System.Collections.Immutable;
using System.Reflection;
using AgentQuotas.Analyzers.Rules;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Tests.Harness;

/// <summary>Every analyzer the AgentQuotas.Analyzers assembly exports, found the way the compiler finds them.</summary>
internal static class AllAnalyzers
{
    public static ImmutableArray<DiagnosticAnalyzer> Create() =>
        typeof(ToolBudgetAnalyzer).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() != null && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
}
