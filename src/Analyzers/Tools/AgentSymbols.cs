using System.Collections.Generic;
using AgentQuotas.Diagnostics;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.Tools
{
    /// <summary>
    /// The runtime's attributes and the Microsoft.Extensions.AI types, resolved once per compilation, and
    /// the questions every rule asks about a method: is it a guarded tool, is it privileged, what is its
    /// category. The answers come from the tool model the generator uses (<see cref="ToolAnnotations"/>:
    /// own and inherited annotations), so a rule never disagrees with what the generator guards. Which calls
    /// are model or tool calls is <c>ModelApis</c>' business.
    /// </summary>
    internal sealed class AgentSymbols
    {
        private AgentSymbols(Compilation compilation)
        {
            Compilation = compilation;
            Attributes = ToolAttributes.For(compilation);
            ChatClient = compilation.GetTypeByMetadataName(WellKnownNames.ChatClientInterface);
            AIFunction = compilation.GetTypeByMetadataName(WellKnownNames.AIFunction);
        }

        public Compilation Compilation { get; }

        /// <summary>The tool attributes of the compilation and the annotations of its methods (shared with the generator).</summary>
        public ToolAttributes Attributes { get; }

        public INamedTypeSymbol? AgentTool => Attributes.AgentTool;

        public INamedTypeSymbol? QuotaCategory => Attributes.QuotaCategory;

        public INamedTypeSymbol? Cost => Attributes.Cost;

        public INamedTypeSymbol? Privileged => Attributes.Privileged;

        public INamedTypeSymbol? Fallback => Attributes.Fallback;

        public INamedTypeSymbol? AgentLoop => Attributes.AgentLoop;

        public INamedTypeSymbol? ChatClient { get; }

        public INamedTypeSymbol? AIFunction { get; }

        /// <summary>Whether the compilation references the AgentQuotas runtime (its attributes).</summary>
        public bool HasRuntime => Attributes.HasRuntime;

        public static AgentSymbols Create(Compilation compilation) => new AgentSymbols(compilation);

        /// <summary>The declaration a call or reference resolves to: unreduced, unconstructed, the defining part of a partial method.</summary>
        public static IMethodSymbol Normalize(IMethodSymbol method) => ToolAnnotations.Declaration(method);

        public static AttributeData? FindAttribute(ISymbol symbol, INamedTypeSymbol? attributeType)
        {
            if (attributeType == null)
            {
                return null;
            }

            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
                {
                    return attribute;
                }
            }

            return null;
        }

        public AttributeData? FindOnMethod(IMethodSymbol method, INamedTypeSymbol? attributeType) => FindAttribute(Normalize(method), attributeType);

        /// <summary>What applies to the method: its own annotations and those of the members it overrides or implements.</summary>
        public ToolAnnotations AnnotationsOf(IMethodSymbol method) => Attributes.AnnotationsOf(method);

        /// <summary>
        /// A guarded tool: a method carrying [Cost], [QuotaCategory], [Privileged] or [AgentTool], or overriding or
        /// implementing a member that does. Calls to it are intercepted.
        /// </summary>
        public bool IsGuardedTool(IMethodSymbol method) => HasRuntime && AnnotationsOf(method).IsGuarded;

        /// <summary>Whether calls to the method are intercepted: a guarded tool or an [AgentLoop] method (own or inherited).</summary>
        public bool IsIntercepted(IMethodSymbol method)
        {
            if (!HasRuntime)
            {
                return false;
            }

            ToolAnnotations notes = AnnotationsOf(method);
            return notes.IsGuarded || notes.IsLoop;
        }

        public bool IsAgentTool(IMethodSymbol method) => HasRuntime && AnnotationsOf(method).AgentTool != null;

        /// <summary>[Privileged] on the method or a member it overrides or implements (privilege is never weakened).</summary>
        public bool IsPrivileged(IMethodSymbol method) => HasRuntime && AnnotationsOf(method).IsPrivileged;

        /// <summary>Whether the method itself carries one of the tool attributes ([AgentTool], [Cost], [QuotaCategory], [Privileged]).</summary>
        public bool IsAnnotatedTool(IMethodSymbol method) => HasRuntime && AnnotationsOf(method).DeclaresTool;

        /// <summary>
        /// The method's category: its own or inherited [QuotaCategory], else its type's. Null when there is none
        /// (empty when the attribute names none).
        /// </summary>
        public string? CategoryOf(IMethodSymbol method, out AttributeData? source)
        {
            IMethodSymbol m = Normalize(method);
            source = AnnotationsOf(m).Category?.Attribute;
            if (source == null && m.ContainingType != null)
            {
                source = FindAttribute(m.ContainingType, QuotaCategory);
            }

            return source == null ? null : FirstStringArgument(source) ?? string.Empty;
        }

        public static string? FirstStringArgument(AttributeData attribute) => ToolAttributes.FirstString(attribute);

        public static TypedConstant? NamedArgument(AttributeData attribute, string name) => ToolAttributes.NamedArgument(attribute, name);

        /// <summary>"Type.Method" as developers write it.</summary>
        public static string Display(IMethodSymbol method)
        {
            IMethodSymbol m = method.ReducedFrom ?? method;
            if (m.MethodKind == MethodKind.LocalFunction || m.ContainingType == null)
            {
                return m.Name;
            }

            return m.ContainingType.Name + "." + m.Name;
        }
    }
}
