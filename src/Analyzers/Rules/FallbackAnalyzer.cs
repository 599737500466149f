using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.Reporting;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Policy.Schema;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0005: a [Fallback] (own or inherited) must name a method the generated guard can call as the tool's
    /// degraded path, as <see cref="FallbackRules"/> decides for the generator too.
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

            // The [Fallback] that applies: the method's own, or one it inherits from a member it overrides or implements
            // (the generator calls the method found by the same rules, on the tool's own type).
            FoundAttribute? fallback = symbols.AnnotationsOf(tool).Fallback;
            if (fallback == null)
            {
                return;
            }

            // Each entry of an ordered chain by the same rules as a single fallback, reported at its own argument.
            List<string> names = ToolAttributes.FallbackNames(fallback.Attribute);
            for (int index = 0; index < names.Count; index++)
            {
                Report(context, symbols, tool, fallback, names, index);
            }
        }

        private static void Report(SymbolAnalysisContext context, AgentSymbols symbols, IMethodSymbol tool, FoundAttribute fallback, List<string> names, int index)
        {
            string name = names[index];
            if (FallbackRules.Find(tool, name, symbols.Attributes, out string? problem) != null)
            {
                return;
            }

            // Methods that would be valid fallbacks, closest name first, for the message and the code fix. Other guarded
            // tools are left out: a fallback is the degraded path, and the guard calls it unguarded.
            List<string> candidates = tool.ContainingType.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && !symbols.IsGuardedTool(m) && FallbackRules.CandidateProblem(tool, m, symbols.Attributes) == null)
                .Select(m => m.Name)
                .Distinct()
                .Where(n => !names.Contains(n))
                .OrderBy(n => NameSuggestion.Distance(name, n))
                .ThenBy(n => n, System.StringComparer.Ordinal)
                .ToList();
            if (FallbackRules.MethodsNamed(tool.ContainingType, name).Count == 0 && candidates.Count > 0)
            {
                problem += "; did you mean '" + candidates[0] + "'?";
            }

            bool own = fallback.IsOwnOf(tool);
            if (!own)
            {
                problem = "the [Fallback] it inherits from '" + ToolAnnotations.DisplayName(fallback.Member) + "' does not fit it: " + problem;
            }

            if (names.Count > 1)
            {
                problem = "entry " + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + " of its fallback chain: " + problem;
            }

            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.FallbackCandidates, own ? string.Join(DiagnosticProperties.Separator.ToString(), candidates) : string.Empty);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidFallback,
                own ? AttributeLocations.ConstructorArgument(fallback.Attribute, index, context.CancellationToken) : tool.Locations[0],
                properties,
                tool.Name,
                problem));
        }
    }
}
