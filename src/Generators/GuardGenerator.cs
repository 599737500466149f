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
    /// Wraps every call to a guarded tool ([Cost], [QuotaCategory], [Privileged], [AgentTool], on the method
    /// or a member it overrides or implements) in an interceptor that asks the current run's quota gate
    /// first, runs [AgentLoop] methods in a capped child run and counts the model calls in their bodies
    /// against it, and, when Microsoft.Extensions.AI.Abstractions is referenced, turns agent tools
    /// ([AgentTool], or [KernelFunction]/[McpServerTool] with a budget) into guarded AIFunctions. This file
    /// is the pipeline only: parsing is in <c>GuardGenerator.Parser*.cs</c>, writing in <c>GuardGenerator.Emitter*.cs</c>.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class GuardGenerator : IIncrementalGenerator
    {
        private const string KernelFunctionAttribute = "Microsoft.SemanticKernel.KernelFunctionAttribute";
        private const string McpServerToolAttribute = "ModelContextProtocol.Server.McpServerToolAttribute";

        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<CallSiteModel> callSites = context.SyntaxProvider
                .CreateSyntaxProvider(Parser.IsInvocation, static (c, ct) => SemanticCache.GetOrCompute(TrackingNames.CallSites, c.Node, c.SemanticModel.Compilation, () => Parser.ParseCallSite(c, ct), Reusable))
                .Where(static site => site is not null)
                .Select(static (site, _) => site!)
                .WithTrackingName(TrackingNames.CallSites);

            IncrementalValueProvider<ImmutableArray<CallSiteModel>> allCallSites = callSites
                .Collect()
                .WithTrackingName(TrackingNames.CollectedCallSites);

            IncrementalValueProvider<bool> aiFunctionsEnabled = context.CompilationProvider
                .Select(Parser.HasAIFunctions)
                .WithTrackingName(TrackingNames.AIFunctionsEnabled);

            // Every declaration with one of the attributes the generator reads, parsed once per edit of its file
            // (and reused from the SemanticCache when neither its file nor any declaration changed).
            IncrementalValuesProvider<AnnotatedMemberModel> members = context.SyntaxProvider
                .CreateSyntaxProvider(Parser.IsAttributedMember, static (c, ct) => SemanticCache.GetOrCompute(TrackingNames.AnnotatedMembers, c.Node, c.SemanticModel.Compilation, () => Parser.ParseAnnotatedMember(c, ct), Reusable))
                .Where(static member => member is not null)
                .Select(static (member, _) => member!)
                .WithTrackingName(TrackingNames.AnnotatedMembers);

            IncrementalValuesProvider<AIToolModel> agentTools = members
                .Where(static m => m.AgentTool is not null)
                .Select(static (m, _) => m.AgentTool!)
                .WithTrackingName(TrackingNames.AgentTools);

            IncrementalValuesProvider<AIToolModel> frameworkTools = members
                .SelectMany(static (m, _) => m.FrameworkTools.AsImmutableArray())
                .WithTrackingName(TrackingNames.FrameworkTools);

            IncrementalValueProvider<EquatableArray<AIToolModel>> allAgentTools = agentTools
                .Collect()
                .Combine(frameworkTools.Collect())
                .Combine(aiFunctionsEnabled)
                .Select(static (pair, _) => pair.Right ? pair.Left.Left.AddRange(pair.Left.Right).ToEquatableArray() : EquatableArray<AIToolModel>.Empty)
                .WithTrackingName(TrackingNames.CollectedAgentTools);

            IncrementalValuesProvider<GuardFileModel> files = allCallSites
                .Combine(allAgentTools)
                .SelectMany(static (pair, ct) => BuildFiles(pair.Left, pair.Right, ct))
                .WithTrackingName(TrackingNames.GuardFiles);

            IncrementalValueProvider<ImmutableArray<EquatableArray<DiagnosticInfo>>> declarations = members
                .Select(static (m, _) => m.Declarations)
                .Where(static diagnostics => diagnostics.Count > 0)
                .WithTrackingName(TrackingNames.Declarations)
                .Collect();

            IncrementalValueProvider<ImmutableArray<LoopBodyModel>> loopBodies = members
                .Where(static m => m.Loop is not null)
                .Select(static (m, _) => m.Loop!)
                .WithTrackingName(TrackingNames.LoopBodies)
                .Collect()
                .WithTrackingName(TrackingNames.CollectedLoopBodies);

            IncrementalValuesProvider<ModelCallFileModel> modelCallFiles = loopBodies
                .SelectMany(static (loops, ct) => BuildModelCallFiles(loops, ct))
                .WithTrackingName(TrackingNames.ModelCallFiles);

            IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = allCallSites
                .Combine(allAgentTools)
                .Combine(declarations)
                .Combine(loopBodies)
                .Select(static (pair, _) => pair.Left.Left.Left.SelectMany(s => s.Diagnostics)
                    .Concat(pair.Left.Left.Right.Select(t => t.Diagnostic).Where(d => d is not null).Select(d => d!))
                    .Concat(pair.Left.Right.SelectMany(d => d))
                    .Concat(pair.Right.SelectMany(l => l.Diagnostics))
                    .Distinct()
                    .ToEquatableArray())
                .WithTrackingName(TrackingNames.Diagnostics);

            InitializeRegistry(context, members);
            context.RegisterSourceOutput(files, static (spc, file) => spc.AddSource(file.HintName, Emitter.Emit(file)));
            context.RegisterSourceOutput(modelCallFiles, static (spc, file) => spc.AddSource(file.HintName, Emitter.EmitModelCalls(file)));
            context.RegisterSourceOutput(diagnostics, static (spc, all) =>
            {
                foreach (DiagnosticInfo d in all)
                {
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.For(d.Kind), d.Location?.ToLocation() ?? Location.None, d.Arguments.Cast<object>().ToArray()));
                }
            });
        }

        // Whether a parsed result may be reused in a later compilation (see SemanticCache): not when it points
        // into another file, whose positions an edit of that file's method bodies could move.
        private static bool Reusable(CallSiteModel? site, string path) => site is null || InFile(site.Diagnostics, path);

        private static bool Reusable(AnnotatedMemberModel? member, string path) =>
            member is null
            || (InFile(member.AgentTool, path) && member.FrameworkTools.All(t => InFile(t, path)) && InFile(member.Declarations, path)
                && (member.Loop is null || InFile(member.Loop.Diagnostics, path)));

        private static bool InFile(AIToolModel? tool, string path) => tool?.Diagnostic?.Location is not { } at || at.FilePath == path;

        private static bool InFile(EquatableArray<DiagnosticInfo> diagnostics, string path) =>
            diagnostics.All(d => d.Location is null || d.Location.FilePath == path);

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

        /// <summary>Groups [AgentLoop] methods with model calls by their type: one file per type, loops in a stable order.</summary>
        private static ImmutableArray<ModelCallFileModel> BuildModelCallFiles(ImmutableArray<LoopBodyModel> loops, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            return loops
                .Where(l => l.Calls.Count > 0)
                .GroupBy(l => l.FileHint)
                .OrderBy(g => g.Key, System.StringComparer.Ordinal)
                .Select(g => new ModelCallFileModel("AgentQuotas.ModelCalls." + g.Key + ".g.cs", "ModelCalls_" + g.Key,
                    g.OrderBy(l => l.Key, System.StringComparer.Ordinal).ToEquatableArray()))
                .ToImmutableArray();
        }
    }
}
