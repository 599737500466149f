using System;
using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentCalls;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Analyzers.Tools
{
    /// <summary>
    /// The runtime's attributes and the Microsoft.Extensions.AI types, resolved once per compilation, and
    /// the questions every rule asks about a method: is it a guarded tool, what is its category. Which calls
    /// are model or tool calls is <see cref="ModelApis"/>' business.
    /// </summary>
    internal sealed class AgentSymbols
    {
        private AgentSymbols(Compilation compilation)
        {
            Compilation = compilation;
            AgentTool = compilation.GetTypeByMetadataName(WellKnownNames.AgentToolAttribute);
            QuotaCategory = compilation.GetTypeByMetadataName(WellKnownNames.QuotaCategoryAttribute);
            Cost = compilation.GetTypeByMetadataName(WellKnownNames.CostAttribute);
            Privileged = compilation.GetTypeByMetadataName(WellKnownNames.PrivilegedAttribute);
            Fallback = compilation.GetTypeByMetadataName(WellKnownNames.FallbackAttribute);
            AgentLoop = compilation.GetTypeByMetadataName(WellKnownNames.AgentLoopAttribute);
            ChatClient = compilation.GetTypeByMetadataName(WellKnownNames.ChatClientInterface);
            AIFunction = compilation.GetTypeByMetadataName(WellKnownNames.AIFunction);
        }

        public Compilation Compilation { get; }

        public INamedTypeSymbol? AgentTool { get; }

        public INamedTypeSymbol? QuotaCategory { get; }

        public INamedTypeSymbol? Cost { get; }

        public INamedTypeSymbol? Privileged { get; }

        public INamedTypeSymbol? Fallback { get; }

        public INamedTypeSymbol? AgentLoop { get; }

        public INamedTypeSymbol? ChatClient { get; }

        public INamedTypeSymbol? AIFunction { get; }

        /// <summary>Whether the compilation references the AgentQuotas runtime (its attributes).</summary>
        public bool HasRuntime => Cost != null || QuotaCategory != null || Privileged != null || AgentTool != null || AgentLoop != null;

        public static AgentSymbols Create(Compilation compilation) => new AgentSymbols(compilation);

        /// <summary>The declaration a call or reference resolves to: unreduced, unconstructed, the defining part of a partial method.</summary>
        public static IMethodSymbol Normalize(IMethodSymbol method)
        {
            IMethodSymbol result = method.ReducedFrom ?? method;
            result = result.OriginalDefinition;
            return result.PartialDefinitionPart ?? result;
        }

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

        /// <summary>A guarded tool: a method carrying [Cost], [QuotaCategory] or [Privileged]. Calls to it are intercepted.</summary>
        public bool IsGuardedTool(IMethodSymbol method)
        {
            if (Cost == null && QuotaCategory == null && Privileged == null)
            {
                return false;
            }

            IMethodSymbol m = Normalize(method);
            foreach (AttributeData attribute in m.GetAttributes())
            {
                INamedTypeSymbol? type = attribute.AttributeClass;
                if (SymbolEqualityComparer.Default.Equals(type, Cost)
                    || SymbolEqualityComparer.Default.Equals(type, QuotaCategory)
                    || SymbolEqualityComparer.Default.Equals(type, Privileged))
                {
                    return true;
                }
            }

            return false;
        }

        public bool IsAgentTool(IMethodSymbol method) => FindOnMethod(method, AgentTool) != null;

        public bool IsPrivileged(IMethodSymbol method) => FindOnMethod(method, Privileged) != null;

        /// <summary>Whether the method carries any of the tool attributes ([AgentTool], [Cost], [QuotaCategory], [Privileged]).</summary>
        public bool IsAnnotatedTool(IMethodSymbol method) => IsAgentTool(method) || IsGuardedTool(method);

        /// <summary>The method's category: its own [QuotaCategory], else its type's. Null when neither has one.</summary>
        public string? CategoryOf(IMethodSymbol method, out AttributeData? source)
        {
            IMethodSymbol m = Normalize(method);
            source = FindAttribute(m, QuotaCategory);
            if (source == null && m.ContainingType != null)
            {
                source = FindAttribute(m.ContainingType, QuotaCategory);
            }

            return source == null ? null : FirstStringArgument(source) ?? string.Empty;
        }

        public static string? FirstStringArgument(AttributeData attribute) =>
            attribute.ConstructorArguments.Length > 0 && !attribute.ConstructorArguments[0].IsNull
                ? attribute.ConstructorArguments[0].Value as string
                : null;

        public static TypedConstant? NamedArgument(AttributeData attribute, string name)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    return argument.Value;
                }
            }

            return null;
        }

        /// <summary>
        /// Whether generated code can call the method on behalf of a tool of <paramref name="toolType"/>: it is
        /// accessible anywhere in the assembly, or it is declared on the tool's own type, whose non-public
        /// members the generated guard reaches through [UnsafeAccessor] (which looks only at the type itself,
        /// not at its base types).
        /// </summary>
        public bool IsReachableFromGeneratedCode(IMethodSymbol method, INamedTypeSymbol toolType)
        {
            if (Compilation.IsSymbolAccessibleWithin(method, Compilation.Assembly))
            {
                return true;
            }

            return SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, toolType.OriginalDefinition);
        }

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
