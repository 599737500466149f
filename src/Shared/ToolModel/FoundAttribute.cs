// Shared by the analyzers and the generator (netstandard2.0).
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>An attribute and the member (or, for a class-level category, the member whose type) it is on.</summary>
    internal sealed class FoundAttribute
    {
        public FoundAttribute(AttributeData attribute, IMethodSymbol member, bool fromType)
        {
            Attribute = attribute;
            Member = member;
            FromType = fromType;
        }

        public AttributeData Attribute { get; }

        /// <summary>The method that declares it (the method itself, or a member it overrides or implements).</summary>
        public IMethodSymbol Member { get; }

        /// <summary>Whether it is the class-level [QuotaCategory] of <see cref="Member"/>'s type.</summary>
        public bool FromType { get; }

        /// <summary>Whether the method itself declares it (not a member it inherits from).</summary>
        public bool IsOwnOf(IMethodSymbol method) =>
            SymbolEqualityComparer.Default.Equals(Member, ToolAnnotations.Declaration(method));
    }
}
