using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;

namespace AgentQuotas.Generators
{
    // The interceptors of the model calls in [AgentLoop] methods: each hands the call to the loop's
    // AgentLoopGuard, which counts it against the loop's run (opening the run when the method was not
    // entered through an interceptor) and charges its tokens.
    public sealed partial class GuardGenerator
    {
        internal static partial class Emitter
        {
            private const string Usage = "global::AgentQuotas.Guard.ModelTokenUsage";

            public static string EmitModelCalls(ModelCallFileModel file)
            {
                var w = new IndentedWriter();
                WriteHeader(w, "model calls in [AgentLoop] methods, counted against the loop's caps", file.Loops.SelectMany(l => l.Calls).Select(c => c.Api));
                WriteInterceptsLocationAttribute(w);

                var groups = file.Loops.Select((loop, i) => (Loop: loop, Index: i, Calls: loop.Calls
                        .GroupBy(c => (c.Api.Key, c.Nested))
                        .OrderBy(g => g.Key.Key, System.StringComparer.Ordinal).ThenBy(g => g.Key.Nested)
                        .Select(g => (First: g.First(), Sites: g.Select(c => c.Location).GroupBy(l => l.Data).Select(l => l.First())
                            .OrderBy(l => l.Display, System.StringComparer.Ordinal).ThenBy(l => l.Data, System.StringComparer.Ordinal).ToList()))
                        .ToList()))
                    .ToList();

                var members = new HashSet<string>(System.StringComparer.Ordinal) { file.ClassName, "ChatUsage", "ContentsUsage", "KernelUsage", "KernelListUsage" };
                foreach (var loop in groups)
                {
                    members.Add("s_loop_" + loop.Index.ToString(CultureInfo.InvariantCulture));
                    for (int k = 0; k < loop.Calls.Count; k++)
                    {
                        members.Add(ModelCallName(loop.Calls[k].First.Api, loop.Index, k));
                    }
                }

                w.Line("namespace AgentQuotas.Generated");
                w.OpenBrace();
                Usings(w, file.Loops.SelectMany(l => l.Calls).Select(c => c.Api));
                w.Line(GeneratedCode);
                w.Line("file static class " + file.ClassName);
                w.OpenBrace();
                foreach (var loop in groups)
                {
                    if (LoopProblem(loop.Loop.Caps) is null)
                    {
                        w.Line($"internal static readonly {LoopGuard} s_loop_{loop.Index} = {NewLoopGuard(loop.Loop.DisplayName, loop.Loop.Caps)};");
                    }
                }

                foreach (var loop in groups)
                {
                    for (int k = 0; k < loop.Calls.Count; k++)
                    {
                        w.Line();
                        WriteModelCall(w, loop.Loop, loop.Index, k, loop.Calls[k].First, loop.Calls[k].Sites, members);
                    }
                }

                WriteUsageReaders(w, new HashSet<UsageKind>(file.Loops.SelectMany(l => l.Calls).Select(c => c.Usage)), file.Loops.Any(l => l.ReadsOpenAIUsage));
                w.CloseBrace();
                w.CloseBrace();
                return w.ToString();
            }

            private static string ModelCallName(MethodModel api, int loop, int call) =>
                api.Target.Name + "_" + loop.ToString(CultureInfo.InvariantCulture) + "_" + call.ToString(CultureInfo.InvariantCulture);

            private static void WriteModelCall(IndentedWriter w, LoopBodyModel loop, int index, int call, ModelCallModel model, List<InterceptLocationModel> sites, ISet<string> members)
            {
                MethodModel api = model.Api;
                MethodNames n = MethodNames.For(api, members);
                w.Line($"// {CSharpText.Comment(api.DisplayName)} in [AgentLoop] {CSharpText.Comment(loop.DisplayName)}{(model.Nested ? " (in a lambda or local function)" : string.Empty)}: one iteration of the loop's run per call");
                foreach (InterceptLocationModel site in sites)
                {
                    w.Line($"[global::System.Runtime.CompilerServices.InterceptsLocation({site.Version.ToString(CultureInfo.InvariantCulture)}, {Str(site.Data)})] // {CSharpText.Comment(site.Display)}");
                }

                w.Line($"internal static {api.ReturnType} {ModelCallName(api, index, call)}{TypeParameters(api)}({InterceptorParameters(api, n)}){Constraints(api)}");
                w.OpenBrace();
                string? problem = LoopProblem(loop.Caps);
                if (problem is not null)
                {
                    w.Line($"throw new global::System.InvalidOperationException({Str(problem)});");
                    w.CloseBrace();
                    return;
                }

                var values = new List<string>();
                if (api.Kind == CallKind.Instance)
                {
                    values.Add(n.Receiver);
                }

                values.AddRange(api.Parameters.Select((p, i) => n.Parameter(i)));
                string state = values.Count == 1 ? values[0] : "(" + string.Join(", ", values) + ")";
                string Item(int i) => values.Count == 1 ? n.State : n.State + ".Item" + (i + 1).ToString(CultureInfo.InvariantCulture);
                int first = api.Kind == CallKind.Instance ? 1 : 0;
                List<string> args = api.Parameters.Select((p, i) => p.ArgumentModifier + Item(first + i)).ToList();
                string target = api.Kind == CallKind.Instance
                    ? $"{Item(0)}.{NameScope.Escape(api.Target.Name)}{MethodTypeArguments(api)}({string.Join(", ", args)})"
                    : StaticCall(api, api.Target.Name, args);
                string invoke = model.Streaming ? "InvokeStreaming" : "InvokeAsync";
                w.Line($"return s_loop_{index}.{invoke}({Bool(model.Nested)}, {state}, static {n.State} => {target}, {UsageReader(model.Usage, n.Lambda)});");
                w.CloseBrace();
            }

            private static string UsageReader(UsageKind kind, string r) => kind switch
            {
                UsageKind.ChatResponse or UsageKind.AgentResponse => $"static {r} => ChatUsage({r}.Usage)",
                UsageKind.UpdateContents => $"static {r} => ContentsUsage({r}.Contents)",
                UsageKind.KernelMetadata => $"static {r} => KernelUsage({r}.Metadata)",
                UsageKind.KernelMetadataList => $"static {r} => KernelListUsage({r})",
                _ => "null",
            };

            private static void WriteUsageReaders(IndentedWriter w, ISet<UsageKind> kinds, bool readsOpenAI)
            {
                bool kernel = kinds.Contains(UsageKind.KernelMetadata) || kinds.Contains(UsageKind.KernelMetadataList);
                if (kinds.Contains(UsageKind.ChatResponse) || kinds.Contains(UsageKind.AgentResponse) || kinds.Contains(UsageKind.UpdateContents) || kernel)
                {
                    w.Line();
                    w.Line($"private static {Usage} ChatUsage(global::Microsoft.Extensions.AI.UsageDetails? usage) =>");
                    w.Line($"    usage is null ? default : {Usage}.From(usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount);");
                }

                if (kinds.Contains(UsageKind.UpdateContents))
                {
                    WriteSum(w, "ContentsUsage", "global::System.Collections.Generic.IList<global::Microsoft.Extensions.AI.AIContent>", "global::Microsoft.Extensions.AI.AIContent",
                        "content is global::Microsoft.Extensions.AI.UsageContent used ? ChatUsage(used.Details) : default");
                }

                if (kernel)
                {
                    // Semantic Kernel reports usage in metadata: UsageDetails from chat clients, ChatTokenUsage from its OpenAI connector.
                    w.Line();
                    w.Line($"private static {Usage} KernelUsage(global::System.Collections.Generic.IReadOnlyDictionary<string, object?>? metadata)");
                    w.OpenBrace();
                    w.Line("if (metadata is null || !metadata.TryGetValue(\"Usage\", out object? usage))");
                    w.OpenBrace();
                    w.Line("return default;");
                    w.CloseBrace();
                    w.Line();
                    w.Line("if (usage is global::Microsoft.Extensions.AI.UsageDetails details)");
                    w.OpenBrace();
                    w.Line("return ChatUsage(details);");
                    w.CloseBrace();
                    if (readsOpenAI)
                    {
                        w.Line();
                        w.Line("if (usage is global::OpenAI.Chat.ChatTokenUsage openAI)");
                        w.OpenBrace();
                        w.Line($"return {Usage}.From(openAI.InputTokenCount, openAI.OutputTokenCount, openAI.TotalTokenCount);");
                        w.CloseBrace();
                    }

                    w.Line();
                    w.Line("return default;");
                    w.CloseBrace();
                }

                if (kinds.Contains(UsageKind.KernelMetadataList))
                {
                    WriteSum(w, "KernelListUsage", "global::System.Collections.Generic.IEnumerable<global::Microsoft.SemanticKernel.KernelContent>", "global::Microsoft.SemanticKernel.KernelContent",
                        "KernelUsage(content.Metadata)");
                }
            }

            // A reader that adds up the usage of each item of a collection.
            private static void WriteSum(IndentedWriter w, string name, string collectionType, string itemType, string itemUsage)
            {
                w.Line();
                w.Line($"private static {Usage} {name}({collectionType} contents)");
                w.OpenBrace();
                w.Line($"{Usage} total = default;");
                w.Line($"foreach ({itemType} content in contents)");
                w.OpenBrace();
                w.Line($"total += {itemUsage};");
                w.CloseBrace();
                w.Line();
                w.Line("return total;");
                w.CloseBrace();
            }
        }
    }
}
