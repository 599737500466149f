using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AgentQuotas.Generators.Helpers;
using AgentQuotas.Generators.Models;
using AgentQuotas.ToolModel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AgentQuotas.Generators
{
    // The model calls written in the body of an [AgentLoop] method. Only the loop methods' bodies are walked
    // (the pipeline enters through ForAttributeWithMetadataName on AgentLoopAttribute), and a call is looked
    // at semantically only when its name is one of the model APIs'. APIs are matched by metadata name, so the
    // generator references none of the frameworks.
    public sealed partial class GuardGenerator
    {
        internal static partial class Parser
        {
            private const string ChatClient = "Microsoft.Extensions.AI.IChatClient";
            private const string ChatCompletionService = "Microsoft.SemanticKernel.ChatCompletion.IChatCompletionService";
            private const string Agent = "Microsoft.Agents.AI.AIAgent";

            private static readonly HashSet<string> ModelMethodNames = new(System.StringComparer.Ordinal)
            {
                "GetResponseAsync", "GetStreamingResponseAsync",
                "GetChatMessageContentsAsync", "GetChatMessageContentAsync", "GetStreamingChatMessageContentsAsync",
                "InvokePromptAsync", "InvokePromptStreamingAsync",
                "RunAsync", "RunStreamingAsync",
            };

            /// <summary>Describes an [AgentLoop] method's caps and the model calls in its body.</summary>
            public static LoopBodyModel? ParseLoopBody(AttributeTarget context, CancellationToken ct)
            {
                if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax declaration
                    || (declaration.Body ?? (SyntaxNode?)declaration.ExpressionBody) is not SyntaxNode body || context.Attributes.Length == 0)
                {
                    return null;
                }

                SemanticModel model = context.SemanticModel;
                Compilation compilation = model.Compilation;
                var calls = new List<ModelCallModel>();
                var diagnostics = new List<DiagnosticInfo>();
                foreach (InvocationExpressionSyntax invocation in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    ct.ThrowIfCancellationRequested();
                    if (InvokedName(invocation) is not string name || !ModelMethodNames.Contains(name)
                        || model.GetSymbolInfo(invocation, ct).Symbol is not IMethodSymbol called)
                    {
                        continue;
                    }

                    IMethodSymbol shape = called.ReducedFrom ?? called.ConstructedFrom;
                    if (HasErrorType(shape) || !IsModelApi(shape, out UsageKind usage, out bool streaming))
                    {
                        continue;
                    }

                    string display = shape.ContainingType.Name + "." + shape.Name;
                    LocationInfo? where = LocationInfo.From(invocation.GetLocation());
                    string? problem = invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax }
                        ? "a call through 'base' cannot be intercepted"
                        : ExpressionTreeProblem(invocation, model, ct);
                    MethodModel? api = problem is null ? DescribeMethod(shape, compilation, ToolAttributes.For(compilation).AnnotationsOf(shape), out problem, ct) : null;
                    InterceptableLocation? location = problem is null ? model.GetInterceptableLocation(invocation, ct) : null;
                    if (api is null || location is null)
                    {
                        diagnostics.Add(Diagnostic(DiagnosticKind.CannotCountModelCall, where, display, DisplayName(method), problem ?? "the compiler reports it as not interceptable"));
                        continue;
                    }

                    calls.Add(new ModelCallModel(api, usage, streaming, IsNested(invocation, body), Location(location, invocation)));
                }

                string key = method.ContainingType.ToDisplayString(TypeFormat) + "." + method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(TypeFormat))) + ")";
                bool readsOpenAI = compilation.GetTypeByMetadataName("OpenAI.Chat.ChatTokenUsage") is not null;
                return new LoopBodyModel(FileHint(method.ContainingType), key, DisplayName(method), Loop(context.Attributes[0]), calls.ToEquatableArray(), diagnostics.ToEquatableArray(), readsOpenAI);
            }

            private static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
            {
                MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
                SimpleNameSyntax simple => simple.Identifier.ValueText,
                _ => null,
            };

            // A call in a lambda or local function runs in that function's own invocation (and async context).
            private static bool IsNested(SyntaxNode invocation, SyntaxNode body)
            {
                for (SyntaxNode? node = invocation.Parent; node is not null && node != body; node = node.Parent)
                {
                    if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
                    {
                        return true;
                    }
                }

                return false;
            }

            private static bool IsModelApi(IMethodSymbol method, out UsageKind usage, out bool streaming)
            {
                usage = UsageKind.None;
                streaming = false;
                INamedTypeSymbol type = method.ContainingType;
                bool known = method.Name switch
                {
                    "GetResponseAsync" or "GetStreamingResponseAsync" =>
                        IsNamed(type, "Microsoft.Extensions.AI.ChatClientExtensions") || IsNamed(type, "Microsoft.Extensions.AI.ChatClientStructuredOutputExtensions")
                        || (!method.IsStatic && Implements(type, ChatClient)),
                    "GetChatMessageContentsAsync" or "GetChatMessageContentAsync" or "GetStreamingChatMessageContentsAsync" =>
                        IsNamed(type, "Microsoft.SemanticKernel.ChatCompletion.ChatCompletionServiceExtensions") || (!method.IsStatic && Implements(type, ChatCompletionService)),
                    "InvokePromptAsync" or "InvokePromptStreamingAsync" => IsNamed(type, "Microsoft.SemanticKernel.KernelExtensions"),
                    "RunAsync" or "RunStreamingAsync" => !method.IsStatic && DerivesFrom(type, Agent),
                    _ => false,
                };
                if (!known || method.ReturnType is not INamedTypeSymbol { Arity: 1 } returned)
                {
                    return false;
                }

                ITypeSymbol item = returned.TypeArguments[0];
                if (returned.MetadataName == "IAsyncEnumerable`1" && returned.ContainingNamespace.ToDisplayString() == "System.Collections.Generic")
                {
                    streaming = true;
                    usage = DerivesFrom(item, "Microsoft.Extensions.AI.ChatResponseUpdate") || DerivesFrom(item, "Microsoft.Agents.AI.AgentResponseUpdate") ? UsageKind.UpdateContents
                        : DerivesFrom(item, "Microsoft.SemanticKernel.StreamingKernelContent") ? UsageKind.KernelMetadata
                        : UsageKind.None;
                    return true;
                }

                if (returned.MetadataName != "Task`1" || returned.ContainingNamespace.ToDisplayString() != "System.Threading.Tasks")
                {
                    return false;
                }

                usage = DerivesFrom(item, "Microsoft.Extensions.AI.ChatResponse") ? UsageKind.ChatResponse
                    : DerivesFrom(item, "Microsoft.Agents.AI.AgentResponse") ? UsageKind.AgentResponse
                    : DerivesFrom(item, "Microsoft.SemanticKernel.KernelContent") || DerivesFrom(item, "Microsoft.SemanticKernel.FunctionResult") ? UsageKind.KernelMetadata
                    : item is INamedTypeSymbol { MetadataName: "IReadOnlyList`1" } list && DerivesFrom(list.TypeArguments[0], "Microsoft.SemanticKernel.KernelContent") ? UsageKind.KernelMetadataList
                    : UsageKind.None;
                return true;
            }

            private static bool IsNamed(ITypeSymbol type, string metadataName) =>
                type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None)) == metadataName;

            private static bool DerivesFrom(ITypeSymbol type, string metadataName)
            {
                for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
                {
                    if (IsNamed(t, metadataName))
                    {
                        return true;
                    }
                }

                return false;
            }

            private static bool Implements(INamedTypeSymbol type, string interfaceName) =>
                IsNamed(type, interfaceName) || type.AllInterfaces.Any(i => IsNamed(i, interfaceName));
        }
    }
}
