using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators.Helpers
{
    /// <summary>
    /// A declaration with some of our attributes, as the parsers read it: what <c>GeneratorAttributeSyntaxContext</c>
    /// carries (which only Roslyn can create), built by <see cref="GuardGenerator"/>'s own annotated-member step.
    /// </summary>
    internal readonly struct AttributeTarget
    {
        public AttributeTarget(SyntaxNode targetNode, ISymbol targetSymbol, SemanticModel semanticModel, ImmutableArray<AttributeData> attributes)
        {
            TargetNode = targetNode;
            TargetSymbol = targetSymbol;
            SemanticModel = semanticModel;
            Attributes = attributes;
        }

        /// <summary>The declaration's syntax (a method, accessor, local function, lambda, ...).</summary>
        public SyntaxNode TargetNode { get; }

        /// <summary>The declared symbol.</summary>
        public ISymbol TargetSymbol { get; }

        /// <summary>The semantic model of the declaration's file.</summary>
        public SemanticModel SemanticModel { get; }

        /// <summary>The attributes of the one kind being parsed, applied on this declaration.</summary>
        public ImmutableArray<AttributeData> Attributes { get; }
    }
}
