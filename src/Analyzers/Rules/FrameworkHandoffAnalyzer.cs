using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.ToolReferences;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0004: a privileged tool handed to a framework that calls it by reflection or through a delegate, where
    /// no interceptor runs, while no AgentQuotas integration for that framework is registered in the
    /// compilation. Handoffs: Semantic Kernel plugins and functions from objects, types and methods; AIFunctionFactory.Create
    /// with a method group, delegate or MethodInfo (unless the result goes straight into <c>.WithAgentQuotas()</c>);
    /// MCP's WithTools, WithToolsFromAssembly and McpServerTool.Create. Registered means a call to the
    /// integration's registration method appears anywhere in the compilation. When the integration is not even
    /// referenced the handoff is reported at once; otherwise only the whole compilation can tell, so it is
    /// reported at the end.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FrameworkHandoffAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnguardedPrivilegedTool,
            DiagnosticDescriptors.UnguardedPrivilegedToolInFramework);

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var symbols = AgentSymbols.Create(start.Compilation);
                if (symbols.Privileged == null)
                {
                    return; // no privileged tools without the runtime
                }

                var frameworks = FrameworkSymbols.Create(start.Compilation);
                if (!frameworks.HasFrameworks)
                {
                    return;
                }

                var state = new CompilationState(symbols, frameworks, ReflectionSymbols.Create(start.Compilation));
                start.RegisterOperationAction(state.AnalyzeInvocation, OperationKind.Invocation);
                if (frameworks.McpServerToolTypeAttribute != null)
                {
                    start.RegisterSymbolAction(state.CollectAssemblyTool, SymbolKind.Method);
                }

                start.RegisterCompilationEndAction(state.Report);
            });
        }

        private static string Consequence(Handoff handoff)
        {
            string how = "'" + handoff.How + "'";
            switch (handoff.Framework)
            {
                case FrameworkKind.ExtensionsAI:
                    return "the AIFunction made by " + how + " calls it through a delegate, where no interceptor runs, and no AgentQuotas integration guards function calls in this project; "
                        + "wrap the function with .WithAgentQuotas(), or register chatClientBuilder.UseAgentQuotas(...) (AgentQuotas.Extensions.AI) or agentBuilder.UseAgentQuotas(...) (AgentQuotas.Agents.AI)";
                case FrameworkKind.SemanticKernel:
                    return "Semantic Kernel calls it " + Mechanism(handoff) + " (" + how + "), where no interceptor runs, and no AgentQuotas integration for Semantic Kernel is registered in this project; "
                        + "register kernel.UseAgentQuotas(...) or kernelBuilder.AddAgentQuotas(...) (AgentQuotas.SemanticKernel)";
                default:
                    return "the MCP server calls it " + Mechanism(handoff) + " (" + how + "), where no interceptor runs, and no AgentQuotas integration for MCP is registered in this project; "
                        + "register mcpServerBuilder.AddAgentQuotas(...) (AgentQuotas.ModelContextProtocol)";
            }
        }

        private static string Mechanism(Handoff handoff) => handoff.Methods.Count > 0 ? "through a delegate" : "by reflection";

        /// <summary>Registrations seen and handoffs waiting for the end of the compilation.</summary>
        private sealed class CompilationState
        {
            private readonly AgentSymbols _symbols;
            private readonly FrameworkSymbols _frameworks;
            private readonly ReflectionSymbols _reflection;
            private readonly ConcurrentDictionary<AgentFramework, bool> _registered = new ConcurrentDictionary<AgentFramework, bool>();
            private readonly ConcurrentBag<Pending> _pending = new ConcurrentBag<Pending>();
            private readonly ConcurrentBag<IMethodSymbol> _assemblyTools = new ConcurrentBag<IMethodSymbol>();

            public CompilationState(AgentSymbols symbols, FrameworkSymbols frameworks, ReflectionSymbols reflection)
            {
                _symbols = symbols;
                _frameworks = frameworks;
                _reflection = reflection;
            }

            public void AnalyzeInvocation(OperationAnalysisContext context)
            {
                var invocation = (IInvocationOperation)context.Operation;
                AgentFramework? registration = _frameworks.RegistrationOf(invocation.TargetMethod);
                if (registration != null)
                {
                    _registered[registration.Value] = true;
                    return;
                }

                Handoff? handoff = _frameworks.HandoffOf(invocation, _reflection);
                if (handoff == null || (handoff.Framework == FrameworkKind.ExtensionsAI && _frameworks.IsWrappedWithAgentQuotas(invocation)))
                {
                    return;
                }

                Location location = invocation.Syntax.GetLocation();
                if (handoff.WholeAssembly)
                {
                    _pending.Add(new Pending(handoff, location, ImmutableArray<IMethodSymbol>.Empty));
                    return;
                }

                ImmutableArray<IMethodSymbol> tools = _frameworks.ToolsOf(handoff)
                    .Where(m => AgentSymbols.FindAttribute(AgentSymbols.Normalize(m), _symbols.Privileged) != null)
                    .Distinct<IMethodSymbol>(SymbolEqualityComparer.Default)
                    .ToImmutableArray();
                if (tools.IsEmpty)
                {
                    return;
                }

                if (!_frameworks.IsIntegrationReferenced(handoff.Framework))
                {
                    // Nothing in this compilation can register the integration: no need to wait for the end.
                    Report(context.ReportDiagnostic, DiagnosticDescriptors.UnguardedPrivilegedTool, handoff, location, tools);
                    return;
                }

                _pending.Add(new Pending(handoff, location, tools));
            }

            /// <summary>Privileged [McpServerTool] methods of [McpServerToolType] types: what WithToolsFromAssembly() exposes.</summary>
            public void CollectAssemblyTool(SymbolAnalysisContext context)
            {
                var method = (IMethodSymbol)context.Symbol;
                if (AgentSymbols.FindAttribute(method, _symbols.Privileged) != null
                    && AgentSymbols.FindAttribute(method, _frameworks.McpServerToolAttribute) != null
                    && AgentSymbols.FindAttribute(method.ContainingType, _frameworks.McpServerToolTypeAttribute) != null)
                {
                    _assemblyTools.Add(method);
                }
            }

            public void Report(CompilationAnalysisContext context)
            {
                ImmutableArray<IMethodSymbol> assemblyTools = _assemblyTools
                    .OrderBy(m => m.Locations[0].SourceTree?.FilePath, StringComparer.Ordinal)
                    .ThenBy(m => m.Locations[0].SourceSpan.Start)
                    .ToImmutableArray();
                foreach (Pending pending in _pending.OrderBy(p => p.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(p => p.Location.SourceSpan.Start))
                {
                    if (_registered.Keys.Any(pending.Handoff.IsGuardedBy))
                    {
                        continue;
                    }

                    Report(context.ReportDiagnostic, DiagnosticDescriptors.UnguardedPrivilegedToolInFramework, pending.Handoff, pending.Location,
                        pending.Handoff.WholeAssembly ? assemblyTools : pending.Tools);
                }
            }

            private static void Report(Action<Diagnostic> report, DiagnosticDescriptor descriptor, Handoff handoff, Location location, ImmutableArray<IMethodSymbol> tools)
            {
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(DiagnosticProperties.Kind, DiagnosticProperties.ReferenceKind);
                string consequence = Consequence(handoff);
                foreach (IMethodSymbol tool in tools)
                {
                    report(Diagnostic.Create(descriptor, location, properties, AgentSymbols.Display(tool), consequence));
                }
            }
        }

        private sealed class Pending
        {
            public Pending(Handoff handoff, Location location, ImmutableArray<IMethodSymbol> tools)
            {
                Handoff = handoff;
                Location = location;
                Tools = tools;
            }

            public Handoff Handoff { get; }

            public Location Location { get; }

            public ImmutableArray<IMethodSymbol> Tools { get; }
        }
    }
}
