using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators
{
    // Agent tools made into guarded AIFunctions: [AgentTool] methods, and [KernelFunction] / [McpServerTool]
    // methods that carry a budget ([Cost], [QuotaCategory], [Privileged]). Names and descriptions follow
    // the framework that names the tool; framework-supplied parameters are bound from the invocation, as
    // Microsoft.Extensions.AI's AIFunctionFactory (and Semantic Kernel, for Kernel) bind them.
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            private const string KernelTypeName = "Microsoft.SemanticKernel.Kernel";

            // For typeof(...): no nullable reference annotations, tuples as ValueTuple (no element names).
            private static readonly SymbolDisplayFormat RuntimeTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
                .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.ExpandValueTuple);

            /// <summary>Describes an [AgentTool] method for an AIFunction.</summary>
            public static AIToolModel? ParseAgentTool(AttributeTarget context, CancellationToken ct) =>
                context.TargetSymbol is IMethodSymbol method ? ParseTool(method, context.SemanticModel.Compilation, ct) : null;

            /// <summary>
            /// Describes a [KernelFunction] or [McpServerTool] method that carries a budget, for an AIFunction;
            /// null when it carries none (then it is not an AgentQuotas tool: analyzer AQ0001 reports it) or
            /// when an attribute that comes first ([AgentTool], then [KernelFunction]) already describes it.
            /// </summary>
            public static AIToolModel? ParseFrameworkTool(AttributeTarget context, CancellationToken ct)
            {
                if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.FirstOrDefault()?.AttributeClass is not INamedTypeSymbol attribute)
                {
                    return null;
                }

                ToolAttributes attributes = ToolAttributes.For(context.SemanticModel.Compilation);
                bool isMcp = attributes.KindOf(context.Attributes[0]) == ToolAttributeKind.McpServerTool;
                foreach (AttributeData a in method.GetAttributes())
                {
                    ToolAttributeKind kind = attributes.KindOf(a);
                    if (kind == ToolAttributeKind.AgentTool || (isMcp && kind == ToolAttributeKind.KernelFunction))
                    {
                        return null;
                    }
                }

                return attributes.AnnotationsOf(method).IsGuarded ? ParseTool(method, context.SemanticModel.Compilation, ct) : null;
            }

            private static AIToolModel? ParseTool(IMethodSymbol method, Compilation compilation, CancellationToken ct)
            {
                if (HasErrorType(method))
                {
                    return null; // the compiler reports the unresolved type in the user's code; generating around it would only add errors
                }

                INamedTypeSymbol type = method.ContainingType;
                ToolAnnotations notes = ToolAttributes.For(compilation).AnnotationsOf(method);
                DocComment docs = DocComment.For(method, ct);
                string functionName = FunctionName(method, notes);
                string description = ToolDescription(method, notes, docs);
                string classKey = FileHint(type);
                string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
                string className = NestedName(type);
                bool isPublic = EffectiveAccessibility(type) == Accessibility.Public;
                LocationInfo? where = LocationInfo.From(method.Locations.FirstOrDefault() ?? Microsoft.CodeAnalysis.Location.None);

                var arguments = new List<AIArgumentModel>();
                var schema = new JsonSchemaWriter();
                string? problem = AIFunctionProblem(method, compilation);
                foreach (IParameterSymbol p in problem is null ? method.Parameters : Enumerable.Empty<IParameterSymbol>())
                {
                    ArgumentBinding binding = Binding(p.Type, compilation);
                    bool allowNull = p.Type.IsReferenceType ? p.NullableAnnotation != NullableAnnotation.NotAnnotated : IsNullableValueType(p.Type);
                    string? defaultValue = null;
                    if (p.HasExplicitDefaultValue && DefaultValueExpression(p) is not string expression)
                    {
                        problem = $"the default value of parameter '{p.Name}' cannot be written in generated code";
                        break;
                    }
                    else if (p.HasExplicitDefaultValue)
                    {
                        defaultValue = DefaultValueExpression(p);
                    }

                    if (binding == ArgumentBinding.Json)
                    {
                        string? paramDescription = DescriptionAttribute(p) ?? docs.Parameter(p.Name);
                        schema.AddProperty(p.Name, p.Type, paramDescription, p.HasExplicitDefaultValue, p.HasExplicitDefaultValue ? p.ExplicitDefaultValue : null, allowNull);
                    }

                    arguments.Add(new AIArgumentModel(NameScope.Escape(p.Name), p.Name, p.Type.ToDisplayString(TypeFormat), RuntimeType(p.Type), binding,
                        !p.HasExplicitDefaultValue, allowNull, defaultValue));
                }

                MethodModel? model = null;
                if (problem is null)
                {
                    model = DescribeMethod(method, compilation, notes, out problem, ct);
                }

                if ((problem is not null || model is null) && notes.AgentTool is null)
                {
                    // A [KernelFunction] / [McpServerTool] tool reaches models through its framework, guarded by the
                    // integration; the generated AIFunction is an extra, and its absence is not worth a warning.
                    return null;
                }

                if (problem is not null || model is null)
                {
                    return new AIToolModel(classKey, string.Empty, ns, className, type.IsStatic, isPublic, functionName, description, string.Empty,
                        EquatableArray<AIArgumentModel>.Empty, null,
                        Diagnostic(DiagnosticKind.CannotCreateAIFunction, where, DisplayName(method), problem ?? "its signature cannot be described"));
                }

                return new AIToolModel(classKey, type.ToDisplayString(TypeFormat), ns, className, type.IsStatic, isPublic, functionName, description,
                    schema.Build(), arguments.ToEquatableArray(), model, null);
            }

            /// <summary>The tool name in audit and telemetry: as the model knows it, else Type.Method.</summary>
            internal static string ToolName(IMethodSymbol method, ToolAnnotations notes) => ExplicitOrFrameworkName(method, notes) ?? DisplayName(method);

            /// <summary>The name a model sees: [AgentTool]'s, else the framework's ([KernelFunction], [McpServerTool]), else the method name.</summary>
            private static string FunctionName(IMethodSymbol method, ToolAnnotations notes) => ExplicitOrFrameworkName(method, notes) ?? method.Name;

            private static string? ExplicitOrFrameworkName(IMethodSymbol method, ToolAnnotations notes)
            {
                if (notes.AgentTool?.Attribute.ConstructorArguments.FirstOrDefault().Value is string { Length: > 0 } named && !string.IsNullOrWhiteSpace(named))
                {
                    return named;
                }

                if (notes.KernelFunction is FoundAttribute kernel)
                {
                    // Semantic Kernel: the attribute's name, else the method name with "Async" dropped from an awaitable method.
                    string? explicitName = (kernel.Attribute.ConstructorArguments.FirstOrDefault().Value as string)?.Trim();
                    return string.IsNullOrEmpty(explicitName) ? WithoutAsync(method, SanitizeFunctionName(method.Name)) : explicitName;
                }

                if (notes.McpServerTool is FoundAttribute mcp)
                {
                    // ModelContextProtocol: Name, else AIFunctionFactory's name in snake_case.
                    string? explicitName = Named<string?>(mcp.Attribute, "Name");
                    return string.IsNullOrWhiteSpace(explicitName) ? SnakeCase(WithoutAsync(method, SanitizeFunctionName(method.Name))) : explicitName;
                }

                return null;
            }

            /// <summary>What the model is told: [AgentTool]'s description, else [Description] on the method, else the XML summary.</summary>
            private static string ToolDescription(IMethodSymbol method, ToolAnnotations notes, DocComment docs)
            {
                if (notes.AgentTool?.Attribute.ConstructorArguments.ElementAtOrDefault(1).Value is string { Length: > 0 } text && !string.IsNullOrWhiteSpace(text))
                {
                    return text;
                }

                for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
                {
                    if (DescriptionAttribute(m) is string described)
                    {
                        return described;
                    }
                }

                return docs.Summary ?? string.Empty;
            }

            private static string WithoutAsync(IMethodSymbol method, string name)
            {
                bool awaitable = ClassifyReturn(method.ReturnType, out _) is not (ReturnKind.Void or ReturnKind.Value)
                    || method.ReturnType is INamedTypeSymbol { MetadataName: "IAsyncEnumerable`1" } stream && stream.ContainingNamespace.ToDisplayString() == "System.Collections.Generic";
                return awaitable && name.EndsWith("Async", System.StringComparison.Ordinal) && name.Length > "Async".Length
                    ? name.Substring(0, name.Length - "Async".Length)
                    : name;
            }

            private static string SanitizeFunctionName(string name)
            {
                var builder = new StringBuilder(name.Length);
                foreach (char c in name)
                {
                    builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
                }

                return builder.ToString();
            }

            /// <summary>snake_case as System.Text.Json's SnakeCaseLower policy writes it ("XMLReader" is "xml_reader").</summary>
            internal static string SnakeCase(string name)
            {
                var builder = new StringBuilder(name.Length + 4);
                const int NotStarted = 0, Upper = 1, LowerOrDigit = 2, Space = 3;
                int state = NotStarted;
                for (int i = 0; i < name.Length; i++)
                {
                    char c = name[i];
                    switch (char.GetUnicodeCategory(c))
                    {
                        case UnicodeCategory.UppercaseLetter:
                            if (state is LowerOrDigit or Space || (state == Upper && i + 1 < name.Length && char.IsLower(name[i + 1])))
                            {
                                builder.Append('_');
                            }

                            builder.Append(char.ToLowerInvariant(c));
                            state = Upper;
                            break;
                        case UnicodeCategory.LowercaseLetter:
                        case UnicodeCategory.DecimalDigitNumber:
                            if (state == Space)
                            {
                                builder.Append('_');
                            }

                            builder.Append(c);
                            state = LowerOrDigit;
                            break;
                        case UnicodeCategory.SpaceSeparator:
                            if (state != NotStarted)
                            {
                                state = Space;
                            }

                            break;
                        default:
                            builder.Append(c);
                            state = NotStarted;
                            break;
                    }
                }

                return builder.ToString();
            }

            private static ArgumentBinding Binding(ITypeSymbol type, Compilation compilation)
            {
                if (IsCancellationToken(type))
                {
                    return ArgumentBinding.CancellationToken;
                }

                string full = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
                return full switch
                {
                    "System.IServiceProvider" => ArgumentBinding.ServiceProvider,
                    "Microsoft.Extensions.AI.AIFunctionArguments" => ArgumentBinding.Arguments,
                    KernelTypeName when compilation.GetTypeByMetadataName(KernelTypeName) is not null => ArgumentBinding.Kernel,
                    _ => ArgumentBinding.Json,
                };
            }

            private static string? AIFunctionProblem(IMethodSymbol method, Compilation compilation)
            {
                if (method.IsGenericMethod)
                {
                    return "generic methods cannot be described to a model";
                }

                if (ContainingTypes(method.ContainingType).Any(t => t.IsGenericType))
                {
                    return "tools of generic types cannot be exposed as AIFunctions";
                }

                if (method.ContainingType.TypeKind == TypeKind.Interface)
                {
                    return "interface members have no instance to call; the AIFunctions of the classes that implement them are generated";
                }

                if (method.IsAbstract)
                {
                    return "abstract methods have no body to call; the AIFunctions of the overriding classes are generated";
                }

                if (method.Parameters.Any(p => p.RefKind is RefKind.Ref or RefKind.Out))
                {
                    return "ref and out parameters cannot be passed by a model";
                }

                if (method.Parameters.Any(p => p.Type.IsRefLikeType || ContainsPointer(p.Type)))
                {
                    return "pointer and ref struct parameters cannot be passed by a model";
                }

                if (method.IsExtensionMethod)
                {
                    return "extension methods cannot be exposed as AIFunctions; declare the tool on its class";
                }

                if (method.ReturnType.IsRefLikeType)
                {
                    return "a ref struct result cannot be returned to a model";
                }

                Accessibility reach = EffectiveAccessibility(method.ContainingType);
                if (reach is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return "its class is private or protected inside another type, so the generated AIFunctions cannot name it; make it internal";
                }

                if (FirstFileLocal(method.ContainingType) is not null)
                {
                    return "its class is file-local, so the generated factory cannot name it";
                }

                if (!method.IsStatic && method.ContainingType.IsValueType)
                {
                    return "tools of value types cannot be exposed as AIFunctions";
                }

                return SignatureProblem(method, compilation);
            }

            // typeof(dynamic) is not C#: dynamic reads as object (the same runtime type).
            private static string RuntimeType(ITypeSymbol type) =>
                type.TypeKind == TypeKind.Dynamic ? "object" : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(RuntimeTypeFormat);

            private static string? DescriptionAttribute(ISymbol symbol)
            {
                foreach (AttributeData a in symbol.GetAttributes())
                {
                    if (a.AttributeClass is { Name: "DescriptionAttribute" } c && c.ContainingNamespace?.ToDisplayString() == "System.ComponentModel"
                        && a.ConstructorArguments.FirstOrDefault().Value is string text)
                    {
                        return text;
                    }
                }

                return null;
            }

            /// <summary>The C# expression of a parameter's default value, or null when it cannot be written (then no AIFunction).</summary>
            private static string? DefaultValueExpression(IParameterSymbol p)
            {
                object? value = p.ExplicitDefaultValue;
                ITypeSymbol type = p.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : p.Type;
                if (value is null)
                {
                    return "default";
                }

                string? literal = value switch
                {
                    double d => CSharpText.Double(d),
                    float f => CSharpText.Single(f),
                    decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
                    long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                    ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
                    uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
                    int or short or ushort or byte or sbyte => System.Convert.ToString(value, CultureInfo.InvariantCulture),
                    bool b => b ? "true" : "false",
                    char c => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true),
                    string s => CSharpText.String(s),
                    _ => null,
                };
                if (literal is null)
                {
                    return null;
                }

                // Parenthesised, so '(global::E)(-1)' never reads as a subtraction.
                return "(" + type.ToDisplayString(TypeFormat) + ")(" + literal + ")";
            }
        }
    }
}
