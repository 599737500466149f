// Shared by the analyzers and the generator (netstandard2.0).
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>Compares and describes method signatures for the fallback and estimator rules.</summary>
    internal static class Signatures
    {
        private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

        /// <summary>Whether the first <paramref name="count"/> parameters of both methods have the same types and ref kinds.</summary>
        public static bool SameParameters(IMethodSymbol a, IMethodSymbol b, int count)
        {
            if (a.Parameters.Length < count || b.Parameters.Length < count)
            {
                return false;
            }

            for (int i = 0; i < count; i++)
            {
                if (a.Parameters[i].RefKind != b.Parameters[i].RefKind
                    || !SymbolEqualityComparer.Default.Equals(a.Parameters[i].Type, b.Parameters[i].Type))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Same parameters and the same return type.</summary>
        public static bool SameSignature(IMethodSymbol a, IMethodSymbol b) =>
            a.Parameters.Length == b.Parameters.Length
            && a.Arity == b.Arity
            && SameParameters(a, b, a.Parameters.Length)
            && a.ReturnsByRef == b.ReturnsByRef
            && SymbolEqualityComparer.Default.Equals(a.ReturnType, b.ReturnType);

        /// <summary>"(string orderId, decimal amount)".</summary>
        public static string Parameters(IMethodSymbol method) =>
            "(" + string.Join(", ", method.Parameters.Select(p => Prefix(p.RefKind) + p.Type.ToDisplayString(TypeFormat) + " " + p.Name)) + ")";

        public static string Type(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

        private static string Prefix(RefKind kind)
        {
            switch (kind)
            {
                case RefKind.Ref: return "ref ";
                case RefKind.Out: return "out ";
                case RefKind.In: return "in ";
                default: return string.Empty;
            }
        }
    }
}
