using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentQuotas.Analyzers.Configuration;
using AgentQuotas.Analyzers.Reporting;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Policy.Schema;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// Code checked against agentquotas.json: AQ0008 (the file is invalid), AQ0010 (there is no file),
    /// AQ0002 (a category without a budget), AQ0009 (a cost no bucket can admit) and AQ0012 (an
    /// [AgentLoop] cap above every tier's limit). The file is validated by the runtime's own validator.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PolicyAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.CategoryNotInPolicy,
            DiagnosticDescriptors.InvalidPolicyFile,
            DiagnosticDescriptors.CostExceedsCapacity,
            DiagnosticDescriptors.MissingPolicyFile,
            DiagnosticDescriptors.LoopCapExceedsPolicy);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                start.RegisterAdditionalFileAction(ReportInvalidPolicy);

                var symbols = AgentSymbols.Create(start.Compilation);
                if (!symbols.HasRuntime)
                {
                    return;
                }

                ImmutableArray<PolicyFile> policies = PolicyFile.FindAll(start.Options, start.CancellationToken);
                PolicyModel? model = policies.IsEmpty ? null : policies[0].Model;
                int annotated = 0;

                start.RegisterSymbolAction(c =>
                {
                    if (IsAnnotated(c.Symbol, symbols))
                    {
                        Interlocked.Exchange(ref annotated, 1);
                    }

                    if (model != null)
                    {
                        AnalyzeSymbol(c, symbols, model);
                    }
                }, SymbolKind.Method, SymbolKind.NamedType);

                if (policies.IsEmpty)
                {
                    start.RegisterCompilationEndAction(c =>
                    {
                        if (Volatile.Read(ref annotated) == 1)
                        {
                            c.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingPolicyFile, Location.None));
                        }
                    });
                }
            });
        }

        private static void ReportInvalidPolicy(AdditionalFileAnalysisContext context)
        {
            if (!PolicyFile.IsPolicyFile(context.AdditionalFile))
            {
                return;
            }

            PolicyFile? policy = PolicyFile.Load(context.AdditionalFile, context.CancellationToken);
            if (policy == null)
            {
                return;
            }

            foreach (PolicyIssue issue in policy.Result.Issues)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InvalidPolicyFile,
                    policy.LocationOf(issue.Line, issue.Column),
                    issue.Path,
                    issue.Message));
            }
        }

        private static bool IsAnnotated(ISymbol symbol, AgentSymbols symbols) =>
            symbol is IMethodSymbol method
                ? symbols.IsAnnotatedTool(method)
                : AgentSymbols.FindAttribute(symbol, symbols.QuotaCategory) != null;

        private static void AnalyzeSymbol(SymbolAnalysisContext context, AgentSymbols symbols, PolicyModel model)
        {
            AttributeData? category = AgentSymbols.FindAttribute(context.Symbol, symbols.QuotaCategory);
            if (category != null)
            {
                CheckCategory(context, model, category);
            }

            if (context.Symbol is IMethodSymbol method && method.PartialDefinitionPart == null)
            {
                AttributeData? cost = AgentSymbols.FindAttribute(method, symbols.Cost);
                if (cost != null)
                {
                    CheckCost(context, symbols, model, method, cost);
                }

                AttributeData? loop = AgentSymbols.FindAttribute(method, symbols.AgentLoop);
                if (loop != null)
                {
                    CheckLoopCaps(context, model, method, loop);
                }
            }
        }

        private static void CheckCategory(SymbolAnalysisContext context, PolicyModel model, AttributeData attribute)
        {
            string name = AgentSymbols.FirstStringArgument(attribute) ?? string.Empty;
            List<string> missing = model.Tiers.Where(t => t.FindCategory(name) == null).Select(t => t.Name).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            string problem = missing.Count == model.Tiers.Count
                ? "no tier budgets it"
                : "tier" + (missing.Count == 1 ? " " : "s ") + Quote(missing) + (missing.Count == 1 ? " does" : " do") + " not budget it, so its tenants' calls are refused with UnknownCategory";
            string? suggestion = NameSuggestion.Closest(name, PolicyFile.AllCategories(model));
            if (suggestion != null && suggestion != name)
            {
                problem += "; did you mean '" + suggestion + "'?";
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.CategoryNotInPolicy,
                AttributeLocations.ConstructorArgument(attribute, 0, context.CancellationToken),
                name,
                problem));
        }

        private static void CheckCost(SymbolAnalysisContext context, AgentSymbols symbols, PolicyModel model, IMethodSymbol method, AttributeData cost)
        {
            if (cost.ConstructorArguments.Length != 1 || !NumericConstants.TryGetDouble(cost.ConstructorArguments[0], out double units))
            {
                return; // estimated costs are only known at run time
            }

            string? category = symbols.CategoryOf(method, out _);
            if (category == null || double.IsNaN(units) || double.IsInfinity(units) || units <= 0)
            {
                return; // AQ0001 / AQ0006
            }

            var budgeted = new List<(TierModel Tier, double Admissible, double WithDebt)>();
            foreach (TierModel tier in model.Tiers)
            {
                CategoryModel? budget = tier.FindCategory(category);
                if (budget == null)
                {
                    continue; // AQ0002
                }

                // The runtime's BucketLimits.MaxAdmissibleCost: capacity plus burst credits, plus debt only for emergency classes.
                double burst = tier.BurstMultiplier.HasValue && tier.BurstMaxSeconds.HasValue
                    ? (tier.BurstMultiplier.Value - 1) * budget.RefillPerSecond * tier.BurstMaxSeconds.Value
                    : 0;
                double admissible = budget.Capacity + burst;
                double debt = tier.EmergencyClasses != null && tier.EmergencyClasses.Count > 0 ? budget.Capacity * tier.EmergencyDebtMultiplier : 0;
                budgeted.Add((tier, admissible, admissible + debt));
            }

            var blocked = budgeted.Where(b => units > b.Admissible).ToList();
            if (blocked.Count == 0)
            {
                return;
            }

            bool everyTier = blocked.Count == budgeted.Count;
            var best = blocked.OrderByDescending(b => b.Admissible).First();
            string where = everyTier
                ? "in any tier (at most " + Format(best.Admissible) + " in tier '" + best.Tier.Name + "')"
                : "in tier" + (blocked.Count == 1 ? " " : "s ") + Quote(blocked.Select(b => b.Tier.Name)) + " (at most " + Format(best.Admissible) + ")";
            where += ", counting capacity and burst credits";
            var emergency = blocked.Where(b => units <= b.WithDebt).Select(b => b.Tier.Name).ToList();
            if (emergency.Count > 0)
            {
                where += "; only emergency classes could be admitted there, by borrowing (tier" + (emergency.Count == 1 ? " " : "s ") + Quote(emergency) + ")";
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.CostExceedsCapacity,
                AttributeLocations.ConstructorArgument(cost, 0, context.CancellationToken),
                everyTier ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                additionalLocations: null,
                properties: null,
                method.Name, Format(units), category, where));
        }

        private static void CheckLoopCaps(SymbolAnalysisContext context, PolicyModel model, IMethodSymbol method, AttributeData loop)
        {
            if (model.Tiers.Count == 0)
            {
                return;
            }

            CheckCap(context, method, loop, "MaxIterations", "maxIterations", model.Tiers.Select(t => (double?)t.MaxIterations));
            CheckCap(context, method, loop, "MaxToolCalls", "maxToolCalls", model.Tiers.Select(t => (double?)t.MaxToolCalls));
            CheckCap(context, method, loop, "MaxCost", "maxCostPerRun", model.Tiers.Select(t => t.MaxCostPerRun));
        }

        private static void CheckCap(SymbolAnalysisContext context, IMethodSymbol method, AttributeData loop, string property, string limit, IEnumerable<double?> tierLimits)
        {
            TypedConstant? argument = AgentSymbols.NamedArgument(loop, property);
            if (!argument.HasValue || !NumericConstants.TryGetDouble(argument.Value, out double cap))
            {
                return;
            }

            List<double?> limits = tierLimits.ToList();
            if (cap <= 0 || limits.Any(l => !l.HasValue))
            {
                return; // 0 means no cap of its own; a tier without the limit lets the cap apply
            }

            double largest = limits.Max(l => l!.Value);
            if (cap > largest)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.LoopCapExceedsPolicy,
                    AttributeLocations.NamedArgument(loop, property, context.CancellationToken),
                    property, Format(cap), method.Name, limit, Format(largest)));
            }
        }

        private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => "'" + n + "'"));

        private static string Format(double value) => value.ToString("0.############", CultureInfo.InvariantCulture);
    }
}
