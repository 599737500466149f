using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentQuotas.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// Budget declarations on tools: AQ0001 (a tool without [Cost] or category), AQ0004 (a privileged tool
    /// without a budget) and AQ0006 (a cost that is not a finite number above zero, or a wrong estimator).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ToolBudgetAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.MissingBudget,
            DiagnosticDescriptors.UnguardedPrivilegedTool,
            DiagnosticDescriptors.InvalidCost);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                AgentSymbols symbols = AgentSymbols.Create(start.Compilation);
                if (!symbols.HasRuntime)
                {
                    return;
                }

                // The categories the code fix may offer come from the policy, when there is a valid one.
                var categories = new Lazy<string>(() =>
                {
                    PolicyFile? policy = PolicyFile.Find(start.Options, start.CancellationToken);
                    return policy?.Model == null
                        ? string.Empty
                        : string.Join(DiagnosticProperties.Separator.ToString(), PolicyFile.AllCategories(policy.Model));
                });

                start.RegisterSymbolAction(c => AnalyzeMethod(c, symbols, categories), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, AgentSymbols symbols, Lazy<string> categories)
        {
            var method = (IMethodSymbol)context.Symbol;
            if (method.PartialDefinitionPart != null)
            {
                return; // the implementation part of a partial method: reported once, on the definition
            }

            AttributeData? cost = AgentSymbols.FindAttribute(method, symbols.Cost);
            AttributeData? privileged = AgentSymbols.FindAttribute(method, symbols.Privileged);
            bool isTool = cost != null
                || privileged != null
                || AgentSymbols.FindAttribute(method, symbols.AgentTool) != null
                || AgentSymbols.FindAttribute(method, symbols.QuotaCategory) != null;
            if (!isTool)
            {
                return;
            }

            string? category = symbols.CategoryOf(method, out _);
            bool missingCost = cost == null;
            bool missingCategory = category == null;
            if (missingCost || missingCategory)
            {
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(DiagnosticProperties.MissingCost, missingCost ? "true" : "false")
                    .Add(DiagnosticProperties.MissingCategory, missingCategory ? "true" : "false")
                    .Add(DiagnosticProperties.Categories, missingCategory ? categories.Value : string.Empty)
                    .Add(DiagnosticProperties.Kind, DiagnosticProperties.BudgetKind);
                string problem = missingCost && missingCategory
                    ? "has neither a [Cost] nor a category; add [Cost(...)] and [QuotaCategory(...)] on the method or its type"
                    : missingCost
                        ? "has no [Cost]; say how many units each call takes from the '" + category + "' bucket"
                        : "has a [Cost] but no category; add [QuotaCategory(...)] to the method or its type";
                DiagnosticDescriptor descriptor = privileged != null ? DiagnosticDescriptors.UnguardedPrivilegedTool : DiagnosticDescriptors.MissingBudget;
                string subject = privileged != null ? "it " + problem : problem;
                context.ReportDiagnostic(Diagnostic.Create(descriptor, method.Locations[0], properties, method.Name, subject));
            }

            if (cost != null)
            {
                AnalyzeCost(context, symbols, method, cost);
            }
        }

        private static void AnalyzeCost(SymbolAnalysisContext context, AgentSymbols symbols, IMethodSymbol method, AttributeData cost)
        {
            CancellationToken ct = context.CancellationToken;
            bool hasUnits = cost.ConstructorArguments.Length == 1;
            TypedConstant? estimatorArgument = AgentSymbols.NamedArgument(cost, "Estimator");
            string? estimator = estimatorArgument.HasValue && !estimatorArgument.Value.IsNull ? estimatorArgument.Value.Value as string : null;

            if (hasUnits && estimatorArgument.HasValue)
            {
                Report(context, AttributeLocations.Of(cost, ct), method, "it sets both units and an Estimator; keep one of them");
                return;
            }

            if (hasUnits)
            {
                if (!Numbers.TryGetDouble(cost.ConstructorArguments[0], out double units))
                {
                    return; // not a number: the compiler reports that
                }

                if (double.IsNaN(units) || double.IsInfinity(units) || units <= 0)
                {
                    Report(context, AttributeLocations.ConstructorArgument(cost, 0, ct), method,
                        "the cost must be a finite number greater than zero, but is " + Format(units));
                }

                return;
            }

            if (string.IsNullOrWhiteSpace(estimator))
            {
                Report(context, estimatorArgument.HasValue ? AttributeLocations.NamedArgument(cost, "Estimator", ct) : AttributeLocations.Of(cost, ct), method,
                    "it gives neither units ([Cost(5)]) nor an Estimator ([Cost(Estimator = nameof(...))])");
                return;
            }

            string? problem = EstimatorProblem(symbols, method, estimator!);
            if (problem != null)
            {
                Report(context, AttributeLocations.NamedArgument(cost, "Estimator", ct), method, problem);
            }
        }

        /// <summary>Why the estimator is unusable, or null when one of the methods of that name fits.</summary>
        private static string? EstimatorProblem(AgentSymbols symbols, IMethodSymbol tool, string name)
        {
            INamedTypeSymbol type = tool.ContainingType;
            ImmutableArray<IMethodSymbol> candidates = type.GetMembers(name).OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary).ToImmutableArray();
            if (candidates.IsEmpty)
            {
                string? suggestion = NameSuggestion.Closest(name, type.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsStatic && m.ReturnType.SpecialType == SpecialType.System_Double)
                    .Select(m => m.Name));
                return "estimator '" + name + "' is not a method of '" + type.Name + "'" + (suggestion == null ? string.Empty : "; did you mean '" + suggestion + "'?");
            }

            // Report against the likeliest intended overload: static, returning double.
            string? first = null;
            foreach (IMethodSymbol candidate in candidates.OrderBy(c => (c.IsStatic ? 0 : 2) + (c.ReturnType.SpecialType == SpecialType.System_Double ? 0 : 1)))
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

        private static string? CandidateProblem(AgentSymbols symbols, IMethodSymbol tool, IMethodSymbol estimator)
        {
            string name = "estimator '" + estimator.Name + "'";
            if (!estimator.IsStatic)
            {
                return name + " must be static";
            }

            if (estimator.ReturnType.SpecialType != SpecialType.System_Double)
            {
                return name + " must return double, not " + Signatures.Type(estimator.ReturnType);
            }

            if (estimator.IsGenericMethod)
            {
                return name + " must not be generic";
            }

            if (estimator.Parameters.Length > tool.Parameters.Length || !Signatures.SameParameters(estimator, tool, estimator.Parameters.Length))
            {
                return name + " must take the tool's parameters " + Signatures.Parameters(tool) + " or a prefix of them, not " + Signatures.Parameters(estimator);
            }

            if (!symbols.IsReachableFromGeneratedCode(estimator, tool.ContainingType))
            {
                return name + " is " + Accessibility(estimator) + " in '" + estimator.ContainingType.Name + "', so the generated guard cannot call it; make it internal, or declare it on '" + tool.ContainingType.Name + "'";
            }

            return null;
        }

        private static void Report(SymbolAnalysisContext context, Location location, IMethodSymbol method, string problem) =>
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidCost, location, method.Name, problem));

        internal static string Accessibility(ISymbol symbol) =>
            symbol.DeclaredAccessibility switch
            {
                Microsoft.CodeAnalysis.Accessibility.Private => "private",
                Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
                Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
                _ => "not accessible",
            };

        private static string Format(double value) =>
            double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "infinity" : double.IsNegativeInfinity(value) ? "-infinity" : value.ToString("0.############", CultureInfo.InvariantCulture);
    }
}
