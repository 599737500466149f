using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentQuotas.Analyzers.Configuration;
using AgentQuotas.Analyzers.Reporting;
using AgentQuotas.Analyzers.ToolReferences;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Policy.Schema;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// Budget declarations on tools: AQ0001 (a tool without [Cost] or category), AQ0004 (a privileged tool
    /// without a budget) and AQ0006 (a cost that is not a finite number above zero, or a wrong estimator).
    /// A tool is a method carrying one of the runtime's attributes, a framework's tool attribute
    /// ([KernelFunction], [McpServerTool]), or a method handed to a framework as a tool
    /// (AIFunctionFactory.Create, KernelFunctionFactory.CreateFromMethod, McpServerTool.Create); the last are
    /// found from the calls that hand them over, so they are reported at the end of the compilation.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ToolBudgetAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.MissingBudget,
            DiagnosticDescriptors.MissingBudgetOfHandedTool,
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

                FrameworkSymbols frameworks = FrameworkSymbols.Create(start.Compilation);
                start.RegisterSymbolAction(c => AnalyzeMethod(c, symbols, frameworks, categories), SymbolKind.Method);
                if (frameworks.HasFrameworks)
                {
                    var handed = new HandedTools(symbols, frameworks, ReflectionSymbols.Create(start.Compilation), categories);
                    start.RegisterOperationAction(handed.Collect, OperationKind.Invocation);
                    start.RegisterCompilationEndAction(handed.Report);
                }
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, AgentSymbols symbols, FrameworkSymbols frameworks, Lazy<string> categories)
        {
            var method = (IMethodSymbol)context.Symbol;
            if (method.PartialDefinitionPart != null)
            {
                return; // the implementation part of a partial method: reported once, on the definition
            }

            AttributeData? cost = AgentSymbols.FindAttribute(method, symbols.Cost);
            AttributeData? privileged = AgentSymbols.FindAttribute(method, symbols.Privileged);
            bool isTool = IsAnnotatedTool(symbols, method);
            string? frameworkAttribute = isTool ? null : frameworks.ToolAttributeOf(method);
            if (!isTool && frameworkAttribute == null)
            {
                return;
            }

            string? problem = BudgetProblem(symbols, method, categories, out ImmutableDictionary<string, string?> properties);
            if (problem != null)
            {
                DiagnosticDescriptor descriptor = privileged != null ? DiagnosticDescriptors.UnguardedPrivilegedTool : DiagnosticDescriptors.MissingBudget;
                string subject = privileged != null
                    ? "it " + problem
                    : frameworkAttribute == null ? problem : "(" + frameworkAttribute + ": " + FrameworkOf(frameworkAttribute) + " exposes it to the model) " + problem;
                context.ReportDiagnostic(Diagnostic.Create(descriptor, method.Locations[0], properties, method.Name, subject));
            }

            if (cost != null)
            {
                AnalyzeCost(context, symbols, method, cost);
            }
        }

        /// <summary>Whether the method carries one of the runtime's tool attributes ([AgentTool], [Cost], [QuotaCategory], [Privileged]).</summary>
        private static bool IsAnnotatedTool(AgentSymbols symbols, IMethodSymbol method) =>
            AgentSymbols.FindAttribute(method, symbols.Cost) != null
            || AgentSymbols.FindAttribute(method, symbols.Privileged) != null
            || AgentSymbols.FindAttribute(method, symbols.AgentTool) != null
            || AgentSymbols.FindAttribute(method, symbols.QuotaCategory) != null;

        private static string FrameworkOf(string attribute) => attribute == "[KernelFunction]" ? "Semantic Kernel" : "the MCP server";

        /// <summary>What the tool's budget lacks, as a predicate with the fix ("has no [Cost]; ..."), or null when it has both parts.</summary>
        private static string? BudgetProblem(AgentSymbols symbols, IMethodSymbol method, Lazy<string> categories, out ImmutableDictionary<string, string?> properties)
        {
            properties = ImmutableDictionary<string, string?>.Empty;
            string? category = symbols.CategoryOf(method, out _);
            bool missingCost = AgentSymbols.FindAttribute(method, symbols.Cost) == null;
            bool missingCategory = category == null;
            if (!missingCost && !missingCategory)
            {
                return null;
            }

            properties = properties
                .Add(DiagnosticProperties.MissingCost, missingCost ? "true" : "false")
                .Add(DiagnosticProperties.MissingCategory, missingCategory ? "true" : "false")
                .Add(DiagnosticProperties.Categories, missingCategory ? categories.Value : string.Empty)
                .Add(DiagnosticProperties.Kind, DiagnosticProperties.BudgetKind);
            return missingCost && missingCategory
                ? "has neither a [Cost] nor a category; add [Cost(...)] and [QuotaCategory(...)] on the method or its type"
                : missingCost
                    ? "has no [Cost]; say how many units each call takes from the '" + category + "' bucket"
                    : "has a [Cost] but no category; add [QuotaCategory(...)] to the method or its type";
        }

        /// <summary>
        /// Methods of this compilation handed to a framework as tools one by one (a method group, a delegate or a
        /// MethodInfo given to AIFunctionFactory.Create and the like). Collected from the calls, reported at the end,
        /// once per method, at the method (where the code fix adds the budget).
        /// </summary>
        private sealed class HandedTools
        {
            private readonly AgentSymbols _symbols;
            private readonly FrameworkSymbols _frameworks;
            private readonly ReflectionSymbols _reflection;
            private readonly Lazy<string> _categories;
            private readonly ConcurrentDictionary<IMethodSymbol, string> _handed = new ConcurrentDictionary<IMethodSymbol, string>(SymbolEqualityComparer.Default);

            public HandedTools(AgentSymbols symbols, FrameworkSymbols frameworks, ReflectionSymbols reflection, Lazy<string> categories)
            {
                _symbols = symbols;
                _frameworks = frameworks;
                _reflection = reflection;
                _categories = categories;
            }

            public void Collect(OperationAnalysisContext context)
            {
                Handoff? handoff = _frameworks.HandoffOf((IInvocationOperation)context.Operation, _reflection);
                if (handoff == null)
                {
                    return;
                }

                foreach (IMethodSymbol method in handoff.Methods)
                {
                    if (method.Locations.Length > 0 && method.Locations[0].IsInSource
                        && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _symbols.Compilation.Assembly))
                    {
                        string how = handoff.How;
                        _handed.AddOrUpdate(method, how, (_, existing) => string.CompareOrdinal(existing, how) <= 0 ? existing : how);
                    }
                }
            }

            public void Report(CompilationAnalysisContext context)
            {
                foreach (KeyValuePair<IMethodSymbol, string> entry in _handed.OrderBy(e => e.Key.Locations[0].SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(e => e.Key.Locations[0].SourceSpan.Start))
                {
                    IMethodSymbol method = entry.Key;
                    if (IsAnnotatedTool(_symbols, method) || _frameworks.ToolAttributeOf(method) != null)
                    {
                        continue; // reported (or not) where it is declared
                    }

                    if (AgentSymbols.FindAttribute(method, _symbols.AgentLoop) != null)
                    {
                        continue; // a sub-agent: its [AgentLoop] caps what it spends (AQ0007 says its caps need a direct call)
                    }

                    string? problem = BudgetProblem(_symbols, method, _categories, out ImmutableDictionary<string, string?> properties);
                    if (problem != null)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(
                            DiagnosticDescriptors.MissingBudgetOfHandedTool, method.Locations[0], properties, method.Name,
                            "(handed to the model by " + entry.Value + ") " + problem));
                    }
                }
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
                if (!NumericConstants.TryGetDouble(cost.ConstructorArguments[0], out double units))
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
