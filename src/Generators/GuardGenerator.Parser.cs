using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators
{
    // Turns symbols into plain, equatable models. Nothing Roslyn-specific leaves this file except through
    // the models (strings, bools, enums, EquatableArray).
    public sealed partial class GuardGenerator
    {
        internal static class Parser
        {
            private const string AttributeNamespace = "AgentQuotas";

            private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
                .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

            // For typeof(...): nullable reference annotations are not allowed there.
            private static readonly SymbolDisplayFormat RuntimeTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

            private static readonly SymbolDisplayFormat ShortFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

            /// <summary>Cheap syntax filter: any invocation may call a guarded method.</summary>
            public static bool IsInvocation(SyntaxNode node, CancellationToken _) =>
                node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax or IdentifierNameSyntax or GenericNameSyntax or MemberBindingExpressionSyntax };

            /// <summary>Describes one invocation of a guarded or loop method, or returns null for any other call.</summary>
            public static CallSiteModel? ParseCallSite(GeneratorSyntaxContext context, CancellationToken ct)
            {
                var invocation = (InvocationExpressionSyntax)context.Node;
                if (context.SemanticModel.GetSymbolInfo(invocation, ct).Symbol is not IMethodSymbol called)
                {
                    return null;
                }

                IMethodSymbol shape = called.ReducedFrom ?? called.ConstructedFrom;
                if (!IsGuardedOrLoop(shape))
                {
                    return null;
                }

                ct.ThrowIfCancellationRequested();
                Compilation compilation = context.SemanticModel.Compilation;
                string display = DisplayName(shape);
                LocationInfo? where = LocationInfo.From(invocation.GetLocation());
                string fileHint = FileHint(shape.ContainingType);

                string? problem = CallProblem(invocation, shape, compilation) ?? ExpressionTreeProblem(invocation, context.SemanticModel, ct);
                MethodModel? method = null;
                if (problem is null)
                {
                    method = DescribeMethod(shape, compilation, out problem, ct);
                }

                if (problem is not null)
                {
                    return new CallSiteModel(fileHint, null, null, Diagnostic(DiagnosticKind.CannotIntercept, where, display, problem));
                }

                InterceptableLocation? location = context.SemanticModel.GetInterceptableLocation(invocation, ct);
                if (location is null)
                {
                    return new CallSiteModel(fileHint, null, null, Diagnostic(DiagnosticKind.CannotIntercept, where, display, "the compiler reports it as not interceptable"));
                }

                string shown = location.GetDisplayLocation();
                string path = invocation.SyntaxTree.FilePath;
                if (path.Length > 0)
                {
                    // Keep only the file name: absolute paths would make the output machine-dependent.
                    shown = shown.Replace(path, System.IO.Path.GetFileName(path));
                }

                return new CallSiteModel(fileHint, method, new InterceptLocationModel(location.Version, location.Data, shown), null);
            }

            /// <summary>Describes an [AgentTool] method for an AIFunction.</summary>
            public static AIToolModel? ParseAgentTool(GeneratorAttributeSyntaxContext context, CancellationToken ct)
            {
                if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length == 0)
                {
                    return null;
                }

                INamedTypeSymbol type = method.ContainingType;
                AttributeData tool = context.Attributes[0];
                string functionName = tool.ConstructorArguments.Length > 0 ? tool.ConstructorArguments[0].Value as string ?? method.Name : method.Name;
                string description = tool.ConstructorArguments.Length > 1 ? tool.ConstructorArguments[1].Value as string ?? string.Empty : string.Empty;
                DocComment docs = DocComment.For(method, ct);
                if (string.IsNullOrWhiteSpace(description))
                {
                    description = docs.Summary ?? string.Empty;
                }

                string classKey = FileHint(type);
                string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
                string className = NestedName(type);
                bool isPublic = EffectiveAccessibility(type) == Accessibility.Public;
                LocationInfo? where = LocationInfo.From(method.Locations.FirstOrDefault() ?? Location.None);

                string? problem = AIFunctionProblem(method, context.SemanticModel.Compilation);
                MethodModel? model = null;
                if (problem is null)
                {
                    model = DescribeMethod(method, context.SemanticModel.Compilation, out problem, ct);
                }

                if (problem is not null || model is null)
                {
                    return new AIToolModel(classKey, string.Empty, ns, className, type.IsStatic, isPublic, functionName, description, string.Empty,
                        EquatableArray<AIArgumentModel>.Empty, null,
                        Diagnostic(DiagnosticKind.CannotCreateAIFunction, where, DisplayName(method), problem ?? "its signature cannot be described"));
                }

                var arguments = new List<AIArgumentModel>();
                var schema = new JsonSchemaWriter();
                foreach (IParameterSymbol p in method.Parameters)
                {
                    if (IsCancellationToken(p.Type))
                    {
                        arguments.Add(new AIArgumentModel(EscapeIdentifier(p.Name), p.Name, p.Type.ToDisplayString(TypeFormat), p.Type.ToDisplayString(RuntimeTypeFormat), true, false, false, null));
                        continue;
                    }

                    bool allowNull = p.Type.IsReferenceType ? p.NullableAnnotation != NullableAnnotation.NotAnnotated : IsNullableValueType(p.Type);
                    string? defaultValue = p.HasExplicitDefaultValue ? DefaultValueExpression(p) : null;
                    string? paramDescription = DescriptionAttribute(p) ?? docs.Parameter(p.Name);
                    schema.AddProperty(p.Name, p.Type, paramDescription, p.HasExplicitDefaultValue, p.HasExplicitDefaultValue ? p.ExplicitDefaultValue : null, allowNull);
                    arguments.Add(new AIArgumentModel(EscapeIdentifier(p.Name), p.Name, p.Type.ToDisplayString(TypeFormat), p.Type.ToDisplayString(RuntimeTypeFormat), false, !p.HasExplicitDefaultValue, allowNull, defaultValue));
                }

                return new AIToolModel(classKey, type.ToDisplayString(TypeFormat), ns, className, type.IsStatic, isPublic, functionName, description,
                    schema.Build(), arguments.ToEquatableArray(), model, null);
            }

            /// <summary>Whether Microsoft.Extensions.AI.Abstractions is referenced, so AIFunctions can be generated.</summary>
            public static bool HasAIFunctions(Compilation compilation, CancellationToken _) =>
                compilation.GetTypeByMetadataName(WellKnownNames.AIFunction) is not null;

            private static bool IsGuardedOrLoop(IMethodSymbol method)
            {
                foreach (IMethodSymbol m in WithOverridden(method))
                {
                    foreach (AttributeData a in m.GetAttributes())
                    {
                        if (IsOurs(a, "CostAttribute") || IsOurs(a, "QuotaCategoryAttribute") || IsOurs(a, "PrivilegedAttribute")
                            || IsOurs(a, "AgentToolAttribute") || IsOurs(a, "AgentLoopAttribute"))
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            private static IEnumerable<IMethodSymbol> WithOverridden(IMethodSymbol method)
            {
                for (IMethodSymbol? m = method; m is not null; m = m.OverriddenMethod)
                {
                    yield return m.OriginalDefinition;
                }
            }

            private static AttributeData? FindAttribute(IMethodSymbol method, string name)
            {
                foreach (IMethodSymbol m in WithOverridden(method))
                {
                    foreach (AttributeData a in m.GetAttributes())
                    {
                        if (IsOurs(a, name))
                        {
                            return a;
                        }
                    }
                }

                return null;
            }

            private static AttributeData? FindAttribute(INamedTypeSymbol type, string name)
            {
                foreach (AttributeData a in type.GetAttributes())
                {
                    if (IsOurs(a, name))
                    {
                        return a;
                    }
                }

                return null;
            }

            private static bool IsOurs(AttributeData attribute, string name) =>
                attribute.AttributeClass is { } c && c.Name == name && c.ContainingNamespace is { Name: AttributeNamespace } ns && ns.ContainingNamespace is { IsGlobalNamespace: true };

            // Problems that stop interception of a particular call.
            private static string? CallProblem(InvocationExpressionSyntax invocation, IMethodSymbol method, Compilation compilation)
            {
                if (invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax })
                {
                    return "calls through 'base' cannot be intercepted; call the tool through 'this' or a field";
                }

                if (!method.IsStatic && method.ContainingType.IsValueType)
                {
                    return "instance methods of value types cannot be intercepted; make the tool type a class or the tool static";
                }

                if (method.ContainingType.TypeArguments.Any(ContainsTypeParameter) || ContainingTypes(method.ContainingType).Any(t => t.TypeArguments.Any(ContainsTypeParameter)))
                {
                    return "the tool's generic type has open type arguments here; call it with concrete type arguments";
                }

                return SignatureProblem(method, compilation);
            }

            // A call inside an expression tree is data, not a call: whoever compiles the tree later calls the tool unguarded.
            private static string? ExpressionTreeProblem(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken ct)
            {
                foreach (SyntaxNode ancestor in invocation.Ancestors())
                {
                    if (ancestor is AnonymousFunctionExpressionSyntax lambda
                        && model.GetTypeInfo(lambda, ct).ConvertedType is INamedTypeSymbol { Name: "Expression", Arity: 1 } type
                        && type.ContainingNamespace?.ToDisplayString() == "System.Linq.Expressions")
                    {
                        return "calls inside expression trees cannot be intercepted; call the tool outside the expression";
                    }

                    if (ancestor is MemberDeclarationSyntax)
                    {
                        break;
                    }
                }

                return null;
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

                if (method.Parameters.Any(p => p.RefKind is RefKind.Ref or RefKind.Out))
                {
                    return "ref and out parameters cannot be passed by a model";
                }

                if (method.Parameters.Any(p => p.Type.IsRefLikeType || p.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol))
                {
                    return "pointer and ref struct parameters cannot be passed by a model";
                }

                if (method.IsExtensionMethod)
                {
                    return "extension methods cannot be exposed as AIFunctions; declare the tool on its class";
                }

                Accessibility reach = EffectiveAccessibility(method.ContainingType);
                if (reach is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                {
                    return "its class is not visible to the rest of the assembly";
                }

                if (!method.IsStatic && method.ContainingType.IsValueType)
                {
                    return "tools of value types cannot be exposed as AIFunctions";
                }

                return SignatureProblem(method, compilation);
            }

            private static string? SignatureProblem(IMethodSymbol method, Compilation compilation)
            {
                IEnumerable<ITypeSymbol> types = method.Parameters.Select(p => p.Type).Append(method.ReturnType).Append(method.ContainingType);
                foreach (ITypeSymbol type in types)
                {
                    if (!IsAccessible(type, compilation))
                    {
                        return $"its signature uses '{type.ToDisplayString(ShortFormat)}', which generated code cannot name";
                    }
                }

                bool awaitable = ClassifyReturn(method.ReturnType, out _) is ReturnKind.Task or ReturnKind.TaskOfT or ReturnKind.ValueTask or ReturnKind.ValueTaskOfT;
                if (awaitable && method.Parameters.Any(p => p.RefKind != RefKind.None || p.Type.IsRefLikeType))
                {
                    return "an awaitable tool with ref, out, in or ref struct parameters cannot be awaited by the guard";
                }

                if (method.ReturnsByRef || method.ReturnsByRefReadonly)
                {
                    return "methods returning by reference cannot be guarded";
                }

                if (method.ReturnType.IsRefLikeType && FindAttribute(method, "AgentLoopAttribute") is not null)
                {
                    return "a loop method returning a ref struct cannot be wrapped";
                }

                bool needsAccessor = !IsAccessible(method, compilation);
                if (needsAccessor && (method.IsGenericMethod || ContainingTypes(method.ContainingType).Any(t => t.IsGenericType)))
                {
                    return "it is private or protected and generic; make it internal so generated code can call it";
                }

                return null;
            }

            /// <summary>Builds the model of a guarded or loop method (the unreduced, unconstructed-method form).</summary>
            private static MethodModel? DescribeMethod(IMethodSymbol method, Compilation compilation, out string? problem, CancellationToken ct)
            {
                problem = null;
                INamedTypeSymbol type = method.ContainingType;
                ReturnKind returnKind = ClassifyReturn(method.ReturnType, out ITypeSymbol? resultType);
                CallKind kind = method.IsExtensionMethod ? CallKind.Extension : method.IsStatic ? CallKind.Static : CallKind.Instance;
                EquatableArray<ParameterModel> parameters = method.Parameters.Select(p => Parameter(p, method.IsExtensionMethod && p.Ordinal == 0)).ToEquatableArray();
                EquatableArray<TypeParameterModel> typeParameters = method.TypeParameters.Select(TypeParameter).ToEquatableArray();
                string containing = type.ToDisplayString(TypeFormat);
                string returnType = method.ReturnType.ToDisplayString(TypeFormat);

                var target = new MemberCallModel(method.Name, method.IsStatic, IsAccessible(method, compilation), returnType, parameters);
                string key = containing + "." + method.Name + "`" + method.Arity.ToString(CultureInfo.InvariantCulture)
                    + "(" + string.Join(", ", parameters.Select(p => p.Modifier + p.Type)) + ")";

                ct.ThrowIfCancellationRequested();
                GuardModel? guard = null;
                AttributeData? cost = FindAttribute(method, "CostAttribute");
                AttributeData? category = FindAttribute(method, "QuotaCategoryAttribute");
                AttributeData? privileged = FindAttribute(method, "PrivilegedAttribute");
                AttributeData? agentTool = FindAttribute(method, "AgentToolAttribute");
                if (cost is not null || category is not null || privileged is not null || agentTool is not null)
                {
                    guard = DescribeGuard(method, compilation, cost, category ?? FindAttribute(type, "QuotaCategoryAttribute"), privileged, agentTool);
                }

                LoopModel? loop = null;
                if (FindAttribute(method, "AgentLoopAttribute") is AttributeData loopAttribute)
                {
                    loop = new LoopModel(
                        Named<int>(loopAttribute, "MaxIterations"),
                        Named<int>(loopAttribute, "MaxToolCalls"),
                        Named<double>(loopAttribute, "MaxCost"));
                }

                return new MethodModel(
                    key,
                    containing,
                    MetadataName(type) + ", " + type.ContainingAssembly.Name,
                    type.IsStatic,
                    DisplayName(method),
                    kind,
                    kind == CallKind.Instance ? containing : null,
                    returnKind,
                    returnType,
                    resultType?.ToDisplayString(TypeFormat),
                    resultType is null ? CostRead.None : ClassifyCostRead(resultType, compilation),
                    parameters,
                    typeParameters,
                    target,
                    guard,
                    loop);
            }

            private static GuardModel DescribeGuard(IMethodSymbol method, Compilation compilation, AttributeData? cost, AttributeData? category, AttributeData? privileged, AttributeData? agentTool)
            {
                string toolName = agentTool?.ConstructorArguments.FirstOrDefault().Value as string is { Length: > 0 } n ? n : DisplayName(method);
                string? categoryName = category?.ConstructorArguments.FirstOrDefault().Value as string;
                bool requiresApproval = privileged is not null && Named<bool>(privileged, "RequiresApproval");
                string? problem = null;
                double fixedCost = 0;
                MemberCallModel? estimator = null;
                int estimatorArguments = 0;

                if (string.IsNullOrWhiteSpace(categoryName))
                {
                    problem = $"'{DisplayName(method)}' has no quota category: add [QuotaCategory(\"...\")] to the method or its class (AQ0001).";
                    categoryName = null;
                }
                else if (cost is null)
                {
                    problem = $"'{DisplayName(method)}' has no cost: add [Cost(units)] or [Cost(Estimator = ...)] (AQ0001).";
                }
                else if (Named<string?>(cost, "Estimator") is { Length: > 0 } estimatorName)
                {
                    estimator = FindEstimator(method, estimatorName, compilation, out estimatorArguments);
                    if (estimator is null)
                    {
                        problem = $"The cost estimator '{estimatorName}' of '{DisplayName(method)}' is not a static method of {method.ContainingType.Name} returning double with the tool's leading parameters (AQ0006).";
                    }
                }
                else
                {
                    fixedCost = cost.ConstructorArguments.Length > 0 && cost.ConstructorArguments[0].Value is double units ? units : 0;
                    if (!(fixedCost > 0) || double.IsInfinity(fixedCost))
                    {
                        problem = $"The cost of '{DisplayName(method)}' must be a finite number greater than zero (AQ0006).";
                    }
                }

                MemberCallModel? fallback = null;
                if (FindAttribute(method, "FallbackAttribute") is AttributeData fallbackAttribute
                    && fallbackAttribute.ConstructorArguments.FirstOrDefault().Value is string fallbackName)
                {
                    fallback = FindFallback(method, fallbackName, compilation);
                }

                return new GuardModel(toolName, categoryName, privileged is not null, requiresApproval, fixedCost, estimator, estimatorArguments, fallback, problem);
            }

            private static MemberCallModel? FindEstimator(IMethodSymbol method, string name, Compilation compilation, out int argumentCount)
            {
                argumentCount = 0;
                foreach (IMethodSymbol candidate in method.ContainingType.GetMembers(name).OfType<IMethodSymbol>())
                {
                    if (!candidate.IsStatic || candidate.IsGenericMethod || candidate.Parameters.Length > method.Parameters.Length
                        || candidate.ReturnType.SpecialType != SpecialType.System_Double)
                    {
                        continue;
                    }

                    bool matches = true;
                    for (int i = 0; i < candidate.Parameters.Length && matches; i++)
                    {
                        matches = SymbolEqualityComparer.Default.Equals(candidate.Parameters[i].Type, method.Parameters[i].Type)
                            && candidate.Parameters[i].RefKind == method.Parameters[i].RefKind;
                    }

                    if (!matches || (!IsAccessible(candidate, compilation) && method.ContainingType.IsGenericType))
                    {
                        continue;
                    }

                    argumentCount = candidate.Parameters.Length;
                    EquatableArray<ParameterModel> parameters = candidate.Parameters.Select(p => Parameter(p, false)).ToEquatableArray();
                    return new MemberCallModel(candidate.Name, true, IsAccessible(candidate, compilation), "double", parameters);
                }

                return null;
            }

            private static MemberCallModel? FindFallback(IMethodSymbol method, string name, Compilation compilation)
            {
                foreach (IMethodSymbol candidate in method.ContainingType.GetMembers(name).OfType<IMethodSymbol>())
                {
                    if (SymbolEqualityComparer.Default.Equals(candidate, method) || candidate.Arity != method.Arity
                        || candidate.Parameters.Length != method.Parameters.Length)
                    {
                        continue;
                    }

                    if ((method.IsStatic && !candidate.IsStatic) || method.ReturnType.IsRefLikeType)
                    {
                        continue; // a static tool has no instance to call an instance fallback on
                    }

                    IMethodSymbol constructed = candidate.IsGenericMethod ? candidate.Construct(method.TypeArguments.ToArray()) : candidate;
                    bool matches = SymbolEqualityComparer.Default.Equals(constructed.ReturnType, method.ReturnType);
                    for (int i = 0; i < method.Parameters.Length && matches; i++)
                    {
                        matches = SymbolEqualityComparer.Default.Equals(constructed.Parameters[i].Type, method.Parameters[i].Type)
                            && constructed.Parameters[i].RefKind == method.Parameters[i].RefKind;
                    }

                    bool accessible = IsAccessible(candidate, compilation);
                    if (!matches || FindAttribute(candidate, "PrivilegedAttribute") is not null
                        || (!accessible && (candidate.IsGenericMethod || ContainingTypes(method.ContainingType).Any(t => t.IsGenericType))))
                    {
                        continue;
                    }

                    EquatableArray<ParameterModel> parameters = method.Parameters.Select(p => Parameter(p, method.IsExtensionMethod && p.Ordinal == 0)).ToEquatableArray();
                    return new MemberCallModel(candidate.Name, candidate.IsStatic, accessible, method.ReturnType.ToDisplayString(TypeFormat), parameters);
                }

                return null;
            }

            private static ParameterModel Parameter(IParameterSymbol p, bool isThis)
            {
                string modifier = p.RefKind switch
                {
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    RefKind.In => "in ",
                    RefKind.RefReadOnlyParameter => "ref readonly ",
                    _ => p.IsParams ? "params " : string.Empty,
                };
                string argumentModifier = p.RefKind switch
                {
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    RefKind.In or RefKind.RefReadOnlyParameter => "in ",
                    _ => string.Empty,
                };
                string scoped = p.ScopedKind == ScopedKind.ScopedRef || p.ScopedKind == ScopedKind.ScopedValue ? "scoped " : string.Empty;
                return new ParameterModel(EscapeIdentifier(p.Name), p.Type.ToDisplayString(TypeFormat), scoped + modifier, argumentModifier, IsCancellationToken(p.Type), isThis);
            }

            private static TypeParameterModel TypeParameter(ITypeParameterSymbol t)
            {
                var constraints = new List<string>();
                if (t.HasReferenceTypeConstraint)
                {
                    constraints.Add(t.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
                }
                else if (t.HasUnmanagedTypeConstraint)
                {
                    constraints.Add("unmanaged");
                }
                else if (t.HasValueTypeConstraint)
                {
                    constraints.Add("struct");
                }
                else if (t.HasNotNullConstraint)
                {
                    constraints.Add("notnull");
                }

                constraints.AddRange(t.ConstraintTypes.Select(c => c.ToDisplayString(TypeFormat)));
                if (t.HasConstructorConstraint && !t.HasValueTypeConstraint)
                {
                    constraints.Add("new()");
                }

                if (t.AllowsRefLikeType)
                {
                    constraints.Add("allows ref struct");
                }

                return new TypeParameterModel(t.Name, constraints.Count == 0 ? string.Empty : "where " + t.Name + " : " + string.Join(", ", constraints));
            }

            private static ReturnKind ClassifyReturn(ITypeSymbol type, out ITypeSymbol? result)
            {
                result = null;
                if (type.SpecialType == SpecialType.System_Void)
                {
                    return ReturnKind.Void;
                }

                if (type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
                {
                    switch (named.MetadataName)
                    {
                        case "Task":
                            return ReturnKind.Task;
                        case "ValueTask":
                            return ReturnKind.ValueTask;
                        case "Task`1":
                            result = named.TypeArguments[0];
                            return ReturnKind.TaskOfT;
                        case "ValueTask`1":
                            result = named.TypeArguments[0];
                            return ReturnKind.ValueTaskOfT;
                    }
                }

                result = type;
                return ReturnKind.Value;
            }

            private static CostRead ClassifyCostRead(ITypeSymbol type, Compilation compilation)
            {
                INamedTypeSymbol? actualCost = compilation.GetTypeByMetadataName(WellKnownNames.ActualCostInterface);
                if (actualCost is null || type.IsRefLikeType || type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
                {
                    return CostRead.None;
                }

                if (type.AllInterfaces.Contains(actualCost, SymbolEqualityComparer.Default) || SymbolEqualityComparer.Default.Equals(type, actualCost))
                {
                    return type.IsValueType ? CostRead.Direct : CostRead.DirectNullable;
                }

                if (type.TypeKind == TypeKind.TypeParameter)
                {
                    return ((ITypeParameterSymbol)type).HasValueTypeConstraint ? CostRead.None : CostRead.Cast;
                }

                return type.IsReferenceType && !type.IsSealed ? CostRead.Cast : CostRead.None;
            }

            private static bool IsAccessible(ISymbol symbol, Compilation compilation) =>
                compilation.IsSymbolAccessibleWithin(symbol, compilation.Assembly);

            private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
            {
                ITypeParameterSymbol => true,
                IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
                INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter),
                _ => false,
            };

            private static IEnumerable<INamedTypeSymbol> ContainingTypes(INamedTypeSymbol type)
            {
                for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
                {
                    yield return t;
                }
            }

            private static Accessibility EffectiveAccessibility(INamedTypeSymbol type)
            {
                Accessibility result = Accessibility.Public;
                foreach (INamedTypeSymbol t in ContainingTypes(type))
                {
                    if (t.DeclaredAccessibility < result)
                    {
                        result = t.DeclaredAccessibility;
                    }
                }

                return result;
            }

            private static bool IsCancellationToken(ITypeSymbol type) =>
                type is INamedTypeSymbol { Name: "CancellationToken" } t && t.ContainingNamespace?.ToDisplayString() == "System.Threading";

            private static bool IsNullableValueType(ITypeSymbol type) =>
                type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };

            private static T Named<T>(AttributeData attribute, string name)
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

            private static string DisplayName(IMethodSymbol method) => method.ContainingType.Name + "." + method.Name;

            private static string NestedName(INamedTypeSymbol type) => string.Join("_", ContainingTypes(type).Reverse().Select(t => t.Name));

            private static string MetadataName(INamedTypeSymbol type)
            {
                string name = type.MetadataName;
                for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    name = outer.MetadataName + "+" + name;
                    type = outer;
                }

                return type.ContainingNamespace.IsGlobalNamespace ? name : type.ContainingNamespace.ToDisplayString() + "." + name;
            }

            /// <summary>The file (and generated class) a tool type's code goes to, from its definition's full name.</summary>
            private static string FileHint(INamedTypeSymbol type)
            {
                string full = type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
                var hint = new StringBuilder();
                foreach (char c in full.Replace("global::", string.Empty))
                {
                    hint.Append(char.IsLetterOrDigit(c) ? c : '_');
                }

                if (type.Arity > 0)
                {
                    hint.Append("_").Append(type.Arity.ToString(CultureInfo.InvariantCulture));
                }

                return hint.ToString();
            }

            private static string EscapeIdentifier(string name) =>
                SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

            private static string? DescriptionAttribute(IParameterSymbol parameter)
            {
                foreach (AttributeData a in parameter.GetAttributes())
                {
                    if (a.AttributeClass is { Name: "DescriptionAttribute" } c && c.ContainingNamespace?.ToDisplayString() == "System.ComponentModel"
                        && a.ConstructorArguments.FirstOrDefault().Value is string text)
                    {
                        return text;
                    }
                }

                return null;
            }

            private static string? DefaultValueExpression(IParameterSymbol p)
            {
                object? value = p.ExplicitDefaultValue;
                ITypeSymbol type = p.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : p.Type;
                if (value is null)
                {
                    return "default";
                }

                if (type.TypeKind == TypeKind.Enum)
                {
                    return "(" + type.ToDisplayString(TypeFormat) + ")" + SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false);
                }

                string literal = value switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
                    float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
                    decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
                    long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                    ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
                    uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
                    _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
                };
                return "(" + type.ToDisplayString(TypeFormat) + ")" + literal;
            }

            private static DiagnosticInfo Diagnostic(DiagnosticKind kind, LocationInfo? location, params string[] arguments) =>
                new(kind, location, arguments.ToEquatableArray());
        }
    }
}
