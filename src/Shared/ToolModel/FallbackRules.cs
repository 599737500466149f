// Shared by the analyzers and the generator (netstandard2.0).
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>
    /// Which method a tool's [Fallback] (own or inherited) names (docs/rules/AQ0005.md): an ordinary method of the
    /// tool's type or a base type, with that name, the same type parameters, parameters (types and ref kinds) and
    /// return type, static when the tool is static, not the tool itself, not privileged (own or inherited), and
    /// callable by generated code. The generator calls exactly the method found here; the analyzers report the
    /// problem as AQ0005.
    /// </summary>
    internal static class FallbackRules
    {
        /// <summary>The fallback of <paramref name="tool"/> named <paramref name="name"/>, or null with the problem.</summary>
        public static IMethodSymbol? Find(IMethodSymbol tool, string name, ToolAttributes attributes, out string? problem)
        {
            List<IMethodSymbol> named = MethodsNamed(tool.ContainingType, name);
            if (named.Count == 0)
            {
                problem = name.Length == 0 ? "it names no method" : "'" + tool.ContainingType.Name + "' has no method named '" + name + "'";
                return null;
            }

            problem = null;
            foreach (IMethodSymbol candidate in named.OrderBy(m => SameShape(m, tool) ? 0 : 1))
            {
                string? candidateProblem = CandidateProblem(tool, candidate, attributes);
                if (candidateProblem == null)
                {
                    return candidate;
                }

                problem ??= candidateProblem;
            }

            return null;
        }

        /// <summary>Why <paramref name="candidate"/> cannot be <paramref name="tool"/>'s fallback, or null when it can.</summary>
        public static string? CandidateProblem(IMethodSymbol tool, IMethodSymbol candidate, ToolAttributes attributes)
        {
            string name = "'" + candidate.Name + "'";
            if (SymbolEqualityComparer.Default.Equals(ToolAnnotations.Declaration(candidate), ToolAnnotations.Declaration(tool)))
            {
                return "it names the tool itself";
            }

            if (!SameShape(candidate, tool))
            {
                return name + " takes " + Signatures.Parameters(candidate) + " and returns " + Signatures.Type(candidate.ReturnType)
                    + ", but the tool takes " + Signatures.Parameters(tool) + " and returns " + Signatures.Type(tool.ReturnType);
            }

            if (tool.IsStatic && !candidate.IsStatic)
            {
                return name + " is an instance method but the tool is static, so there is no instance to call it on";
            }

            if (tool.ReturnType.IsRefLikeType)
            {
                return "the tool returns the ref struct '" + Signatures.Type(tool.ReturnType) + "', which the guard cannot return from a fallback";
            }

            if (attributes.AnnotationsOf(candidate).IsPrivileged)
            {
                return name + " is itself privileged; a fallback is the degraded path and must not act with consequences";
            }

            string? unreachable = GeneratedCodeAccess.Problem(candidate, tool.ContainingType, attributes.Compilation);
            return unreachable == null ? null : name + " " + unreachable;
        }

        /// <summary>Ordinary methods named <paramref name="name"/> of the type and its base types, nearest first.</summary>
        public static List<IMethodSymbol> MethodsNamed(INamedTypeSymbol type, string name)
        {
            var methods = new List<IMethodSymbol>();
            for (INamedTypeSymbol? current = type; current != null; current = current.BaseType)
            {
                methods.AddRange(current.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary));
            }

            return methods;
        }

        /// <summary>
        /// Same type parameters, parameters and return type. A generic candidate is compared with its type parameters
        /// replaced by the tool's (<c>T Draft&lt;T&gt;(T x)</c> fits <c>T Run&lt;T&gt;(T x)</c>).
        /// </summary>
        private static bool SameShape(IMethodSymbol candidate, IMethodSymbol tool)
        {
            if (candidate.Arity != tool.Arity || candidate.Parameters.Length != tool.Parameters.Length || candidate.ReturnsByRef != tool.ReturnsByRef)
            {
                return false;
            }

            IMethodSymbol constructed = candidate.IsGenericMethod ? candidate.OriginalDefinition.Construct(tool.TypeArguments.ToArray()) : candidate;
            return Signatures.SameParameters(constructed, tool, tool.Parameters.Length)
                && SymbolEqualityComparer.Default.Equals(constructed.ReturnType, tool.ReturnType);
        }
    }
}
