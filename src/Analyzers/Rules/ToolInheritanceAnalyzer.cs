using System.Collections.Generic;
using System.Collections.Immutable;
using AgentQuotas.Analyzers.Tools;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0004: a privileged tool reachable through a member that does not carry [Privileged]: an interface
    /// member it implements or a base virtual or abstract member it overrides. A call through
    /// <c>((IRefunds)tools).IssueRefundAsync(...)</c> binds to the interface member, and interceptors wrap only
    /// calls to annotated members, so it would run without the guard (and without approval). Attributes placed on
    /// the interface or base member make every call through it guarded (and implementations inherit them), so the
    /// rule is silent when that member is itself [Privileged].
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ToolInheritanceAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnguardedPrivilegedTool);

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
                    return;
                }

                start.RegisterSymbolAction(c => AnalyzeMethod(c, symbols), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, AgentSymbols symbols)
        {
            var method = (IMethodSymbol)context.Symbol;
            if (method.PartialDefinitionPart != null
                || method.IsStatic
                || AgentSymbols.FindAttribute(method, symbols.Privileged) == null)
            {
                return;
            }

            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.Kind, DiagnosticProperties.ReferenceKind);
            foreach (IMethodSymbol exposed in ExposingMembers(method))
            {
                if (AgentSymbols.FindAttribute(exposed.OriginalDefinition, symbols.Privileged) != null)
                {
                    continue; // calls through it are guarded with its own annotations
                }

                bool isInterface = exposed.ContainingType.TypeKind == TypeKind.Interface;
                string member = "'" + exposed.ContainingType.Name + "." + exposed.Name + "'";
                string relation = isInterface ? "implements " + member : "overrides " + member;
                string through = isInterface ? "the interface" : "the base type";
                string fix = exposed.Locations.Length > 0 && exposed.Locations[0].IsInSource
                    ? "copy [Privileged], [Cost] and the category to " + member + " (implementations inherit them)"
                    : "do not expose the tool through " + member + ", which is declared in another assembly: implement it with a method that calls the tool directly (that call is intercepted)";
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnguardedPrivilegedTool,
                    method.Locations[0],
                    properties,
                    AgentSymbols.Display(method),
                    "it " + relation + ", which is not [Privileged], so calls through " + through + " are not intercepted and run it without the guard or approval; " + fix));
            }
        }

        /// <summary>The interface members the method implements (implicitly or explicitly) and the members it overrides, nearest first.</summary>
        private static IEnumerable<IMethodSymbol> ExposingMembers(IMethodSymbol method)
        {
            for (IMethodSymbol? overridden = method.OverriddenMethod; overridden != null; overridden = overridden.OverriddenMethod)
            {
                yield return overridden;
            }

            foreach (IMethodSymbol explicitMember in method.ExplicitInterfaceImplementations)
            {
                yield return explicitMember;
            }

            if (method.ExplicitInterfaceImplementations.Length > 0 || method.DeclaredAccessibility != Accessibility.Public)
            {
                yield break; // explicit implementations implement only what they name; only public methods implement implicitly
            }

            INamedTypeSymbol type = method.ContainingType;
            foreach (INamedTypeSymbol @interface in type.AllInterfaces)
            {
                foreach (ISymbol member in @interface.GetMembers(method.Name))
                {
                    if (member is IMethodSymbol interfaceMethod
                        && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(interfaceMethod), method))
                    {
                        yield return interfaceMethod;
                    }
                }
            }
        }
    }
}
