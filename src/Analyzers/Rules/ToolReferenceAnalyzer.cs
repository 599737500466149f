using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.ToolReferences;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0004 / AQ0007: a guarded tool (or an [AgentLoop] method) reached where the guard cannot wrap the call. Interceptors rewrite call
    /// sites; a method group or delegate, a reflection call (MethodInfo.Invoke, CreateDelegate,
    /// Type.InvokeMember on a method found by name), a dynamically bound call and a call inside an expression
    /// tree are not call sites the compiler binds, so they run the tool unguarded. Privileged tools are errors
    /// (AQ0004), others warnings (AQ0007). Reflection that can reach a privileged tool without naming it (a
    /// computed name, a GetMethods scan on its type) is an error too. A lambda that merely forwards
    /// (<c>q =&gt; tools.SearchAsync(q)</c>) is recognised as an ordinary call site, which the generator does
    /// intercept, and is not reported. A method group handed to a framework (AIFunctionFactory.Create and the
    /// like) is judged by <see cref="FrameworkHandoffAnalyzer"/> when the tool is privileged: a registered
    /// integration guards it there. A guarded, non-privileged tool handed over that way is AQ0007 only when no
    /// integration for the framework is registered anywhere in the compilation (the integration finds the tool by
    /// its method and guards it like a direct call); when the integration is referenced, only the end of the
    /// compilation can tell, so the warning waits for it.
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
                var frameworks = FrameworkSymbols.Create(start.Compilation);
                var dynamicCalls = new DynamicCalls(symbols);
                var handoffs = new HandoffWarnings(symbols, frameworks);
                start.RegisterOperationAction(c => AnalyzeMethodReference(c, symbols, frameworks, reflection, handoffs), OperationKind.MethodReference);
                start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, reflection, handoffs), OperationKind.Invocation);
                start.RegisterCompilationEndAction(handoffs.Report);
                start.RegisterOperationAction(c => AnalyzeDynamicInvocation(c, symbols, dynamicCalls), OperationKind.DynamicInvocation);
            });
        }

        private static void AnalyzeMethodReference(OperationAnalysisContext context, AgentSymbols symbols, FrameworkSymbols frameworks, ReflectionSymbols reflection, HandoffWarnings handoffs)
        {
            var reference = (IMethodReferenceOperation)context.Operation;
            IMethodSymbol method = reference.Method;
            if (!IsWrapped(symbols, method) || IsInsideNameOf(reference))
            {
                return;
            }

            IInvocationOperation? handoff = HandoffTakingIt(reference, frameworks, reflection);
            if (handoff != null && (symbols.IsPrivileged(method) || frameworks.IsWrappedWithAgentQuotas(handoff)))
            {
                return; // the framework's integration decides (FrameworkHandoffAnalyzer), or .WithAgentQuotas() guards it
            }

            if (handoff != null && symbols.IsGuardedTool(method) && frameworks.HandoffOf(handoff, reflection) is Handoff framework)
            {
                handoffs.Add(context, framework, method, reference.Syntax.GetLocation());
                return;
            }

            Report(context, symbols, method, reference.Syntax.GetLocation(),
                "used as a method group",
                "it is used as a method group, so calls through the delegate bypass the guard; call it directly, forward to it from a lambda, or hand the model the generated AIFunction");
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, AgentSymbols symbols, ReflectionSymbols reflection, HandoffWarnings handoffs)
        {
            var invocation = (IInvocationOperation)context.Operation;
            IMethodSymbol target = invocation.TargetMethod;
            if (handoffs.SawRegistration(target))
            {
                return;
            }

            if (IsWrapped(symbols, target))
            {
                if (IsInExpressionTree(invocation))
                {
                    Report(context, symbols, target, invocation.Syntax.GetLocation(),
                        "called inside an expression tree",
                        "it is called inside an expression tree, which is data rather than a call site the guard can wrap; call it outside the expression tree");
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
                    "it is invoked through reflection (" + how + "), which the guard cannot wrap; call it directly or hand the model the generated AIFunction");
            }

            ITypeSymbol? searched = reflection.ResolveOpenLookup(invocation, out string lookup);
            if (searched != null && symbols.Privileged != null)
            {
                string what = lookup.EndsWith("s", StringComparison.Ordinal)
                    ? "'" + lookup + "' lists the methods of '" + searched.Name + "'"
                    : "'" + lookup + "' looks up a method of '" + searched.Name + "' by a computed name";
                foreach (IMethodSymbol tool in PrivilegedMethodsOf(symbols, searched))
                {
                    Report(context, symbols, tool, WholeCall(invocation.Syntax).GetLocation(), string.Empty,
                        what + ", so it can reach the tool and run it by reflection, which the guard cannot wrap; "
                        + "look methods up by a literal name (so calls through them are checked), or call the tool directly or through the generated AIFunction");
                }
            }
        }

        /// <summary>
        /// A call bound at run time (a <c>dynamic</c> receiver, or <c>dynamic</c> arguments) is never intercepted.
        /// Reported when a guarded tool of that name could be the method it binds to.
        /// </summary>
        private static void AnalyzeDynamicInvocation(OperationAnalysisContext context, AgentSymbols symbols, DynamicCalls dynamicCalls)
        {
            var invocation = (IDynamicInvocationOperation)context.Operation;
            foreach (IMethodSymbol tool in dynamicCalls.CandidatesOf(invocation))
            {
                Report(context, symbols, tool, invocation.Syntax.GetLocation(),
                    "called dynamically",
                    "it may be called dynamically here ('dynamic' is bound at run time, and such calls are never intercepted); call it through a statically typed reference");
            }
        }

        /// <summary>Privileged methods of the type and its base types: what reflection on the type can reach.</summary>
        private static IEnumerable<IMethodSymbol> PrivilegedMethodsOf(AgentSymbols symbols, ITypeSymbol type)
        {
            for (ITypeSymbol? current = type; current != null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                foreach (IMethodSymbol method in current.GetMembers().OfType<IMethodSymbol>())
                {
                    if (method.MethodKind == MethodKind.Ordinary && symbols.IsPrivileged(method))
                    {
                        yield return method;
                    }
                }
            }
        }

        /// <summary>The framework call (AIFunctionFactory.Create, ...) the method group is handed to as its tool, if any.</summary>
        private static IInvocationOperation? HandoffTakingIt(IOperation reference, FrameworkSymbols frameworks, ReflectionSymbols reflection)
        {
            IOperation? current = reference.Parent;
            while (current is IDelegateCreationOperation || current is IConversionOperation)
            {
                current = current.Parent;
            }

            return current is IArgumentOperation argument
                && argument.Parent is IInvocationOperation invocation
                && frameworks.HandoffOf(invocation, reflection) != null
                    ? invocation
                    : null;
        }

        /// <summary>Methods whose calls the generator wraps: guarded tools, and [AgentLoop] methods (for their caps).</summary>
        private static bool IsWrapped(AgentSymbols symbols, IMethodSymbol method) =>
            symbols.IsIntercepted(method);

        private static void Report(OperationAnalysisContext context, AgentSymbols symbols, IMethodSymbol target, Location location, string warning, string error) =>
            Report(context.ReportDiagnostic, symbols, target, location, warning, error);

        private static void Report(Action<Diagnostic> report, AgentSymbols symbols, IMethodSymbol target, Location location, string warning, string error)
        {
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.Kind, DiagnosticProperties.ReferenceKind);
            if (symbols.IsPrivileged(target))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.UnguardedPrivilegedTool, location, properties, AgentSymbols.Display(target), error));
            }
            else if (symbols.IsGuardedTool(target))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.GuardedToolAsDelegate, location, properties,
                    "Guarded tool", AgentSymbols.Display(target), warning, "call it directly or hand the model the generated AIFunction"));
            }
            else
            {
                report(Diagnostic.Create(DiagnosticDescriptors.GuardedToolAsDelegate, location, properties,
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
    
        /// <summary>
        /// Guarded tools handed to a framework as method groups, waiting for the end of the compilation: a registered
        /// integration for the framework guards them there, so they are AQ0007 only when none is registered.
        /// </summary>
        private sealed class HandoffWarnings
        {
            private readonly AgentSymbols _symbols;
            private readonly FrameworkSymbols _frameworks;
            private readonly ConcurrentDictionary<AgentFramework, bool> _registered = new ConcurrentDictionary<AgentFramework, bool>();
            private readonly ConcurrentBag<(Handoff Handoff, IMethodSymbol Tool, Location Location)> _pending = new ConcurrentBag<(Handoff, IMethodSymbol, Location)>();

            public HandoffWarnings(AgentSymbols symbols, FrameworkSymbols frameworks)
            {
                _symbols = symbols;
                _frameworks = frameworks;
            }

            /// <summary>Records a call that registers an integration; true when the call is one.</summary>
            public bool SawRegistration(IMethodSymbol target)
            {
                AgentFramework? registration = _frameworks.RegistrationOf(target);
                if (registration == null)
                {
                    return false;
                }

                _registered[registration.Value] = true;
                return true;
            }

            public void Add(OperationAnalysisContext context, Handoff handoff, IMethodSymbol tool, Location location)
            {
                if (_frameworks.IsIntegrationReferenced(handoff.Framework))
                {
                    _pending.Add((handoff, tool, location));
                }
                else
                {
                    Warn(context.ReportDiagnostic, handoff, tool, location); // nothing in this compilation can register it
                }
            }

            public void Report(CompilationAnalysisContext context)
            {
                foreach (var pending in _pending
                    .OrderBy(p => p.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                    .ThenBy(p => p.Location.SourceSpan.Start))
                {
                    if (!_registered.Keys.Any(pending.Handoff.IsGuardedBy))
                    {
                        Warn(context.ReportDiagnostic, pending.Handoff, pending.Tool, pending.Location);
                    }
                }
            }

            private void Warn(Action<Diagnostic> report, Handoff handoff, IMethodSymbol tool, Location location) =>
                ToolReferenceAnalyzer.Report(report, _symbols, tool, location,
                    "handed to '" + handoff.How + "' as a method group, and no AgentQuotas integration for " + FrameworkName(handoff.Framework) + " is registered in this project",
                    string.Empty);

            private static string FrameworkName(FrameworkKind framework)
            {
                switch (framework)
                {
                    case FrameworkKind.ExtensionsAI:
                        return "Microsoft.Extensions.AI or the Agent Framework (chatClientBuilder.UseAgentQuotas(...), agentBuilder.UseAgentQuotas(...), or .WithAgentQuotas() on the function)";
                    case FrameworkKind.SemanticKernel:
                        return "Semantic Kernel (kernel.UseAgentQuotas(...) or kernelBuilder.AddAgentQuotas(...))";
                    default:
                        return "MCP (mcpServerBuilder.AddAgentQuotas(...))";
                }
            }
        }
    }
}
