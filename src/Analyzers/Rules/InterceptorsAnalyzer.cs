using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using AgentQuotas.Analyzers.Tools;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AgentQuotas.Analyzers.Rules
{
    /// <summary>
    /// AQ0011: the code calls guarded tools or [AgentLoop] methods, but the compiler would reject
    /// interceptors in AgentQuotas.Generated, so no call would be guarded. Reported once per compilation,
    /// at the first such call, with the number of calls affected.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InterceptorsAnalyzer : DiagnosticAnalyzer
    {
        // The compiler reads the MSBuild property InterceptorsNamespaces (and its preview-era spelling) from these features.
        private static readonly string[] FeatureNames = { "InterceptorsNamespaces", "InterceptorsPreviewNamespaces" };

        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.InterceptorsNotEnabled);

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

                var enabledByTree = new ConcurrentDictionary<SyntaxTree, bool>();
                var unguarded = new ConcurrentBag<(Location Location, string Target)>();
                start.RegisterOperationAction(c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    IMethodSymbol target = invocation.TargetMethod;
                    if (!symbols.IsIntercepted(target))
                    {
                        return;
                    }

                    SyntaxTree tree = invocation.Syntax.SyntaxTree;
                    if (!enabledByTree.GetOrAdd(tree, t => IsEnabled(t.Options)))
                    {
                        unguarded.Add((invocation.Syntax.GetLocation(), AgentSymbols.Display(target)));
                    }
                }, OperationKind.Invocation);

                start.RegisterCompilationEndAction(c =>
                {
                    if (unguarded.IsEmpty)
                    {
                        return;
                    }

                    // Deterministic: the first call in path order, whatever order the threads found them in.
                    var first = unguarded
                        .OrderBy(u => u.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                        .ThenBy(u => u.Location.SourceSpan.Start)
                        .First();
                    c.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InterceptorsNotEnabled, first.Location, unguarded.Count, first.Target));
                });
            });
        }

        /// <summary>Whether the parse options list AgentQuotas.Generated (or a namespace containing it) for interceptors.</summary>
        internal static bool IsEnabled(ParseOptions options)
        {
            foreach (string feature in FeatureNames)
            {
                if (options.Features.TryGetValue(feature, out string? value) && Lists(value, WellKnownNames.GeneratedNamespace))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Lists(string value, string generatedNamespace)
        {
            IEnumerable<string> namespaces = value.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim());
            foreach (string listed in namespaces)
            {
                if (string.Equals(listed, generatedNamespace, StringComparison.Ordinal)
                    || generatedNamespace.StartsWith(listed + ".", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
