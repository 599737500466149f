using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0004 / AQ0007: a guarded tool (or an [AgentLoop] method) reached where the guard cannot wrap the call. Interceptors rewrite call
    /// sites; a method group or delegate, a reflection call (MethodInfo.Invoke, CreateDelegate,
    /// Type.InvokeMember on a method found by name) and a call inside an expression tree are not call sites,
    /// so they run the tool unguarded. Privileged tools are errors (AQ0004), others warnings (AQ0007).
    /// A lambda that merely forwards (<c>q =&gt; tools.SearchAsync(q)</c>) is recognised as an ordinary call
    /// site, which the generator does intercept, and is not reported.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ToolReferenceAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnguardedPrivilegedTool,
            DiagnosticDescriptors.GuardedToolAsDelegate);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = AgentSymbols.Create(start.Compilation);
                if (!symbols.HasRuntime)
                {
                    return;
                }

                var reflection = ReflectionSymbols.Create(start.Compilation);
                start.RegisterOperationAction(c => AnalyzeMethodReference(c, symbols), OperationKind.MethodReference);
                start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, reflection), OperationKind.Invocation);
            });
        }

        private static void AnalyzeMethodReference(OperationAnalysisContext context, AgentSymbols symbols)
        {
            var reference = (IMethodReferenceOperation)context.Operation;
            IMethodSymbol method = reference.Method;
            if (!IsWrapped(symbols, method) || IsInsideNameOf(reference))
            {
                return;
            }

            Report(context, symbols, method, reference.Syntax.GetLocation(),
                "used as a method group",
                "it is used as a method group, so calls through the delegate bypass the guard");
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, AgentSymbols symbols, ReflectionSymbols reflection)
        {
            var invocation = (IInvocationOperation)context.Operation;
            IMethodSymbol target = invocation.TargetMethod;
            if (IsWrapped(symbols, target))
            {
                if (IsInExpressionTree(invocation))
                {
                    Report(context, symbols, target, invocation.Syntax.GetLocation(),
                        "called inside an expression tree",
                        "it is called inside an expression tree, which is data rather than a call site the guard can wrap");
                }

                return;
            }

            if (!reflection.IsAvailable)
            {
                return;
            }

            foreach (IMethodSymbol tool in reflection.ResolveTargets(invocation).Where(m => IsWrapped(symbols, m)).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default))
            {
                string how = reflection.Describe(invocation);
                Report(context, symbols, tool, WholeCall(invocation.Syntax).GetLocation(),
                    "invoked through reflection (" + how + ")",
                    "it is invoked through reflection (" + how + "), which the guard cannot wrap");
            }
        }

        /// <summary>Methods whose calls the generator wraps: guarded tools, and [AgentLoop] methods (for their caps).</summary>
        private static bool IsWrapped(AgentSymbols symbols, IMethodSymbol method) =>
            symbols.IsGuardedTool(method) || symbols.FindOnMethod(method, symbols.AgentLoop) != null;

        private static void Report(OperationAnalysisContext context, AgentSymbols symbols, IMethodSymbol target, Location location, string warning, string error)
        {
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.Kind, DiagnosticProperties.ReferenceKind);
            if (symbols.IsPrivileged(target))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnguardedPrivilegedTool, location, properties, AgentSymbols.Display(target), error));
            }
            else if (symbols.IsGuardedTool(target))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GuardedToolAsDelegate, location, properties,
                    "Guarded tool", AgentSymbols.Display(target), warning, "call it directly or hand the model the generated AIFunction"));
            }
            else
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GuardedToolAsDelegate, location, properties,
                    "[AgentLoop] method", AgentSymbols.Display(target), warning, "its caps do not apply there; call it directly"));
            }
        }

        /// <summary>The whole call for <c>method?.Invoke(...)</c>, not only its <c>.Invoke(...)</c> part.</summary>
        private static SyntaxNode WholeCall(SyntaxNode call)
        {
            SyntaxNode node = call;
            while (node.Parent is ConditionalAccessExpressionSyntax access && access.WhenNotNull == node)
            {
                node = access;
            }

            return node;
        }

        private static bool IsInsideNameOf(IOperation operation)
        {
            for (IOperation? current = operation.Parent; current != null; current = current.Parent)
            {
                if (current is INameOfOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInExpressionTree(IOperation operation)
        {
            SemanticModel? model = operation.SemanticModel;
            if (model == null)
            {
                return false;
            }

            foreach (AnonymousFunctionExpressionSyntax lambda in operation.Syntax.Ancestors().OfType<AnonymousFunctionExpressionSyntax>())
            {
                ITypeSymbol? converted = model.GetTypeInfo(lambda).ConvertedType;
                for (ITypeSymbol? type = converted; type != null; type = type.BaseType)
                {
                    if (type.Name == "LambdaExpression" && type.ContainingNamespace?.ToDisplayString() == "System.Linq.Expressions")
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
