using System.Globalization;
using System.Linq;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;

namespace AgentQuotas.Generators
{
    // The guarded AIFunction of each agent tool, and the factory that creates them.
    public sealed partial class GuardGenerator
    {
        internal static partial class Emitter
        {
            private const string AIArguments = "global::Microsoft.Extensions.AI.AIFunctionArguments";

            private static void WriteAIFunction(IndentedWriter w, GuardFileModel file, AIToolModel tool, int toolIndex)
            {
                MethodModel m = tool.Method!;
                int index = IndexOf(file, m);
                string p = Prefix(m, index);
                string g = file.ClassName;
                string cls = AIFunctionClass(tool, toolIndex);
                bool instance = m.Kind == CallKind.Instance;

                // In InvokeCoreAsync only the locals below are simple names besides the members used through
                // 'this.' and the two classes; the user's parameter names become locals only when free.
                var scope = new NameScope(new[] { g, cls });
                string argumentsName = scope.Claim("__arguments");
                string tokenName = scope.Claim("__cancellationToken");
                string[] locals = tool.Arguments.Select(a => scope.Claim(a.Local)).ToArray();
                string ticket = scope.Claim("__ticket");
                string degraded = scope.Claim("__degraded");
                string kernel = scope.Claim("__kernel");

                w.Line(GeneratedCode);
                w.Line($"file sealed class {cls} : global::Microsoft.Extensions.AI.AIFunction, global::AgentQuotas.Tools.IGuardedTool");
                w.OpenBrace();
                w.Line("global::AgentQuotas.Tools.ToolDescriptor? global::AgentQuotas.Tools.IGuardedTool.Descriptor => null;");
                w.Line();
                w.Line($"private static readonly global::System.Text.Json.JsonElement s_schema = global::AgentQuotas.Guard.ToolSchema.Parse({Str(tool.SchemaJson)});");
                if (instance)
                {
                    w.Line($"private readonly {tool.ClassType} _target;");
                    w.Line();
                    w.Line($"public {cls}({tool.ClassType} target)");
                    w.OpenBrace();
                    w.Line("_target = target;");
                    w.CloseBrace();
                }

                w.Line();
                w.Line($"public override string Name => {Str(tool.FunctionName)};");
                w.Line();
                w.Line($"public override string Description => {Str(tool.Description)};");
                w.Line();
                w.Line("public override global::System.Text.Json.JsonElement JsonSchema => s_schema;");
                w.Line();
                w.Line($"protected override async global::System.Threading.Tasks.ValueTask<object?> InvokeCoreAsync({AIArguments} {argumentsName}, global::System.Threading.CancellationToken {tokenName})");
                w.OpenBrace();
                w.Line($"global::System.ArgumentNullException.ThrowIfNull({argumentsName});");
                string? toolToken = null;
                for (int i = 0; i < tool.Arguments.Count; i++)
                {
                    AIArgumentModel a = tool.Arguments[i];
                    string local = locals[i];
                    switch (a.Binding)
                    {
                        case ArgumentBinding.CancellationToken:
                            w.Line($"{a.Type} {local} = {tokenName};");
                            toolToken ??= local;
                            continue;
                        case ArgumentBinding.Arguments:
                            w.Line($"{a.Type} {local} = {argumentsName};");
                            continue;
                        case ArgumentBinding.ServiceProvider:
                            string services = a.IsRequired
                                ? $"{argumentsName}.Services ?? throw new global::System.InvalidOperationException({Str($"Tool '{tool.FunctionName}' needs an IServiceProvider for its parameter '{a.JsonName}', but the call's AIFunctionArguments.Services is null. Pass one (FunctionInvokingChatClient passes the services it was built with).")})"
                                : $"{argumentsName}.Services ?? {a.DefaultValue}";
                            w.Line($"{a.Type} {local} = {services};");
                            continue;
                        case ArgumentBinding.Kernel:
                            // As Semantic Kernel binds it: the kernel the call carries, else the services' Kernel, else one over the services.
                            w.Line($"{a.Type} {local} = {argumentsName}.TryGetValue(\"AIFunctionArguments_Kernel\", out object? {kernel}) && {kernel} is global::Microsoft.SemanticKernel.Kernel"
                                + $" ? (global::Microsoft.SemanticKernel.Kernel){kernel} : {argumentsName}.Services?.GetService(typeof(global::Microsoft.SemanticKernel.Kernel)) as global::Microsoft.SemanticKernel.Kernel ?? new global::Microsoft.SemanticKernel.Kernel({argumentsName}.Services);");
                            continue;
                    }

                    string typeInfo = $"(global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{a.Type}>)global::Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof({a.RuntimeType}))";
                    string read = a.IsRequired
                        ? $"global::AgentQuotas.Guard.ToolArguments.Required<{a.Type}>({argumentsName}, {Str(tool.FunctionName)}, {Str(a.JsonName)}, {typeInfo}, allowNull: {Bool(a.AllowNull)})"
                        : $"global::AgentQuotas.Guard.ToolArguments.Optional<{a.Type}>({argumentsName}, {Str(tool.FunctionName)}, {Str(a.JsonName)}, {typeInfo}, {a.DefaultValue}, allowNull: {Bool(a.AllowNull)})";
                    w.Line($"{a.Type} {local} = {read};");
                }

                string args = string.Join(", ", (instance ? new[] { "this._target" } : new string[0]).Concat(locals.Select((l, i) => Argument(m.Parameters[i], l))));
                if (m.Guard!.Problem is not null)
                {
                    w.Line("await global::System.Threading.Tasks.Task.CompletedTask.ConfigureAwait(false);");
                    w.Line($"throw {g}.{p}_Problem();");
                    w.CloseBrace();
                    w.CloseBrace();
                    return;
                }

                w.Line($"{Ticket} {ticket} = await {Run}.RequireCurrent({Str(m.DisplayName)}).AcquireAsync({g}.s_tool_{index}, {CostExpression(m, index, locals, g + ".")}, {toolToken ?? tokenName}).ConfigureAwait(false);");
                if (m.Guard.Fallback is not null)
                {
                    w.Line($"if (!{ticket}.IsAdmitted && {ticket}.Mode == global::AgentQuotas.DegradationMode.DraftOnly)");
                    w.OpenBrace();
                    w.Line($"global::AgentQuotas.DegradedCall {degraded} = {Guard}.Degrade({ticket});");
                    string fallback = $"{g}.{p}_Fallback({degraded}{Comma(args)})";
                    WriteReturnOf(w, m, fallback, value => $"new global::AgentQuotas.Guard.FallbackToolResult({value}, {degraded})");
                    w.CloseBrace();
                    w.Line();
                }

                WriteReturnOf(w, m, $"{g}.{p}_Run({ticket}{Comma(args)})", value => value);

                w.CloseBrace();
                w.CloseBrace();
            }

            /// <summary>Calls <paramref name="call"/> (awaiting it when awaitable) and returns its result, or null for none, through <paramref name="wrap"/>.</summary>
            private static void WriteReturnOf(IndentedWriter w, MethodModel m, string call, System.Func<string, string> wrap)
            {
                switch (m.ReturnKind)
                {
                    case ReturnKind.Void:
                        w.Line(call + ";");
                        w.Line($"return {wrap("null")};");
                        break;
                    case ReturnKind.Task:
                    case ReturnKind.ValueTask:
                        w.Line($"await {call}.ConfigureAwait(false);");
                        w.Line($"return {wrap("null")};");
                        break;
                    case ReturnKind.Value:
                        w.Line($"return {wrap(call)};");
                        break;
                    default:
                        w.Line($"return {wrap($"await {call}.ConfigureAwait(false)")};");
                        break;
                }
            }

            private static void WriteFactory(IndentedWriter w, GuardFileModel file)
            {
                AIToolModel first = file.Tools[0];
                bool hasNamespace = first.ClassNamespace.Length > 0;
                if (hasNamespace)
                {
                    w.Line("namespace " + first.ClassNamespace);
                    w.OpenBrace();
                }

                string access = first.ClassIsPublic ? "public" : "internal";
                w.Line($"/// <summary>Guarded AIFunctions for the agent tools of <see cref=\"{first.ClassType.Replace("global::", string.Empty).Replace('<', '{').Replace('>', '}')}\"/>, generated by AgentQuotas.</summary>");
                w.Line(GeneratedCode);
                w.Line($"{access} static partial class {first.ClassName}GuardedAIFunctions");
                w.OpenBrace();
                w.Line("/// <summary>");
                w.Line("/// Creates one AIFunction per agent tool, with the name, description and JSON schema fixed at");
                w.Line("/// compile time. Every invocation reads its arguments, then goes through the quota guard of the current");
                w.Line("/// agent run, exactly like a direct call; a call served by a fallback returns a FallbackToolResult.");
                w.Line("/// </summary>");
                string signature;
                if (first.ClassIsStatic)
                {
                    signature = "CreateGuardedAIFunctions()";
                }
                else
                {
                    w.Line("/// <param name=\"tools\">The tools instance the functions call.</param>");
                    signature = $"CreateGuardedAIFunctions(this {first.ClassType} tools)";
                }

                w.Line("/// <returns>The functions, ordered by name.</returns>");
                w.Line($"public static global::System.Collections.Generic.IReadOnlyList<global::Microsoft.Extensions.AI.AIFunction> {signature}");
                w.OpenBrace();
                if (!first.ClassIsStatic)
                {
                    w.Line("global::System.ArgumentNullException.ThrowIfNull(tools);");
                }

                w.Line("return new global::Microsoft.Extensions.AI.AIFunction[]");
                w.OpenBrace();
                for (int i = 0; i < file.Tools.Count; i++)
                {
                    AIToolModel tool = file.Tools[i];
                    string ctorArgs = tool.Method!.Kind == CallKind.Instance ? "tools" : string.Empty;
                    w.Line($"new global::AgentQuotas.Generated.{AIFunctionClass(tool, i)}({ctorArgs}),");
                }

                w.CloseBrace(";");
                w.CloseBrace();
                w.CloseBrace();
                if (hasNamespace)
                {
                    w.CloseBrace();
                }
            }

            private static int IndexOf(GuardFileModel file, MethodModel method)
            {
                for (int i = 0; i < file.Methods.Count; i++)
                {
                    if (file.Methods[i].Method.Key == method.Key)
                    {
                        return i;
                    }
                }

                return -1;
            }

            private static string AIFunctionClass(AIToolModel tool, int index)
            {
                var name = new System.Text.StringBuilder();
                foreach (char c in tool.FunctionName)
                {
                    name.Append(c < 128 && char.IsLetterOrDigit(c) ? c : '_');
                }

                return tool.ClassName + "_" + name + "_AIFunction_" + index.ToString(CultureInfo.InvariantCulture);
            }

        }
    }
}
