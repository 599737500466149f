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
using AgentQuotas.ToolModel;
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

            ToolAnnotations notes = symbols.AnnotationsOf(method);
            bool privileged = notes.IsPrivileged;
            bool isTool = symbols.IsAnnotatedTool(method);
            string? frameworkAttribute = isTool ? null : frameworks.ToolAttributeOf(method);
            if (!isTool && frameworkAttribute == null)
            {
                return;
            }

            string? problem = BudgetProblem(symbols, method, categories, out ImmutableDictionary<string, string?> properties);
            if (problem != null)
            {
                DiagnosticDescriptor descriptor = privileged ? DiagnosticDescriptors.UnguardedPrivilegedTool : DiagnosticDescriptors.MissingBudget;
                string subject = privileged
                    ? "it " + problem
                    : frameworkAttribute == null ? problem : "(" + frameworkAttribute + ": " + FrameworkOf(frameworkAttribute) + " exposes it to the model) " + problem;
                context.ReportDiagnostic(Diagnostic.Create(descriptor, method.Locations[0], properties, method.Name, subject));
            }

            if (notes.Cost != null)
            {
                AnalyzeCost(context, symbols, method, notes);
            }
        }

        private static string FrameworkOf(string attribute) => attribute == "[KernelFunction]" ? "Semantic Kernel" : "the MCP server";

        /// <summary>What the tool's budget lacks, as a predicate with the fix ("has no [Cost]; ..."), or null when it has both parts.</summary>
        private static string? BudgetProblem(AgentSymbols symbols, IMethodSymbol method, Lazy<string> categories, out ImmutableDictionary<string, string?> properties)
        {
            properties = ImmutableDictionary<string, string?>.Empty;
            string? category = symbols.CategoryOf(method, out _);
            bool missingCost = symbols.AnnotationsOf(method).Cost == null;
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
                    if (_symbols.IsAnnotatedTool(method) || _frameworks.ToolAttributeOf(method) != null)
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

        /// <summary>
        /// AQ0006 for the cost that applies to the method, as <see cref="CostRules"/> decides for the generator: at the
        /// attribute when the method declares it, at the method when it inherits it (an inherited estimator is looked up
        /// for each tool, so it can fit one implementation and not another).
        /// </summary>
        private static void AnalyzeCost(SymbolAnalysisContext context, AgentSymbols symbols, IMethodSymbol method, ToolAnnotations notes)
        {
            ToolCost cost = CostRules.Of(method, notes, symbols.Compilation);
            if (cost.Problem == null || cost.Problem == CostRules.NotANumber || cost.Declaration == null)
            {
                return; // usable, or not a number (the compiler reports that)
            }

            CancellationToken ct = context.CancellationToken;
            AttributeData attribute = cost.Declaration.Attribute;
            if (!cost.Declaration.IsOwnOf(method))
            {
                Report(context, method.Locations[0], method, "the [Cost] it inherits from '" + ToolAnnotations.DisplayName(cost.Declaration.Member) + "' does not fit it: " + cost.Problem);
                return;
            }

            Location location = cost.Site switch
            {
                CostProblemSite.Units => AttributeLocations.ConstructorArgument(attribute, 0, ct),
                CostProblemSite.Estimator => AttributeLocations.NamedArgument(attribute, "Estimator", ct),
                _ => AttributeLocations.Of(attribute, ct),
            };
            Report(context, location, method, cost.Problem);
        }

        private static void Report(SymbolAnalysisContext context, Location location, IMethodSymbol method, string problem) =>
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidCost, location, method.Name, problem));
    }
}
