using System.Collections.Generic;
using System.Collections.Immutable;
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
    // The tool registry: for every annotated method, a ToolDescriptor (name, category, cost or estimator, privilege,
    // fallback, MethodInfo) registered in AgentQuotas.Tools.ToolRegistry.Default from a module initializer, so framework
    // integrations (which call tools by delegate or reflection, where no interceptor runs) find the quota without
    // reflection at call time. Self-contained: its own pipeline, model and one hint file.
    public sealed partial class GuardGenerator
    {
        private const string RegistryHintName = "AgentQuotas.ToolRegistry.g.cs";

        private static readonly SymbolDisplayFormat RegistryTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        private static void InitializeRegistry(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<AnnotatedMemberModel> members)
        {
            IncrementalValueProvider<bool> enabled = context.CompilationProvider
                .Select(static (c, _) => c.GetTypeByMetadataName("AgentQuotas.Tools.ToolRegistry") is not null)
                .WithTrackingName(TrackingNames.RegistryEnabled);

            IncrementalValuesProvider<RegistryEntryModel> entries = members
                .Where(static m => m.Registry is not null)
                .Select(static (m, _) => m.Registry!)
                .WithTrackingName(TrackingNames.RegistryMethods);

            IncrementalValueProvider<EquatableArray<RegistryEntryModel>> all = entries.Collect()
                .Combine(enabled)
                .Select(static (pair, _) => pair.Right
                    ? pair.Left
                        .GroupBy(e => e.Key).Select(g => g.First())
                        .OrderBy(e => e.Key, System.StringComparer.Ordinal)
                        .ToEquatableArray()
                    : EquatableArray<RegistryEntryModel>.Empty)
                .WithTrackingName(TrackingNames.RegistryEntries);

            context.RegisterSourceOutput(all, static (spc, entries) =>
            {
                if (entries.Count > 0)
                {
                    spc.AddSource(RegistryHintName, RegistryEmitter.Emit(entries));
                }
            });
        }

        /// <summary>One registered tool: its ordering key and the C# that registers it (plus its helpers).</summary>
        internal sealed record RegistryEntryModel(string Key, string Registration, string Helpers);

        internal static class RegistryParser
        {
            public static RegistryEntryModel? Parse(AttributeTarget context, CancellationToken ct)
            {
                if (context.TargetSymbol is not IMethodSymbol method || !Registrable(method))
                {
                    return null;
                }

                ct.ThrowIfCancellationRequested();
                Compilation compilation = context.SemanticModel.Compilation;
                INamedTypeSymbol type = method.ContainingType;
                ToolAttributes attributes = ToolAttributes.For(compilation);
                ToolAnnotations notes = attributes.AnnotationsOf(method);
                ToolCost cost = CostRules.Of(method, notes, compilation);
                string? category = notes.CategoryName;
                if (!cost.IsUsable || string.IsNullOrWhiteSpace(category))
                {
                    return null; // not guardable (the analyzers report it); a framework call is then refused as unknown
                }

                string typeName = type.ToDisplayString(RegistryTypeFormat);
                string key = typeName + "." + method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(RegistryTypeFormat))) + ")";
                string id = Identifier(key);
                string toolName = Parser.ToolName(method, notes); // the name the interceptor audits under
                string? description = notes.AgentTool?.Attribute is { ConstructorArguments.Length: > 1 } tool ? tool.ConstructorArguments[1].Value as string : null;
                var helpers = new StringBuilder();

                string costArgument;
                if (cost.Estimator is IMethodSymbol estimator)
                {
                    string ownerName = estimator.ContainingType.ToDisplayString(RegistryTypeFormat);
                    if (!cost.EstimatorAccessible && estimator.ContainingType.IsStatic)
                    {
                        return null; // an accessor cannot take a static type as its first parameter
                    }

                    string call = ownerName + "." + estimator.Name;
                    if (!cost.EstimatorAccessible)
                    {
                        helpers.AppendLine($"        [global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.StaticMethod, Name = {Str(estimator.Name)})]");
                        helpers.AppendLine($"        private static extern double __Estimator_{id}({ownerName}? __type{string.Concat(estimator.Parameters.Select(p => ", " + p.Type.ToDisplayString(RegistryTypeFormat) + " " + Escape(p.Name)))});");
                        call = "__Estimator_" + id;
                    }

                    string prefix = cost.EstimatorAccessible ? string.Empty : "null, ";
                    helpers.AppendLine($"        private static double Estimate_{id}(global::System.Collections.Generic.IReadOnlyDictionary<string, object?> __arguments) =>");
                    helpers.AppendLine($"            {call}({prefix}{string.Join(", ", estimator.Parameters.Select(p => Read(method.Parameters[p.Ordinal], toolName)))});");
                    costArgument = "Estimate_" + id;
                }
                else
                {
                    costArgument = cost.Units.ToString("R", CultureInfo.InvariantCulture) + "d";
                }

                var init = new List<string>
                {
                    $"Method = typeof({typeName}).GetMethod({Str(method.Name)}, {Flags}, new global::System.Type[] {{ {string.Join(", ", method.Parameters.Select(p => "typeof(" + (p.Type.TypeKind == TypeKind.Dynamic ? "object" : p.Type.ToDisplayString(RegistryTypeFormat)) + ")" + (p.RefKind == RefKind.None ? string.Empty : ".MakeByRefType()")))} }})",
                    "Source = global::AgentQuotas.Tools.ToolSource.Annotated",
                };
                if (description is not null)
                {
                    init.Add("Description = " + Str(description));
                }

                // Every entry of an ordered chain that resolves (the guard's rules), in order: the first as Fallback, and the
                // whole chain as FallbackChain when there is more than one.
                var chain = new List<(string Helper, bool NeedsTarget)>();
                foreach (string fallbackName in notes.FallbackNames ?? new List<string>())
                {
                    if (FallbackRules.Find(method, fallbackName, attributes, out _) is IMethodSymbol fallback
                        && (Accessible(fallback, compilation) || !type.IsStatic))
                    {
                        string fallbackId = chain.Count == 0 ? id : id + "_" + chain.Count.ToString(CultureInfo.InvariantCulture);
                        WriteFallback(helpers, fallbackId, typeName, toolName, method, fallback, Accessible(fallback, compilation));
                        chain.Add(("Fallback_" + fallbackId, !fallback.IsStatic));
                    }
                }

                if (chain.Count > 0)
                {
                    init.Add("Fallback = " + chain[0].Helper);
                    init.Add("FallbackNeedsTarget = " + (chain[0].NeedsTarget ? "true" : "false"));
                }

                if (chain.Count > 1)
                {
                    init.Add("FallbackChain = new global::AgentQuotas.Tools.ToolFallbackStep[] { "
                        + string.Join(", ", chain.Select(c => $"new global::AgentQuotas.Tools.ToolFallbackStep({c.Helper}, {(c.NeedsTarget ? "true" : "false")})")) + " }");
                }

                string registration =
                    $"            global::AgentQuotas.Tools.ToolRegistry.Default.Register(new global::AgentQuotas.Tools.ToolDescriptor({Str(toolName)}, {Str(category!)}, {costArgument}, " +
                    $"isPrivileged: {(notes.IsPrivileged ? "true" : "false")}, requiresApproval: {(notes.RequiresApproval ? "true" : "false")})\n" +
                    "            {\n" + string.Concat(init.Select(i => "                " + i + ",\n")) + "            });";
                return new RegistryEntryModel(key, registration, helpers.ToString());
            }

            private const string Flags = "global::System.Reflection.BindingFlags.Public | global::System.Reflection.BindingFlags.NonPublic | global::System.Reflection.BindingFlags.Instance | global::System.Reflection.BindingFlags.Static | global::System.Reflection.BindingFlags.DeclaredOnly";

            // Generic methods and types, ref-like parameters and pointers cannot be described without reflection at call time.
            private static bool Registrable(IMethodSymbol method)
            {
                if (method.IsGenericMethod || method.MethodKind != MethodKind.Ordinary || Parser.HasErrorType(method))
                {
                    return false;
                }

                for (INamedTypeSymbol? t = method.ContainingType; t is not null; t = t.ContainingType)
                {
                    if (t.Arity > 0 || t.IsFileLocal || t.DeclaredAccessibility == Accessibility.Private)
                    {
                        return false;
                    }
                }

                return method.Parameters.All(p => p.RefKind == RefKind.None && p.Type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.TypeParameter) && !p.Type.IsRefLikeType);
            }

            private static void WriteFallback(StringBuilder helpers, string id, string typeName, string toolName, IMethodSymbol method, IMethodSymbol fallback, bool accessible)
            {
                string args = string.Join(", ", method.Parameters.Select(p => IsCancellationToken(p.Type) ? "__cancellationToken" : Read(p, toolName)));
                string call;
                if (accessible)
                {
                    call = fallback.IsStatic ? $"{typeName}.{fallback.Name}({args})" : $"(({typeName})__target!).{fallback.Name}({args})";
                }
                else
                {
                    string kind = fallback.IsStatic ? "StaticMethod" : "Method";
                    string first = fallback.IsStatic ? typeName + "? __type" : typeName + " __target";
                    helpers.AppendLine($"        [global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind.{kind}, Name = {Str(fallback.Name)})]");
                    helpers.AppendLine($"        private static extern {fallback.ReturnType.ToDisplayString(RegistryTypeFormat)} __Fallback_{id}({first}{string.Concat(fallback.Parameters.Select(p => ", " + p.Type.ToDisplayString(RegistryTypeFormat) + " " + Escape(p.Name)))});");
                    call = $"__Fallback_{id}({(fallback.IsStatic ? "null" : "(" + typeName + ")__target!")}{(args.Length > 0 ? ", " + args : string.Empty)})";
                }

                helpers.AppendLine($"        private static async global::System.Threading.Tasks.ValueTask<object?> Fallback_{id}(object? __target, global::System.Collections.Generic.IReadOnlyDictionary<string, object?> __arguments, global::System.Threading.CancellationToken __cancellationToken)");
                helpers.AppendLine("        {");
                string returns = fallback.ReturnType.OriginalDefinition.ToDisplayString();
                if (fallback.ReturnsVoid)
                {
                    helpers.AppendLine($"            {call};");
                    helpers.AppendLine("            await global::System.Threading.Tasks.Task.CompletedTask.ConfigureAwait(false);");
                    helpers.AppendLine("            return null;");
                }
                else if (returns is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask")
                {
                    helpers.AppendLine($"            await {call}.ConfigureAwait(false);");
                    helpers.AppendLine("            return null;");
                }
                else if (returns is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>")
                {
                    helpers.AppendLine($"            return await {call}.ConfigureAwait(false);");
                }
                else
                {
                    helpers.AppendLine("            await global::System.Threading.Tasks.Task.CompletedTask.ConfigureAwait(false);");
                    helpers.AppendLine($"            return {call};");
                }

                helpers.AppendLine("        }");
            }

            // Reads one parameter from a framework's arguments (JsonElements or typed values), with the parameter's default when optional.
            private static string Read(IParameterSymbol p, string toolName)
            {
                string type = p.Type.ToDisplayString(RegistryTypeFormat);
                bool allowNull = p.NullableAnnotation == NullableAnnotation.Annotated || !p.Type.IsValueType && p.NullableAnnotation != NullableAnnotation.NotAnnotated;
                string typeInfo = $"(global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<{type}>)global::System.Text.Json.JsonSerializerOptions.Default.GetTypeInfo(typeof({type}))";
                return p.HasExplicitDefaultValue
                    ? $"global::AgentQuotas.Guard.ToolArguments.Optional<{type}>(__arguments, {Str(toolName)}, {Str(p.Name)}, {typeInfo}, {DefaultLiteral(p)}, allowNull: {(allowNull ? "true" : "false")})"
                    : $"global::AgentQuotas.Guard.ToolArguments.Required<{type}>(__arguments, {Str(toolName)}, {Str(p.Name)}, {typeInfo}, allowNull: {(allowNull ? "true" : "false")})";
            }

            private static string DefaultLiteral(IParameterSymbol p)
            {
                object? value = p.ExplicitDefaultValue;
                ITypeSymbol type = p.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : p.Type;
                if (value is null)
                {
                    return "default!";
                }

                string literal = value switch
                {
                    double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
                    float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
                    decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
                    long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                    ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
                    uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
                    _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
                };
                return "(" + type.ToDisplayString(RegistryTypeFormat) + ")(" + literal + ")";
            }

            private static bool Accessible(IMethodSymbol member, Compilation compilation) =>
                compilation.IsSymbolAccessibleWithin(member, compilation.Assembly);

            private static bool IsCancellationToken(ITypeSymbol type) =>
                type.ToDisplayString() == "System.Threading.CancellationToken";

            private static string Identifier(string key)
            {
                var id = new StringBuilder();
                foreach (char c in key.Replace("global::", string.Empty))
                {
                    id.Append(char.IsLetterOrDigit(c) ? c : '_');
                }

                // Distinct keys may map to one identifier (e.g. "a.b" and "a_b"): a hash of the key keeps them apart.
                uint hash = 2166136261;
                foreach (char c in key)
                {
                    hash = (hash ^ c) * 16777619;
                }

                return id.Append('_').Append(hash.ToString("x8", CultureInfo.InvariantCulture)).ToString();
            }

            private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

            internal static string Str(string value) =>
                "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";
        }

        internal static class RegistryEmitter
        {
            public static string Emit(EquatableArray<RegistryEntryModel> entries)
            {
                var w = new StringBuilder();
                w.AppendLine("// <auto-generated/>");
                w.AppendLine("// Generated by AgentQuotas.Generators: the tool registry (one descriptor per annotated method). Do not edit.");
                w.AppendLine("#nullable enable");
                w.AppendLine();
                w.AppendLine("namespace AgentQuotas.Generated");
                w.AppendLine("{");
                w.AppendLine("    [global::System.CodeDom.Compiler.GeneratedCode(\"AgentQuotas.Generators\", \"0.1.0\")]");
                w.AppendLine("    internal static class AgentQuotasToolRegistration");
                w.AppendLine("    {");
                w.AppendLine("        /// <summary>Registers this assembly's annotated tools in AgentQuotas.Tools.ToolRegistry.Default when the module loads.</summary>");
                w.AppendLine("        [global::System.Runtime.CompilerServices.ModuleInitializer]");
                w.AppendLine("        internal static void Register()");
                w.AppendLine("        {");
                foreach (RegistryEntryModel entry in entries)
                {
                    w.Append(entry.Registration).Append('\n');
                }

                w.AppendLine("        }");
                foreach (RegistryEntryModel entry in entries.Where(e => e.Helpers.Length > 0))
                {
                    w.AppendLine();
                    w.Append(entry.Helpers);
                }

                w.AppendLine("    }");
                w.AppendLine("}");
                return w.ToString();
            }
        }
    }
}
