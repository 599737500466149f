using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.Reporting;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Policy.Schema;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0005: a [Fallback] must name a method of the same type (or a base type) with the same parameters and
    /// return type, that generated code can call, that is not the tool itself and not privileged.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FallbackAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.InvalidFallback);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = AgentSymbols.Create(start.Compilation);
                if (symbols.Fallback == null)
                {
                    return;
                }

                start.RegisterSymbolAction(c => Analyze(c, symbols), SymbolKind.Method);
            });
        }

        private static void Analyze(SymbolAnalysisContext context, AgentSymbols symbols)
        {
            var tool = (IMethodSymbol)context.Symbol;
            if (tool.PartialDefinitionPart != null)
            {
                return;
            }

            AttributeData? fallback = AgentSymbols.FindAttribute(tool, symbols.Fallback);
            if (fallback == null)
            {
                return;
            }

            string name = AgentSymbols.FirstStringArgument(fallback) ?? string.Empty;
            List<IMethodSymbol> named = MethodsNamed(tool.ContainingType, name);
            string? problem = named.Count == 0
                ? (name.Length == 0 ? "it names no method" : "'" + tool.ContainingType.Name + "' has no method named '" + name + "'")
                : BestProblem(symbols, tool, named);
            if (problem == null)
            {
                return;
            }

            // Methods that would be valid fallbacks, closest name first, for the message and the code fix. Other guarded
            // tools are left out: a fallback is the degraded path, and the guard calls it unguarded.
            List<string> candidates = tool.ContainingType.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && !symbols.IsGuardedTool(m) && CandidateProblem(symbols, tool, m) == null)
                .Select(m => m.Name)
                .Distinct()
                .OrderBy(n => NameSuggestion.Distance(name, n))
                .ThenBy(n => n, System.StringComparer.Ordinal)
                .ToList();
            if (named.Count == 0 && candidates.Count > 0)
            {
                problem += "; did you mean '" + candidates[0] + "'?";
            }

            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.FallbackCandidates, string.Join(DiagnosticProperties.Separator.ToString(), candidates));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidFallback,
                AttributeLocations.ConstructorArgument(fallback, 0, context.CancellationToken),
                properties,
                tool.Name,
                problem));
        }

        private static List<IMethodSymbol> MethodsNamed(INamedTypeSymbol type, string name)
        {
            var methods = new List<IMethodSymbol>();
            for (INamedTypeSymbol? current = type; current != null; current = current.BaseType)
            {
                methods.AddRange(current.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary));
            }

            return methods;
        }

        /// <summary>Null when one of the methods is a valid fallback, else the problem of the closest one.</summary>
        private static string? BestProblem(AgentSymbols symbols, IMethodSymbol tool, List<IMethodSymbol> named)
        {
            string? first = null;
            foreach (IMethodSymbol candidate in named.OrderBy(m => Signatures.SameSignature(m, tool) ? 0 : 1))
            {
                string? problem = CandidateProblem(symbols, tool, candidate);
                if (problem == null)
                {
                    return null;
                }

                first ??= problem;
            }

            return first;
        }

        private static string? CandidateProblem(AgentSymbols symbols, IMethodSymbol tool, IMethodSymbol candidate)
        {
            string name = "'" + candidate.Name + "'";
            if (SymbolEqualityComparer.Default.Equals(AgentSymbols.Normalize(candidate), AgentSymbols.Normalize(tool)))
            {
                return "it names the tool itself";
            }

            if (!Signatures.SameSignature(candidate, tool))
            {
                return name + " takes " + Signatures.Parameters(candidate) + " and returns " + Signatures.Type(candidate.ReturnType)
                    + ", but the tool takes " + Signatures.Parameters(tool) + " and returns " + Signatures.Type(tool.ReturnType);
            }

            if (tool.IsStatic && !candidate.IsStatic)
            {
                return name + " is an instance method but the tool is static, so there is no instance to call it on";
            }

            if (symbols.IsPrivileged(candidate))
            {
                return name + " is itself privileged; a fallback is the degraded path and must not act with consequences";
            }

            if (!symbols.IsReachableFromGeneratedCode(candidate, tool.ContainingType))
            {
                return name + " is " + ToolBudgetAnalyzer.Accessibility(candidate) + " in '" + candidate.ContainingType.Name
                    + "', so the generated guard cannot call it; make it internal, or declare it on '" + tool.ContainingType.Name + "'";
            }

            return null;
        }
    }
}
