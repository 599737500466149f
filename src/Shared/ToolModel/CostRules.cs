// Shared by the analyzers and the generator (netstandard2.0).
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>
    /// What a tool's cost is (docs/rules/AQ0006.md): a fixed number of units, finite and above zero, or an
    /// estimator: a static, non-generic method returning double that takes the tool's parameters or a prefix of
    /// them, looked up where the [Cost] naming it is declared (an interface member's estimator is a static member
    /// of the interface), then on the tool's own type, and callable by generated code. The generator guards with
    /// exactly this; the analyzers report its problems as AQ0006.
    /// </summary>
    internal static class CostRules
    {
        /// <summary>The problem of a units argument that is not a number (the compiler reports that one already).</summary>
        public const string NotANumber = "the cost is not a number";

        /// <summary>The cost of <paramref name="tool"/> (its declaration) under <paramref name="notes"/>.</summary>
        public static ToolCost Of(IMethodSymbol tool, ToolAnnotations notes, Compilation compilation)
        {
            FoundAttribute? found = notes.Cost;
            if (found == null)
            {
                return new ToolCost(null, 0, null, false, null, CostProblemSite.Attribute);
            }

            AttributeData cost = found.Attribute;
            bool hasUnits = cost.ConstructorArguments.Length == 1;
            TypedConstant? estimatorArgument = ToolAttributes.NamedArgument(cost, "Estimator");
            string? estimator = estimatorArgument.HasValue && !estimatorArgument.Value.IsNull ? estimatorArgument.Value.Value as string : null;
            if (hasUnits && estimatorArgument.HasValue)
            {
                return Invalid(found, "it sets both units and an Estimator; keep one of them", CostProblemSite.Attribute);
            }

            if (hasUnits)
            {
                if (!NumericConstants.TryGetDouble(cost.ConstructorArguments[0], out double units))
                {
                    return Invalid(found, NotANumber, CostProblemSite.Units);
                }

                return double.IsNaN(units) || double.IsInfinity(units) || units <= 0
                    ? Invalid(found, "the cost must be a finite number greater than zero, but is " + Format(units), CostProblemSite.Units)
                    : new ToolCost(found, units, null, false, null, CostProblemSite.Units);
            }

            if (string.IsNullOrWhiteSpace(estimator))
            {
                return Invalid(found, "it gives neither units ([Cost(5)]) nor an Estimator ([Cost(Estimator = nameof(...))])",
                    estimatorArgument.HasValue ? CostProblemSite.Estimator : CostProblemSite.Attribute);
            }

            IMethodSymbol? chosen = FindEstimator(tool, found.Member.ContainingType, estimator!, compilation, out string? problem);
            if (chosen == null)
            {
                return Invalid(found, problem!, CostProblemSite.Estimator);
            }

            return new ToolCost(found, 0, chosen, GeneratedCodeAccess.IsAccessible(chosen, compilation), null, CostProblemSite.Estimator);
        }

        /// <summary>
        /// The usable estimator named <paramref name="name"/>: on <paramref name="declaringType"/> (where the [Cost] is
        /// declared) first, then on the tool's type; null with the problem of the likeliest intended one otherwise.
        /// </summary>
        private static IMethodSymbol? FindEstimator(IMethodSymbol tool, INamedTypeSymbol declaringType, string name, Compilation compilation, out string? problem)
        {
            var owners = new List<INamedTypeSymbol> { declaringType };
            if (!SymbolEqualityComparer.Default.Equals(tool.ContainingType.OriginalDefinition, declaringType.OriginalDefinition))
            {
                owners.Add(tool.ContainingType);
            }

            problem = null;
            foreach (INamedTypeSymbol owner in owners)
            {
                // Report against the likeliest intended overload: static, returning double.
                foreach (IMethodSymbol candidate in owner.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary)
                    .OrderBy(c => (c.IsStatic ? 0 : 2) + (c.ReturnType.SpecialType == SpecialType.System_Double ? 0 : 1)))
                {
                    string? candidateProblem = EstimatorProblem(tool, owner, candidate, compilation);
                    if (candidateProblem == null)
                    {
                        return candidate;
                    }

                    problem ??= candidateProblem;
                }
            }

            if (problem == null)
            {
                INamedTypeSymbol type = tool.ContainingType;
                string? suggestion = AgentQuotas.Policy.Schema.NameSuggestion.Closest(name, owners.SelectMany(o => o.GetMembers()).OfType<IMethodSymbol>()
                    .Where(m => m.MethodKind == MethodKind.Ordinary && m.IsStatic && m.ReturnType.SpecialType == SpecialType.System_Double)
                    .Select(m => m.Name));
                problem = "estimator '" + name + "' is not a method of '" + type.Name + "'" + (suggestion == null ? string.Empty : "; did you mean '" + suggestion + "'?");
            }

            return null;
        }

        /// <summary>Why <paramref name="estimator"/> cannot compute the cost of <paramref name="tool"/>, or null when it can.</summary>
        public static string? EstimatorProblem(IMethodSymbol tool, INamedTypeSymbol owner, IMethodSymbol estimator, Compilation compilation)
        {
            string name = "estimator '" + estimator.Name + "'";
            if (!estimator.IsStatic)
            {
                return name + " must be static";
            }

            if (estimator.IsAbstract || estimator.IsVirtual)
            {
                return name + " must not be abstract or virtual (a static interface member is called through a type parameter, which the guard cannot do)";
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

            string? unreachable = GeneratedCodeAccess.Problem(estimator, owner, compilation);
            return unreachable == null ? null : name + " " + unreachable;
        }

        private static ToolCost Invalid(FoundAttribute found, string problem, CostProblemSite site) => new ToolCost(found, 0, null, false, problem, site);

        private static string Format(double value) =>
            double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "infinity" : double.IsNegativeInfinity(value) ? "-infinity" : value.ToString("0.############", CultureInfo.InvariantCulture);
    }
}
