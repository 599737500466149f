// Shared by the analyzers and the generator (netstandard2.0).
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.ToolModel
{
    /// <summary>
    /// The tool attributes of one compilation, resolved once by metadata name and matched by symbol (never by
    /// name), and the annotations of each method read through them. The generator and the analyzers take the
    /// same instance for a compilation (<see cref="For"/>), so they read a method's annotations the same way.
    /// </summary>
    internal sealed class ToolAttributes
    {
        private static readonly ConditionalWeakTable<Compilation, ToolAttributes> ByCompilation = new ConditionalWeakTable<Compilation, ToolAttributes>();

        private readonly ConcurrentDictionary<IMethodSymbol, ToolAnnotations> _annotations =
            new ConcurrentDictionary<IMethodSymbol, ToolAnnotations>(SymbolEqualityComparer.Default);

        private ToolAttributes(Compilation compilation)
        {
            Compilation = compilation;
            AgentTool = compilation.GetTypeByMetadataName(WellKnownNames.AgentToolAttribute);
            QuotaCategory = compilation.GetTypeByMetadataName(WellKnownNames.QuotaCategoryAttribute);
            Cost = compilation.GetTypeByMetadataName(WellKnownNames.CostAttribute);
            Privileged = compilation.GetTypeByMetadataName(WellKnownNames.PrivilegedAttribute);
            Fallback = compilation.GetTypeByMetadataName(WellKnownNames.FallbackAttribute);
            AgentLoop = compilation.GetTypeByMetadataName(WellKnownNames.AgentLoopAttribute);
            KernelFunction = compilation.GetTypeByMetadataName(WellKnownNames.SkKernelFunctionAttribute);
            McpServerTool = compilation.GetTypeByMetadataName(WellKnownNames.McpServerToolAttribute);
        }

        public Compilation Compilation { get; }

        public INamedTypeSymbol? AgentTool { get; }

        public INamedTypeSymbol? QuotaCategory { get; }

        public INamedTypeSymbol? Cost { get; }

        public INamedTypeSymbol? Privileged { get; }

        public INamedTypeSymbol? Fallback { get; }

        public INamedTypeSymbol? AgentLoop { get; }

        public INamedTypeSymbol? KernelFunction { get; }

        public INamedTypeSymbol? McpServerTool { get; }

        /// <summary>Whether the compilation references the AgentQuotas runtime (its attributes).</summary>
        public bool HasRuntime => Cost != null || QuotaCategory != null || Privileged != null || AgentTool != null || AgentLoop != null;

        /// <summary>The attributes of <paramref name="compilation"/>, resolved on first use and shared by every caller.</summary>
        public static ToolAttributes For(Compilation compilation) => ByCompilation.GetValue(compilation, c => new ToolAttributes(c));

        /// <summary>Which tool attribute <paramref name="attribute"/> is, or <see cref="ToolAttributeKind.None"/>.</summary>
        public ToolAttributeKind KindOf(AttributeData attribute)
        {
            INamedTypeSymbol? type = attribute.AttributeClass;
            if (type == null || type.TypeKind == TypeKind.Error)
            {
                return ToolAttributeKind.None;
            }

            if (Is(type, Cost))
            {
                return ToolAttributeKind.Cost;
            }

            if (Is(type, QuotaCategory))
            {
                return ToolAttributeKind.QuotaCategory;
            }

            if (Is(type, Privileged))
            {
                return ToolAttributeKind.Privileged;
            }

            if (Is(type, AgentTool))
            {
                return ToolAttributeKind.AgentTool;
            }

            if (Is(type, Fallback))
            {
                return ToolAttributeKind.Fallback;
            }

            if (Is(type, AgentLoop))
            {
                return ToolAttributeKind.AgentLoop;
            }

            if (Is(type, KernelFunction))
            {
                return ToolAttributeKind.KernelFunction;
            }

            return Is(type, McpServerTool) ? ToolAttributeKind.McpServerTool : ToolAttributeKind.None;
        }

        /// <summary>Whether the attribute is one of the runtime's own (not a framework's).</summary>
        public bool IsRuntimeAttribute(AttributeData attribute) =>
            KindOf(attribute) is ToolAttributeKind.Cost or ToolAttributeKind.QuotaCategory or ToolAttributeKind.Privileged
                or ToolAttributeKind.AgentTool or ToolAttributeKind.Fallback or ToolAttributeKind.AgentLoop;

        /// <summary>The first attribute of the given kind on <paramref name="symbol"/> itself (not inherited), or null.</summary>
        public AttributeData? Find(ISymbol symbol, ToolAttributeKind kind)
        {
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (KindOf(attribute) == kind)
                {
                    return attribute;
                }
            }

            return null;
        }

        /// <summary>What applies to <paramref name="method"/>: its own annotations and those it inherits (cached per method).</summary>
        public ToolAnnotations AnnotationsOf(IMethodSymbol method)
        {
            IMethodSymbol declared = ToolAnnotations.Declaration(method);
            return _annotations.GetOrAdd(declared, m => ToolAnnotations.Read(m, this));
        }

        /// <summary>A named argument's value when it is written and of type <typeparamref name="T"/>; default otherwise.</summary>
        public static T Named<T>(AttributeData attribute, string name)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is T value)
                {
                    return value;
                }
            }

            return default!;
        }

        /// <summary>A named argument as written, or null when it is not.</summary>
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

        /// <summary>The first constructor argument when it is a string.</summary>
        public static string? FirstString(AttributeData attribute) =>
            attribute.ConstructorArguments.Length > 0 && !attribute.ConstructorArguments[0].IsNull
                ? attribute.ConstructorArguments[0].Value as string
                : null;

        /// <summary>
        /// The names a [Fallback] gives, in order: its first argument, then the entries of its <c>params</c> array (each
        /// null or missing name as empty). Entry <c>i</c> is the attribute's <c>i</c>-th argument in source.
        /// </summary>
        public static List<string> FallbackNames(AttributeData attribute)
        {
            var names = new List<string> { FirstString(attribute) ?? string.Empty };
            if (attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Kind == TypedConstantKind.Array
                && !attribute.ConstructorArguments[1].IsNull)
            {
                foreach (TypedConstant more in attribute.ConstructorArguments[1].Values)
                {
                    names.Add(more.IsNull ? string.Empty : more.Value as string ?? string.Empty);
                }
            }

            return names;
        }

        private static bool Is(INamedTypeSymbol type, INamedTypeSymbol? wellKnown) =>
            wellKnown != null && SymbolEqualityComparer.Default.Equals(type, wellKnown);
    }
}
