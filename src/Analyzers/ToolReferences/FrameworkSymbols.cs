using System.Collections.Generic;
using System.Linq;
using AgentQuotas.Analyzers.AgentLoops;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.ToolReferences
{
    /// <summary>
    /// The agent frameworks' tool attributes, the calls that hand tools to a framework which then calls them
    /// by reflection or through a delegate (where no interceptor runs), and the AgentQuotas integrations that
    /// guard those calls. Resolved by metadata name once per compilation; absent frameworks resolve to null.
    /// </summary>
    internal sealed class FrameworkSymbols
    {
        private static readonly HashSet<string> HandoffNames = new HashSet<string>(System.StringComparer.Ordinal)
        {
            // Semantic Kernel (KernelExtensions, KernelPluginFactory, KernelFunctionFactory)
            "AddFromObject", "AddFromType", "ImportPluginFromObject", "ImportPluginFromType", "CreatePluginFromObject", "CreatePluginFromType",
            "CreateFromObject", "CreateFromType", "CreateFromMethod", "CreateFunctionFromMethod",

            // Microsoft.Extensions.AI (AIFunctionFactory) and MCP (McpServerTool)
            "Create",

            // MCP server builder (McpServerBuilderExtensions)
            "WithTools", "WithToolsFromAssembly",
        };

        private readonly Compilation _compilation;
        private readonly INamedTypeSymbol?[] _integrations;

        private FrameworkSymbols(Compilation compilation)
        {
            _compilation = compilation;
            KernelFunctionAttribute = compilation.GetTypeByMetadataName(WellKnownNames.SkKernelFunctionAttribute);
            McpServerToolAttribute = compilation.GetTypeByMetadataName(WellKnownNames.McpServerToolAttribute);
            McpServerToolTypeAttribute = compilation.GetTypeByMetadataName(WellKnownNames.McpServerToolTypeAttribute);
            DescriptionAttribute = compilation.GetTypeByMetadataName(WellKnownNames.DescriptionAttribute);
            AIFunctionFactory = compilation.GetTypeByMetadataName(WellKnownNames.AIFunctionFactory);
            KernelExtensions = compilation.GetTypeByMetadataName(WellKnownNames.SkKernelExtensions);
            KernelPluginFactory = compilation.GetTypeByMetadataName(WellKnownNames.SkKernelPluginFactory);
            KernelFunctionFactory = compilation.GetTypeByMetadataName(WellKnownNames.SkKernelFunctionFactory);
            McpServerBuilderExtensions = compilation.GetTypeByMetadataName(WellKnownNames.McpServerBuilderExtensions);
            McpServerTool = compilation.GetTypeByMetadataName(WellKnownNames.McpServerTool);
            AIFunctionIntegration = compilation.GetTypeByMetadataName(WellKnownNames.ExtensionsAIFunctionIntegration);
            _integrations = new[]
            {
                compilation.GetTypeByMetadataName(WellKnownNames.ExtensionsAIChatClientIntegration),
                compilation.GetTypeByMetadataName(WellKnownNames.SemanticKernelIntegration),
                compilation.GetTypeByMetadataName(WellKnownNames.AgentFrameworkIntegration),
                compilation.GetTypeByMetadataName(WellKnownNames.McpIntegration),
            };
        }

        public INamedTypeSymbol? KernelFunctionAttribute { get; }

        public INamedTypeSymbol? McpServerToolAttribute { get; }

        public INamedTypeSymbol? McpServerToolTypeAttribute { get; }

        public INamedTypeSymbol? DescriptionAttribute { get; }

        public INamedTypeSymbol? AIFunctionFactory { get; }

        public INamedTypeSymbol? KernelExtensions { get; }

        public INamedTypeSymbol? KernelPluginFactory { get; }

        public INamedTypeSymbol? KernelFunctionFactory { get; }

        public INamedTypeSymbol? McpServerBuilderExtensions { get; }

        public INamedTypeSymbol? McpServerTool { get; }

        public INamedTypeSymbol? AIFunctionIntegration { get; }

        /// <summary>Whether the compilation references any framework that takes tools.</summary>
        public bool HasFrameworks =>
            KernelFunctionAttribute != null || McpServerToolAttribute != null || AIFunctionFactory != null
            || KernelExtensions != null || McpServerBuilderExtensions != null;

        public static FrameworkSymbols Create(Compilation compilation) => new FrameworkSymbols(compilation);

        /// <summary>"[KernelFunction]" or "[McpServerTool]" when the method carries a framework's tool attribute, else null.</summary>
        public string? ToolAttributeOf(IMethodSymbol method)
        {
            if (KernelFunctionAttribute == null && McpServerToolAttribute == null)
            {
                return null;
            }

            if (AgentSymbols.FindAttribute(method, KernelFunctionAttribute) != null)
            {
                // The Process Framework marks a step's entry points with [KernelFunction] too; the process runs them, not a model.
                return IsProcessStep(method.ContainingType) ? null : "[KernelFunction]";
            }

            return AgentSymbols.FindAttribute(method, McpServerToolAttribute) != null ? "[McpServerTool]" : null;
        }

        /// <summary>Whether the type is a Semantic Kernel process step (derives from KernelProcessStep or KernelProcessStep&lt;TState&gt;).</summary>
        private static bool IsProcessStep(INamedTypeSymbol? type)
        {
            for (INamedTypeSymbol? current = type?.BaseType; current != null; current = current.BaseType)
            {
                if (current.Name == "KernelProcessStep"
                    && (current.TypeKind == TypeKind.Error || current.ContainingNamespace?.ToDisplayString() == "Microsoft.SemanticKernel"))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Which framework's integration a call registers, or null when it registers none.</summary>
        public AgentFramework? RegistrationOf(IMethodSymbol method)
        {
            if (method.Name != WellKnownNames.UseAgentQuotasMethod && method.Name != WellKnownNames.AddAgentQuotasMethod)
            {
                return null;
            }

            INamedTypeSymbol? type = (method.ReducedFrom ?? method).ContainingType?.OriginalDefinition;
            for (int i = 0; i < _integrations.Length; i++)
            {
                if (_integrations[i] != null && SymbolEqualityComparer.Default.Equals(type, _integrations[i]))
                {
                    return (AgentFramework)i;
                }
            }

            return null;
        }

        /// <summary>Whether the integration that guards the framework is referenced at all (if not, nothing can register it).</summary>
        public bool IsIntegrationReferenced(FrameworkKind kind)
        {
            switch (kind)
            {
                case FrameworkKind.ExtensionsAI:
                    return _integrations[(int)AgentFramework.ExtensionsAI] != null || _integrations[(int)AgentFramework.AgentFramework] != null;
                case FrameworkKind.SemanticKernel:
                    return _integrations[(int)AgentFramework.SemanticKernel] != null;
                default:
                    return _integrations[(int)AgentFramework.Mcp] != null;
            }
        }

        /// <summary>The call hands tools to a framework that invokes them by reflection or delegate; null when it does not.</summary>
        public Handoff? HandoffOf(IInvocationOperation invocation, ReflectionSymbols? reflection)
        {
            IMethodSymbol method = invocation.TargetMethod;
            if (!HandoffNames.Contains(method.Name))
            {
                return null; // the common case: one set probe per call
            }

            INamedTypeSymbol? type = (method.ReducedFrom ?? method).OriginalDefinition.ContainingType;
            if (type == null)
            {
                return null;
            }

            if (Is(type, AIFunctionFactory) && method.Name == "Create")
            {
                return MethodHandoff(invocation, FrameworkKind.ExtensionsAI, How(type, method), reflection);
            }

            if (Is(type, McpServerTool) && method.Name == "Create")
            {
                return MethodHandoff(invocation, FrameworkKind.Mcp, How(type, method), reflection);
            }

            if (Is(type, KernelFunctionFactory) || (Is(type, KernelExtensions) && method.Name == "CreateFunctionFromMethod"))
            {
                return method.Name.EndsWith("FromMethod", System.StringComparison.Ordinal)
                    ? MethodHandoff(invocation, FrameworkKind.SemanticKernel, How(type, method), reflection)
                    : null;
            }

            if (Is(type, KernelExtensions) || Is(type, KernelPluginFactory))
            {
                return TypeHandoff(invocation, FrameworkKind.SemanticKernel, How(type, method), KernelFunctionAttribute, reflection);
            }

            if (Is(type, McpServerBuilderExtensions))
            {
                if (method.Name == "WithToolsFromAssembly")
                {
                    return IsThisAssembly(invocation) ? new Handoff(FrameworkKind.Mcp, How(type, method), McpServerToolAttribute, wholeAssembly: true) : null;
                }

                return TypeHandoff(invocation, FrameworkKind.Mcp, How(type, method), McpServerToolAttribute, reflection);
            }

            return null; // File.Create, Channel.Create and the like: no string built for them
        }

        /// <summary>Whether the call's result goes straight into <c>.WithAgentQuotas()</c> (AgentQuotas.Extensions.AI), which guards it.</summary>
        public bool IsWrappedWithAgentQuotas(IInvocationOperation invocation)
        {
            if (AIFunctionIntegration == null)
            {
                return false;
            }

            IOperation current = invocation;
            while (current.Parent is IConversionOperation)
            {
                current = current.Parent;
            }

            IInvocationOperation? wrapper = current.Parent is IArgumentOperation argument ? argument.Parent as IInvocationOperation : null;
            return wrapper != null
                && wrapper.TargetMethod.Name == WellKnownNames.WithAgentQuotasMethod
                && SymbolEqualityComparer.Default.Equals((wrapper.TargetMethod.ReducedFrom ?? wrapper.TargetMethod).ContainingType?.OriginalDefinition, AIFunctionIntegration);
        }

        /// <summary>The methods a handoff exposes: those handed one by one, and the tool methods of the types handed (not a whole-assembly scan's).</summary>
        public IEnumerable<IMethodSymbol> ToolsOf(Handoff handoff)
        {
            foreach (IMethodSymbol method in handoff.Methods)
            {
                yield return method;
            }

            foreach (ITypeSymbol type in handoff.Types)
            {
                for (ITypeSymbol? current = type; current != null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
                {
                    foreach (IMethodSymbol method in current.GetMembers().OfType<IMethodSymbol>())
                    {
                        if (method.MethodKind == MethodKind.Ordinary && AgentSymbols.FindAttribute(method, handoff.ToolAttribute) != null)
                        {
                            yield return method;
                        }
                    }
                }
            }
        }

        private Handoff? MethodHandoff(IInvocationOperation invocation, FrameworkKind kind, string how, ReflectionSymbols? reflection)
        {
            IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "method");
            if (argument == null)
            {
                return null;
            }

            var handoff = new Handoff(kind, how, null, wholeAssembly: false);
            IOperation value = LoopBounds.Unwrap(argument.Value);
            while (value is IDelegateCreationOperation creation)
            {
                value = LoopBounds.Unwrap(creation.Target);
            }

            if (value is IMethodReferenceOperation reference)
            {
                handoff.Methods.Add(AgentSymbols.Normalize(reference.Method));
            }
            else if (reflection != null)
            {
                handoff.Methods.AddRange(reflection.TraceMethodInfo(value));
            }

            return handoff.Methods.Count == 0 ? null : handoff;
        }

        private Handoff? TypeHandoff(IInvocationOperation invocation, FrameworkKind kind, string how, INamedTypeSymbol? toolAttribute, ReflectionSymbols? reflection)
        {
            if (toolAttribute == null)
            {
                return null;
            }

            var handoff = new Handoff(kind, how, toolAttribute, wholeAssembly: false);
            IMethodSymbol method = invocation.TargetMethod;
            if (method.TypeArguments.Length == 1 && method.TypeArguments[0].TypeKind != TypeKind.TypeParameter)
            {
                handoff.Types.Add(method.TypeArguments[0]); // AddFromType<T>(), WithTools<T>(), AddFromObject<T>(T target, ...)
            }

            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                string? name = argument.Parameter?.Name;
                IOperation value = LoopBounds.Unwrap(argument.Value);
                if (name == "target" && value.Type != null && value.Type.SpecialType != SpecialType.System_Object && handoff.Types.Count == 0)
                {
                    handoff.Types.Add(value.Type); // AddFromObject(object target): the object's static type
                }
                else if ((name == "instanceType" || name == "toolTypes") && reflection != null)
                {
                    foreach (IOperation element in Elements(value))
                    {
                        ITypeSymbol? type = reflection.TraceType(element);
                        if (type != null)
                        {
                            handoff.Types.Add(type);
                        }
                    }
                }
            }

            return handoff.Types.Count == 0 ? null : handoff;
        }

        /// <summary>The single value, or the elements of an array or collection expression.</summary>
        private static IEnumerable<IOperation> Elements(IOperation value)
        {
            switch (value)
            {
                case IArrayCreationOperation array when array.Initializer != null:
                    return array.Initializer.ElementValues;
                case ICollectionExpressionOperation collection:
                    return collection.Elements;
                default:
                    return new[] { value };
            }
        }

        /// <summary>WithToolsFromAssembly() (the calling assembly) or WithToolsFromAssembly(typeof(T).Assembly) with T in this compilation.</summary>
        private bool IsThisAssembly(IInvocationOperation invocation)
        {
            IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "toolAssembly");
            if (argument == null || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                return true;
            }

            IOperation value = LoopBounds.Unwrap(argument.Value);
            if (value.ConstantValue.HasValue && value.ConstantValue.Value == null)
            {
                return true;
            }

            if (value is IPropertyReferenceOperation property && property.Property.Name == "Assembly" && property.Instance != null
                && LoopBounds.Unwrap(property.Instance) is ITypeOfOperation typeOf)
            {
                return SymbolEqualityComparer.Default.Equals(typeOf.TypeOperand.ContainingAssembly, _compilation.Assembly);
            }

            // Assembly.GetExecutingAssembly() / GetCallingAssembly() from here, or anything else we cannot tell: assume this one.
            return !(value is IInvocationOperation call && call.TargetMethod.Name == "GetEntryAssembly");
        }

        private static string How(INamedTypeSymbol type, IMethodSymbol method) => type.Name + "." + method.Name;

        private static bool Is(INamedTypeSymbol? type, INamedTypeSymbol? expected) =>
            expected != null && SymbolEqualityComparer.Default.Equals(type, expected);
    }
}
