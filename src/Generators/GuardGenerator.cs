using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AgentQuotas.Diagnostics;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators
{
    /// <summary>
    /// Wraps every call to a guarded tool ([Cost], [QuotaCategory], [Privileged], [AgentTool]) in an
    /// interceptor that asks the current run's quota gate first, runs [AgentLoop] methods in a capped child
    /// run, and, when Microsoft.Extensions.AI.Abstractions is referenced, turns [AgentTool] methods into
    /// guarded AIFunctions. This file is the pipeline only: parsing is in <c>GuardGenerator.Parser.cs</c>,
    /// writing in <c>GuardGenerator.Emitter.cs</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class GuardGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<CallSiteModel> callSites = context.SyntaxProvider
                .CreateSyntaxProvider(Parser.IsInvocation, Parser.ParseCallSite)
                .Where(static site => site is not null)
                .Select(static (site, _) => site!)
                .WithTrackingName(TrackingNames.CallSites);

            IncrementalValueProvider<ImmutableArray<CallSiteModel>> allCallSites = callSites
                .Collect()
                .WithTrackingName(TrackingNames.CollectedCallSites);

            IncrementalValueProvider<bool> aiFunctionsEnabled = context.CompilationProvider
                .Select(Parser.HasAIFunctions)
                .WithTrackingName(TrackingNames.AIFunctionsEnabled);

            IncrementalValuesProvider<AIToolModel> agentTools = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    WellKnownNames.AgentToolAttribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    Parser.ParseAgentTool)
                .Where(static tool => tool is not null)
                .Select(static (tool, _) => tool!)
                .WithTrackingName(TrackingNames.AgentTools);

            IncrementalValueProvider<EquatableArray<AIToolModel>> allAgentTools = agentTools
                .Collect()
                .Combine(aiFunctionsEnabled)
                .Select(static (pair, _) => pair.Right ? pair.Left.ToEquatableArray() : EquatableArray<AIToolModel>.Empty)
                .WithTrackingName(TrackingNames.CollectedAgentTools);

            IncrementalValuesProvider<GuardFileModel> files = allCallSites
                .Combine(allAgentTools)
                .SelectMany(static (pair, ct) => BuildFiles(pair.Left, pair.Right, ct))
                .WithTrackingName(TrackingNames.GuardFiles);

            IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = allCallSites
                .Combine(allAgentTools)
                .Select(static (pair, _) => pair.Left.Select(s => s.Diagnostic).Concat(pair.Right.Select(t => t.Diagnostic))
                    .Where(d => d is not null).Select(d => d!).ToEquatableArray())
                .WithTrackingName(TrackingNames.Diagnostics);

            InitializeRegistry(context);
            context.RegisterSourceOutput(files, static (spc, file) => spc.AddSource(file.HintName, Emitter.Emit(file)));
            context.RegisterSourceOutput(diagnostics, static (spc, all) =>
            {
                foreach (DiagnosticInfo d in all)
                {
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.For(d.Kind), d.Location?.ToLocation() ?? Location.None, d.Arguments.Cast<object>().ToArray()));
                }
            });
        }

        /// <summary>Groups call sites and tools by tool type: one file per type, methods and sites in a stable order.</summary>
        private static ImmutableArray<GuardFileModel> BuildFiles(ImmutableArray<CallSiteModel> sites, EquatableArray<AIToolModel> tools, CancellationToken ct)
        {
            var byFile = new SortedDictionary<string, (SortedDictionary<string, (MethodModel Method, List<InterceptLocationModel> Sites)> Methods, List<AIToolModel> Tools)>(System.StringComparer.Ordinal);

            (SortedDictionary<string, (MethodModel, List<InterceptLocationModel>)>, List<AIToolModel>) FileFor(string hint)
            {
                if (!byFile.TryGetValue(hint, out var file))
                {
                    file = (new SortedDictionary<string, (MethodModel, List<InterceptLocationModel>)>(System.StringComparer.Ordinal), new List<AIToolModel>());
                    byFile.Add(hint, file);
                }

                return file;
            }

            foreach (CallSiteModel site in sites)
            {
                ct.ThrowIfCancellationRequested();
                if (site.Method is null || site.Location is null)
                {
                    continue;
                }

                var methods = FileFor(site.FileHint).Item1;
                if (!methods.TryGetValue(site.Method.Key, out var entry))
                {
                    entry = (site.Method, new List<InterceptLocationModel>());
                    methods.Add(site.Method.Key, entry);
                }

                entry.Item2.Add(site.Location);
            }

            foreach (AIToolModel tool in tools)
            {
                if (tool.Method is null)
                {
                    continue;
                }

                var file = FileFor(tool.ClassKey);
                if (!file.Item1.ContainsKey(tool.Method.Key))
                {
                    file.Item1.Add(tool.Method.Key, (tool.Method, new List<InterceptLocationModel>()));
                }

                file.Item2.Add(tool);
            }

            ImmutableArray<GuardFileModel>.Builder result = ImmutableArray.CreateBuilder<GuardFileModel>(byFile.Count);
            foreach (var file in byFile)
            {
                EquatableArray<InterceptedMethodModel> methods = file.Value.Item1.Values
                    .Select(m => new InterceptedMethodModel(m.Item1, m.Item2
                        .GroupBy(l => l.Data).Select(g => g.First())
                        .OrderBy(l => l.Display, System.StringComparer.Ordinal).ThenBy(l => l.Data, System.StringComparer.Ordinal)
                        .ToEquatableArray()))
                    .ToEquatableArray();
                EquatableArray<AIToolModel> fileTools = file.Value.Item2
                    .OrderBy(t => t.FunctionName, System.StringComparer.Ordinal).ThenBy(t => t.Method!.Key, System.StringComparer.Ordinal)
                    .ToEquatableArray();
                result.Add(new GuardFileModel("AgentQuotas.Guards." + file.Key + ".g.cs", "Guards_" + file.Key, methods, fileTools));
            }

            return result.MoveToImmutable();
        }
    }
}
