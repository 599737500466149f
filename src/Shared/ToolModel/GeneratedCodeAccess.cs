// Shared by the analyzers and the generator (netstandard2.0).
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>
    /// Whether generated code (in the same assembly) can call a member on behalf of a tool: directly when it is
    /// accessible anywhere in the assembly, else through an <c>[UnsafeAccessor]</c>, which reaches members of a
    /// type itself (not of its base types), and which the generator cannot write for generic methods, members
    /// of generic types, interface members or members of file-local types.
    /// </summary>
    internal static class GeneratedCodeAccess
    {
        /// <summary>Whether generated code may name and call <paramref name="member"/> directly.</summary>
        public static bool IsAccessible(ISymbol member, Compilation compilation) =>
            compilation.IsSymbolAccessibleWithin(member, compilation.Assembly);

        /// <summary>
        /// Null when generated code can call <paramref name="member"/>, looked up on <paramref name="owner"/> (the
        /// type it is reached through); else why not, as a predicate ("is private in 'T', ...").
        /// </summary>
        public static string? Problem(IMethodSymbol member, INamedTypeSymbol owner, Compilation compilation)
        {
            if (IsAccessible(member, compilation))
            {
                return null;
            }

            string where = "is " + Accessibility(member) + " in '" + member.ContainingType.Name + "'";
            if (!SymbolEqualityComparer.Default.Equals(member.ContainingType.OriginalDefinition, owner.OriginalDefinition))
            {
                return where + ", so the generated guard cannot call it; make it internal, or declare it on '" + owner.Name + "'";
            }

            if (member.IsGenericMethod || IsInGenericType(owner))
            {
                return where + " and generic (or of a generic type), which the generated guard cannot reach through [UnsafeAccessor]; make it internal";
            }

            if (owner.TypeKind == TypeKind.Interface)
            {
                return where + ", an interface, whose non-public members the generated guard cannot call; make it internal";
            }

            return IsFileLocal(owner) ? where + ", a file-local type, which generated code cannot name; make the type internal" : null;
        }

        /// <summary>"private", "protected", "private protected" (for messages).</summary>
        public static string Accessibility(ISymbol symbol) =>
            symbol.DeclaredAccessibility switch
            {
                Microsoft.CodeAnalysis.Accessibility.Private => "private",
                Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
                Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
                _ => "not accessible",
            };

        /// <summary>Whether the type or one that contains it is generic.</summary>
        public static bool IsInGenericType(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t != null; t = t.ContainingType)
            {
                if (t.IsGenericType)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsFileLocal(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t != null; t = t.ContainingType)
            {
                if (t.IsFileLocal)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
