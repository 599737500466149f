using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Generators
{
    // The shape of a guarded method as the emitter needs it: parameters, return, guard, loop caps, and the
    // reasons a signature cannot be intercepted.
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            private static string? SignatureProblem(IMethodSymbol method, Compilation compilation)
            {
                if (ContainingTypes(method.ContainingType).Any(t => t.IsGenericType))
                {
                    method = method.OriginalDefinition; // its interceptor is generic over the type's type parameters
                }

                IEnumerable<ITypeSymbol> types = method.Parameters.Select(p => p.Type).Append(method.ReturnType).Append(method.ContainingType)
                    .Concat(method.TypeParameters.SelectMany(t => t.ConstraintTypes));
                foreach (ITypeSymbol type in types)
                {
                    if (FirstFileLocal(type) is INamedTypeSymbol fileLocal)
                    {
                        return $"its signature uses the file-local type '{fileLocal.ToDisplayString(ShortFormat)}', which generated code in another file cannot name; make the type internal";
                    }

                    if (ContainsPointer(type))
                    {
                        return $"its signature uses the pointer type '{type.ToDisplayString(ShortFormat)}', which needs an unsafe context";
                    }

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

                if (method.ReturnType.IsRefLikeType && ToolAttributes.For(compilation).AnnotationsOf(method).IsLoop)
                {
                    return "a loop method returning a ref struct cannot be wrapped";
                }

                if (method.TypeParameters.Any(t => t.AllowsRefLikeType) && (awaitable || method.ReturnType.IsRefLikeType))
                {
                    return "a generic awaitable tool whose type parameter allows ref structs cannot be awaited by the guard";
                }

                bool needsAccessor = !IsAccessible(method, compilation);
                if (needsAccessor && (method.IsGenericMethod || ContainingTypes(method.ContainingType).Any(t => t.IsGenericType)))
                {
                    return "it is private or protected and generic; make it internal so generated code can call it";
                }

                if (needsAccessor && method.ContainingType.TypeKind == TypeKind.Interface)
                {
                    return "it is a private or protected interface member, which generated code cannot call";
                }

                return null;
            }

            /// <summary>
            /// Builds the model of a guarded or loop method (the unreduced, unconstructed-method form). A method of a
            /// generic type is described by its definition, and its interceptor is generic over the type's type
            /// parameters too (the compiler substitutes the call's type arguments): one interceptor serves every
            /// closed type, including type arguments generated code could not name and those of a generic caller.
            /// </summary>
            private static MethodModel? DescribeMethod(IMethodSymbol called, Compilation compilation, ToolAnnotations notes, out string? problem, CancellationToken ct)
            {
                problem = null;
                bool ofGenericType = ContainingTypes(called.ContainingType).Any(t => t.IsGenericType);
                IMethodSymbol method = ofGenericType ? called.OriginalDefinition : called;
                ITypeParameterSymbol[] outer = ofGenericType
                    ? ContainingTypes(method.ContainingType).Reverse().SelectMany(t => t.TypeParameters).ToArray()
                    : System.Array.Empty<ITypeParameterSymbol>();
                if (outer.Concat(method.TypeParameters).GroupBy(t => t.Name).Any(g => g.Count() > 1))
                {
                    problem = "a type parameter of the method has the same name as one of its type's; rename it";
                    return null;
                }

                INamedTypeSymbol type = method.ContainingType;
                ReturnKind returnKind = ClassifyReturn(method.ReturnType, out ITypeSymbol? resultType);
                CallKind kind = method.IsExtensionMethod ? CallKind.Extension : method.IsStatic ? CallKind.Static : CallKind.Instance;
                EquatableArray<ParameterModel> parameters = method.Parameters.Select(p => Parameter(p, method.IsExtensionMethod && p.Ordinal == 0)).ToEquatableArray();
                EquatableArray<TypeParameterModel> typeParameters = outer.Concat(method.TypeParameters).Select(TypeParameter).ToEquatableArray();
                string containing = type.ToDisplayString(TypeFormat);
                string returnType = method.ReturnType.ToDisplayString(TypeFormat);

                var target = new MemberCallModel(method.Name, containing, method.IsStatic, IsAccessible(method, compilation), returnType, parameters);
                string key = containing + "." + method.Name + "`" + method.Arity.ToString(CultureInfo.InvariantCulture)
                    + "(" + string.Join(", ", parameters.Select(p => p.Modifier + p.Type)) + ")";

                ct.ThrowIfCancellationRequested();
                GuardModel? guard = notes.IsGuarded ? DescribeGuard(method, compilation, notes) : null;
                LoopModel? loop = notes.Loop is FoundAttribute loopAttribute ? Loop(loopAttribute.Attribute) : null;

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
                    loop,
                    Suppressions(method),
                    outer.Length,
                    method.IsExtensionMethod && compilation.GetTypeByMetadataName(MetadataName(type)) is null && !type.ContainingNamespace.IsGlobalNamespace
                        ? type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
                        : null,
                    CanForward(method, kind, outer));
            }

            /// <summary>
            /// Whether every argument (and the receiver) can travel by value in one generic state value and the result
            /// through a generic type parameter: what the runtime's shared guard needs (see <see cref="MethodModel.CanForward"/>).
            /// </summary>
            private static bool CanForward(IMethodSymbol method, CallKind kind, ITypeParameterSymbol[] outer) =>
                method.Parameters.All(p => p.RefKind == RefKind.None && !p.Type.IsRefLikeType && p.Type.TypeKind != TypeKind.Dynamic && !ContainsPointer(p.Type))
                && !method.ReturnsByRef && !method.ReturnsByRefReadonly && !method.ReturnType.IsRefLikeType && !ContainsPointer(method.ReturnType)
                && method.ReturnType.TypeKind != TypeKind.Dynamic
                && !(kind == CallKind.Instance && !method.ContainingType.IsReferenceType)
                && !outer.Concat(method.TypeParameters).Any(t => t.AllowsRefLikeType);

            private static LoopModel Loop(AttributeData attribute) => new(
                Named<int>(attribute, "MaxIterations"),
                Named<int>(attribute, "MaxToolCalls"),
                Named<double>(attribute, "MaxCost"),
                Named<string?>(attribute, "TokenCategory"),
                HasNamed(attribute, "InputTokenCost") ? Named<double>(attribute, "InputTokenCost") : 1,
                HasNamed(attribute, "OutputTokenCost") ? Named<double>(attribute, "OutputTokenCost") : 1);

            /// <summary>
            /// The guard of a tool, decided by the shared tool model (<see cref="CostRules"/>, <see cref="FallbackRules"/>):
            /// the analyzers report as AQ0001/AQ0006 exactly the problems that make this guard fail closed, and as
            /// AQ0005 exactly the fallbacks it does not call.
            /// </summary>
            private static GuardModel DescribeGuard(IMethodSymbol method, Compilation compilation, ToolAnnotations notes)
            {
                string toolName = ToolName(method, notes);
                ToolAttributes attributes = ToolAttributes.For(compilation);
                string? categoryName = notes.CategoryName;
                string? problem = null;
                ToolCost cost = CostRules.Of(method, notes, compilation);
                MemberCallModel? estimator = null;

                if (string.IsNullOrWhiteSpace(categoryName))
                {
                    problem = $"'{DisplayName(method)}' has no quota category: add [QuotaCategory(\"...\")] to the method or its type (AQ0001).";
                    categoryName = null;
                }
                else if (cost.Declaration is null)
                {
                    problem = $"'{DisplayName(method)}' has no cost: add [Cost(units)] or [Cost(Estimator = ...)] (AQ0001).";
                }
                else if (cost.Problem is not null)
                {
                    problem = $"The cost of '{DisplayName(method)}' is invalid: {cost.Problem} (AQ0006).";
                }
                else if (cost.Estimator is IMethodSymbol chosen)
                {
                    EquatableArray<ParameterModel> parameters = chosen.Parameters.Select(p => Parameter(p, false)).ToEquatableArray();
                    estimator = new MemberCallModel(chosen.Name, chosen.ContainingType.ToDisplayString(TypeFormat), true, cost.EstimatorAccessible, "double", parameters);
                }

                // Every entry of an ordered chain by the same rules; an entry that does not resolve is left out (AQ0005 reports it).
                var fallbacks = new List<MemberCallModel>();
                foreach (string fallbackName in notes.FallbackNames ?? new List<string>())
                {
                    if (FallbackRules.Find(method, fallbackName, attributes, out _) is IMethodSymbol target)
                    {
                        EquatableArray<ParameterModel> parameters = method.Parameters.Select(p => Parameter(p, method.IsExtensionMethod && p.Ordinal == 0)).ToEquatableArray();
                        fallbacks.Add(new MemberCallModel(target.Name, method.ContainingType.ToDisplayString(TypeFormat), target.IsStatic, IsAccessible(target, compilation),
                            method.ReturnType.ToDisplayString(TypeFormat), parameters));
                    }
                }

                return new GuardModel(toolName, categoryName, notes.IsPrivileged, notes.RequiresApproval, problem is null ? cost.Units : 0, estimator,
                    cost.EstimatorArguments, fallbacks.ToEquatableArray(), problem);
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
                return new ParameterModel(NameScope.Escape(p.Name), p.Type.ToDisplayString(TypeFormat), scoped + modifier, argumentModifier, IsCancellationToken(p.Type), isThis,
                    p.Type.TypeKind == TypeKind.Dynamic && p.RefKind == RefKind.None);
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

                string name = NameScope.Escape(t.Name);
                return new TypeParameterModel(name, constraints.Count == 0 ? string.Empty : "where " + name + " : " + string.Join(", ", constraints));
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

            /// <summary>
            /// How to read an <c>IActualCost</c> from a result, emitted only where C# allows the conversion: a type that
            /// implements it is read directly; an <c>as</c> test is legal only from a type parameter, an interface, an
            /// unsealed class, object or dynamic (never from arrays, structs, enums, delegates or sealed classes).
            /// </summary>
            private static CostRead ClassifyCostRead(ITypeSymbol type, Compilation compilation)
            {
                INamedTypeSymbol? actualCost = compilation.GetTypeByMetadataName(WellKnownNames.ActualCostInterface);
                if (actualCost is null || type.IsRefLikeType || type is IPointerTypeSymbol or IFunctionPointerTypeSymbol or IErrorTypeSymbol)
                {
                    return CostRead.None;
                }

                if (SymbolEqualityComparer.Default.Equals(type, actualCost) || type.AllInterfaces.Contains(actualCost, SymbolEqualityComparer.Default))
                {
                    return type.IsValueType ? CostRead.Direct : CostRead.DirectNullable;
                }

                return type.TypeKind switch
                {
                    TypeKind.TypeParameter or TypeKind.Interface or TypeKind.Dynamic => CostRead.Cast,
                    TypeKind.Class when !type.IsSealed && !type.IsStatic => CostRead.Cast,
                    _ => CostRead.None,
                };
            }

            /// <summary>
            /// The diagnostic ids the generated code must suppress to name the method and its signature: ids of
            /// <c>[Experimental]</c> (an error unless suppressed) and of <c>[Obsolete(DiagnosticId = ...)]</c>. The
            /// standard obsolete warnings (CS0612, CS0618) are suppressed in every generated file.
            /// </summary>
            private static EquatableArray<string> Suppressions(IMethodSymbol method)
            {
                var ids = new SortedSet<string>(System.StringComparer.Ordinal);
                var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                void Add(ISymbol? symbol)
                {
                    if (symbol is null || !seen.Add(symbol))
                    {
                        return;
                    }

                    foreach (AttributeData a in symbol.GetAttributes())
                    {
                        string? name = a.AttributeClass?.ToDisplayString();
                        if (name == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute" && a.ConstructorArguments.FirstOrDefault().Value is string experimental)
                        {
                            ids.Add(experimental);
                        }
                        else if (name == "System.ObsoleteAttribute" && a.NamedArguments.FirstOrDefault(n => n.Key == "DiagnosticId").Value.Value is string obsolete)
                        {
                            ids.Add(obsolete);
                        }
                    }

                    switch (symbol)
                    {
                        case IArrayTypeSymbol array:
                            Add(array.ElementType);
                            break;
                        case INamedTypeSymbol named:
                            Add(named.ContainingType);
                            Add(named.ContainingAssembly);
                            Add(named.ContainingModule);
                            foreach (ITypeSymbol argument in named.TypeArguments)
                            {
                                Add(argument);
                            }

                            break;
                    }
                }

                Add(method);
                Add(method.OriginalDefinition);
                Add(method.ContainingType);
                foreach (IParameterSymbol p in method.Parameters)
                {
                    Add(p.Type);
                }

                Add(method.ReturnType);
                foreach (ITypeParameterSymbol t in method.TypeParameters)
                {
                    foreach (ITypeSymbol c in t.ConstraintTypes)
                    {
                        Add(c);
                    }
                }

                return ids.ToEquatableArray();
            }

            private static INamedTypeSymbol? FirstFileLocal(ITypeSymbol type)
            {
                switch (type)
                {
                    case IArrayTypeSymbol array:
                        return FirstFileLocal(array.ElementType);
                    case INamedTypeSymbol named:
                        foreach (INamedTypeSymbol t in ContainingTypes(named))
                        {
                            if (t.IsFileLocal)
                            {
                                return t;
                            }
                        }

                        foreach (ITypeSymbol argument in named.TypeArguments)
                        {
                            if (FirstFileLocal(argument) is INamedTypeSymbol inner)
                            {
                                return inner;
                            }
                        }

                        return null;
                    default:
                        return null;
                }
            }

            /// <summary>Whether the method's signature (or its type) has a type the compiler could not resolve.</summary>
            internal static bool HasErrorType(IMethodSymbol method) =>
                ContainsErrorType(method.ReturnType) || method.Parameters.Any(p => ContainsErrorType(p.Type)) || ContainingTypes(method.ContainingType).Any(ContainsErrorType)
                || method.TypeParameters.SelectMany(t => t.ConstraintTypes).Any(ContainsErrorType);

            private static bool ContainsErrorType(ITypeSymbol type) => type switch
            {
                IErrorTypeSymbol => true,
                IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
                INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
                IPointerTypeSymbol pointer => ContainsErrorType(pointer.PointedAtType),
                _ => false,
            };

            private static bool ContainsPointer(ITypeSymbol type) => type switch
            {
                IPointerTypeSymbol or IFunctionPointerTypeSymbol => true,
                IArrayTypeSymbol array => ContainsPointer(array.ElementType),
                INamedTypeSymbol named => named.TypeArguments.Any(ContainsPointer),
                _ => false,
            };

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
        }
    }
}
