using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators
{
    // Turns symbols into plain, equatable models. Nothing Roslyn-specific leaves the parser except through
    // the models (strings, bools, enums, EquatableArray). This file: call sites and declarations; the
    // others: method shapes (Methods), AIFunctions (Tools) and model
    // calls in [AgentLoop] methods (ModelCalls).
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
                .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

            private static readonly SymbolDisplayFormat ShortFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

            /// <summary>Cheap syntax filter: any invocation may call a guarded method.</summary>
            public static bool IsInvocation(SyntaxNode node, CancellationToken _) =>
                node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax or IdentifierNameSyntax or GenericNameSyntax or MemberBindingExpressionSyntax };

            /// <summary>Describes one invocation of a guarded or loop method, or returns null for any other call.</summary>
            public static CallSiteModel? ParseCallSite(GeneratorSyntaxContext context, CancellationToken ct)
            {
                var invocation = (InvocationExpressionSyntax)context.Node;
                if (InvokedName(invocation) is not string name || !GuardedNames.MayBeGuarded(context.SemanticModel.Compilation, name)
                    || context.SemanticModel.GetSymbolInfo(invocation, ct).Symbol is not IMethodSymbol called)
                {
                    return null;
                }

                IMethodSymbol shape = called.ReducedFrom ?? called.ConstructedFrom;
                ToolAttributes attributes = ToolAttributes.For(context.SemanticModel.Compilation);
                if (!ToolAnnotations.AnyOnChain(shape, attributes) || HasErrorType(shape))
                {
                    // (A signature with an unresolved type is the compiler's error in the user's code already.)
                    return null;
                }

                ToolAnnotations notes = attributes.AnnotationsOf(shape);
                if (!notes.IsGuarded && !notes.IsLoop)
                {
                    return null;
                }

                ct.ThrowIfCancellationRequested();
                Compilation compilation = context.SemanticModel.Compilation;
                string display = DisplayName(shape);
                LocationInfo? where = LocationInfo.From(invocation.GetLocation());
                string fileHint = FileHint(shape.ContainingType);
                var diagnostics = new List<DiagnosticInfo>();
                foreach (string conflict in notes.Conflicts)
                {
                    // Reported on the declaration when it is in source (the same diagnostic from every call site is reported once).
                    Location declared = shape.OriginalDefinition.Locations.FirstOrDefault(l => l.IsInSource) ?? invocation.GetLocation();
                    diagnostics.Add(Diagnostic(DiagnosticKind.ConflictingAnnotations, LocationInfo.From(declared), conflict));
                }

                string? problem = CallProblem(invocation, shape, compilation) ?? ExpressionTreeProblem(invocation, context.SemanticModel, ct);
                MethodModel? method = null;
                if (problem is null)
                {
                    method = DescribeMethod(shape, compilation, notes, out problem, ct);
                }

                if (problem is null && method is not null)
                {
                    InterceptableLocation? location = context.SemanticModel.GetInterceptableLocation(invocation, ct);
                    if (location is null)
                    {
                        problem = "the compiler reports it as not interceptable";
                    }
                    else
                    {
                        return new CallSiteModel(fileHint, method, Location(location, invocation), diagnostics.ToEquatableArray());
                    }
                }

                diagnostics.Add(Diagnostic(DiagnosticKind.CannotIntercept, where, display, problem ?? "its signature cannot be described"));
                return new CallSiteModel(fileHint, null, null, diagnostics.ToEquatableArray());
            }

            /// <summary>
            /// Checks a declaration that carries a tool or loop attribute: one that no call can be intercepted for
            /// (an accessor, a local function, a lambda, an operator, a constructor) is AQ1003; a method whose own
            /// annotations contradict those of a member it overrides or implements is AQ1004.
            /// </summary>
            public static EquatableArray<DiagnosticInfo> ParseDeclaration(AttributeTarget context, CancellationToken ct)
            {
                if (context.TargetSymbol is not IMethodSymbol method)
                {
                    return EquatableArray<DiagnosticInfo>.Empty;
                }

                ToolAttributes attributes = ToolAttributes.For(context.SemanticModel.Compilation);
                string? unsupported = method.MethodKind switch
                {
                    MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation => null,
                    MethodKind.LocalFunction => LocalFunctionProblem(attributes.AnnotationsOf(method)),
                    MethodKind.AnonymousFunction => "a lambda or anonymous method: calls through delegates cannot be intercepted",
                    MethodKind.PropertyGet or MethodKind.PropertySet => "a property accessor: property reads and writes cannot be intercepted; make the tool a method",
                    MethodKind.EventAdd or MethodKind.EventRemove or MethodKind.EventRaise => "an event accessor: it cannot be intercepted",
                    MethodKind.Constructor or MethodKind.StaticConstructor => "a constructor: object creation cannot be intercepted; make the tool a method",
                    MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator: operators cannot be intercepted; make the tool a method",
                    MethodKind.Destructor => "a finalizer",
                    MethodKind.DelegateInvoke => "a delegate's Invoke",
                    _ => null,
                };
                if (unsupported is not null)
                {
                    // One diagnostic per declaration (every attribute's callback builds the same one): on its first
                    // AgentQuotas attribute, naming all of them.
                    AttributeData[] ours = method.GetAttributes().Where(a => attributes.IsRuntimeAttribute(a) && a.ApplicationSyntaxReference is not null)
                        .OrderBy(a => a.ApplicationSyntaxReference!.Span.Start).ToArray();
                    LocationInfo? at = LocationInfo.From(ours.FirstOrDefault()?.ApplicationSyntaxReference!.GetSyntax(ct).GetLocation() ?? context.TargetNode.GetLocation());
                    string names = string.Join(", ", ours.Select(a => "[" + a.AttributeClass!.Name.Substring(0, a.AttributeClass.Name.Length - "Attribute".Length) + "]"));
                    string display = method.MethodKind is MethodKind.Ordinary ? DisplayName(method) : method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
                    return new[] { Diagnostic(DiagnosticKind.CannotGuardDeclaration, at, display, names, unsupported) }.ToEquatableArray();
                }

                ToolAnnotations notes = attributes.AnnotationsOf(method);
                LocationInfo? declared = LocationInfo.From(method.Locations.FirstOrDefault(l => l.IsInSource) ?? Microsoft.CodeAnalysis.Location.None);
                return notes.Conflicts.Select(c => Diagnostic(DiagnosticKind.ConflictingAnnotations, declared, c)).ToEquatableArray();
            }

            /// <summary>
            /// A local function cannot be intercepted, but handed to a framework (<c>AIFunctionFactory.Create(GetWeather)</c>)
            /// it is guarded by the integration, which reads a fixed [Cost] and a [QuotaCategory] from the method itself; a
            /// direct call is AQ1001 at the call. What only generated code can provide has no such path: a cap
            /// ([AgentLoop]), an estimator or a fallback found by name.
            /// </summary>
            private static string? LocalFunctionProblem(ToolAnnotations notes)
            {
                if (notes.IsLoop)
                {
                    return "a local function: calls to local functions cannot be intercepted, so nothing would count its iterations";
                }

                if (notes.Cost is FoundAttribute cost && Named<string?>(cost.Attribute, "Estimator") is { Length: > 0 })
                {
                    return "a local function with a cost estimator: only generated code calls an estimator, and it cannot name a local function; make the tool a method";
                }

                return notes.Fallback is not null
                    ? "a local function with a [Fallback]: only generated code calls a fallback, and it cannot name a local function; make the tool a method"
                    : null;
            }

            /// <summary>Whether Microsoft.Extensions.AI.Abstractions is referenced, so AIFunctions can be generated.</summary>
            public static bool HasAIFunctions(Compilation compilation, CancellationToken _) =>
                compilation.GetTypeByMetadataName(WellKnownNames.AIFunction) is not null;

            private static InterceptLocationModel Location(InterceptableLocation location, InvocationExpressionSyntax invocation)
            {
                string shown = location.GetDisplayLocation();
                string path = invocation.SyntaxTree.FilePath;
                if (path.Length > 0)
                {
                    // Keep only the file name: absolute paths would make the output machine-dependent.
                    shown = shown.Replace(path, System.IO.Path.GetFileName(path));
                }

                return new InterceptLocationModel(location.Version, location.Data, shown);
            }

            // Problems that stop interception of a particular call.
            private static string? CallProblem(InvocationExpressionSyntax invocation, IMethodSymbol method, Compilation compilation)
            {
                if (invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax })
                {
                    return "calls through 'base' cannot be intercepted; call the tool through 'this' or a field";
                }

                if (method.MethodKind == MethodKind.LocalFunction)
                {
                    return "calls to local functions cannot be intercepted; make the tool a method";
                }

                if (method.IsStatic && (method.IsAbstract || method.IsVirtual) && method.ContainingType.TypeKind == TypeKind.Interface)
                {
                    return "static abstract or virtual interface members are called through a type parameter, which an interceptor cannot do; make the tool an ordinary static or instance method";
                }

                if (!method.IsStatic && method.ContainingType.IsValueType)
                {
                    return "instance methods of value types cannot be intercepted; make the tool type a class or the tool static";
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

            private static DiagnosticInfo Diagnostic(DiagnosticKind kind, LocationInfo? location, params string[] arguments) =>
                new(kind, location, arguments.ToEquatableArray());

            private static string DisplayName(IMethodSymbol method) => ToolAnnotations.DisplayName(method);

            private static string NestedName(INamedTypeSymbol type) => string.Join("_", ContainingTypes(type).Reverse().Select(t => t.Name));

            /// <summary>
            /// The file (and generated class) a tool type's code goes to, from its definition's full name: ASCII
            /// letters and digits, '.' as '_'. A name that has '_' or other characters of its own gets a hash
            /// of the full name too, so two types never share a file ("A.B_C" and "A_B.C").
            /// </summary>
            private static string FileHint(INamedTypeSymbol type)
            {
                string full = type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None))
                    .Replace("global::", string.Empty);
                var hint = new StringBuilder();
                bool ambiguous = false;
                foreach (char c in full)
                {
                    bool plain = c < 128 && char.IsLetterOrDigit(c);
                    ambiguous |= !plain && c != '.';
                    hint.Append(plain ? c : '_');
                }

                if (type.Arity > 0)
                {
                    hint.Append("_").Append(type.Arity.ToString(CultureInfo.InvariantCulture));
                }

                if (ambiguous)
                {
                    uint hash = 2166136261;
                    foreach (char c in full)
                    {
                        hash = (hash ^ c) * 16777619;
                    }

                    hint.Append("_").Append(hash.ToString("x8", CultureInfo.InvariantCulture));
                }

                return hint.ToString();
            }

            private static T Named<T>(AttributeData attribute, string name) => ToolAttributes.Named<T>(attribute, name);

            private static bool HasNamed(AttributeData attribute, string name) => attribute.NamedArguments.Any(a => a.Key == name);
        }
    }
}
