using System.Collections.Generic;
using AgentQuotas.Diagnostics;
using Microsoft.CodeAnalysis;

namespace AgentQuotas.Analyzers.AgentCalls
{
    /// <summary>
    /// Methods that make the code around them agent code: a model turn (a chat model, an agent) or a tool run
    /// through a framework (AIFunction.InvokeAsync, Semantic Kernel's FunctionCallContent.InvokeAsync, MCP's
    /// CallToolAsync). Each entry is a type and method names; a call matches when it is to a method of that name
    /// declared on the type, on a type deriving from it or implementing it, or an extension method whose receiver
    /// is such a type. Types are resolved by metadata name once per compilation: the analyzers reference none of
    /// the frameworks, and entries of frameworks the compilation does not reference are simply absent.
    /// </summary>
    internal sealed class ModelApis
    {
        private const string ChatModel = "chat model";
        private const string Agent = "agent";
        private const string KernelFunction = "kernel function";
        private const string Tool = "a tool through";

        private readonly Dictionary<string, List<Entry>> _byName = new Dictionary<string, List<Entry>>(System.StringComparer.Ordinal);

        private ModelApis()
        {
        }

        /// <summary>Whether no entry resolved: the compilation references none of the frameworks.</summary>
        public bool IsEmpty => _byName.Count == 0;

        /// <summary>The frameworks' model and tool APIs that <paramref name="compilation"/> references.</summary>
        public static ModelApis ForFrameworks(Compilation compilation)
        {
            var apis = new ModelApis();

            // Microsoft.Extensions.AI: IChatClient with its extension overloads (ChatClientExtensions, structured output).
            apis.Add(compilation, WellKnownNames.ChatClientInterface, ChatModel, "GetResponseAsync", "GetStreamingResponseAsync");
            apis.Add(compilation, WellKnownNames.AIFunction, Tool, "InvokeAsync");
            apis.Add(compilation, WellKnownNames.FunctionInvokingChatClient, Tool, "InvokeFunctionAsync");

            // Semantic Kernel: chat and text services (extension overloads included), prompts, kernel functions.
            apis.Add(compilation, WellKnownNames.SkChatCompletionService, ChatModel, "GetChatMessageContentsAsync", "GetStreamingChatMessageContentsAsync", "GetChatMessageContentAsync");
            apis.Add(compilation, WellKnownNames.SkTextGenerationService, ChatModel, "GetTextContentsAsync", "GetStreamingTextContentsAsync", "GetTextContentAsync");
            apis.Add(compilation, WellKnownNames.SkKernel, ChatModel, "InvokePromptAsync", "InvokePromptStreamingAsync");
            apis.Add(compilation, WellKnownNames.SkKernel, KernelFunction, "InvokeAsync", "InvokeStreamingAsync");
            apis.Add(compilation, WellKnownNames.SkKernelFunction, KernelFunction, "InvokeAsync", "InvokeStreamingAsync");
            apis.Add(compilation, WellKnownNames.SkFunctionCallContent, Tool, "InvokeAsync");

            // Semantic Kernel agents (Microsoft.SemanticKernel.Agents.*): an agent or a group chat turn calls the model.
            apis.Add(compilation, WellKnownNames.SkAgent, Agent, "InvokeAsync", "InvokeStreamingAsync");
            apis.Add(compilation, WellKnownNames.SkAgentChat, Agent, "InvokeAsync", "InvokeStreamingAsync");

            // Microsoft Agent Framework: an agent run is at least one model turn.
            apis.Add(compilation, WellKnownNames.AfAgent, Agent, "RunAsync", "RunStreamingAsync");

            // OpenAI: chat completions and responses, synchronous and asynchronous.
            apis.Add(compilation, WellKnownNames.OpenAIChatClient, ChatModel, "CompleteChat", "CompleteChatAsync", "CompleteChatStreaming", "CompleteChatStreamingAsync");
            apis.Add(compilation, WellKnownNames.OpenAIResponsesClient, ChatModel, "CreateResponse", "CreateResponseAsync", "CreateResponseStreaming", "CreateResponseStreamingAsync");
            apis.Add(compilation, WellKnownNames.OpenAIResponseClient, ChatModel, "CreateResponse", "CreateResponseAsync", "CreateResponseStreaming", "CreateResponseStreamingAsync");

            // Model Context Protocol clients: calling a server's tool.
            apis.Add(compilation, WellKnownNames.McpClient, Tool, "CallToolAsync");
            apis.Add(compilation, WellKnownNames.McpClientTool, Tool, "CallAsync");
            return apis;
        }

        /// <summary>Methods a project adds with <c>agentquotas.model_methods</c>, already resolved.</summary>
        public static ModelApis ForConfigured(IEnumerable<KeyValuePair<INamedTypeSymbol, string>> methods)
        {
            var apis = new ModelApis();
            foreach (KeyValuePair<INamedTypeSymbol, string> method in methods)
            {
                apis.Add(method.Key, "model method", method.Value);
            }

            return apis;
        }

        /// <summary>
        /// Names a call to <paramref name="method"/> as a verb's object ("chat model 'IChatClient.GetResponseAsync'"),
        /// or returns null when it is none of the entries. <paramref name="method"/> must be normalized.
        /// </summary>
        public string? Describe(IMethodSymbol method)
        {
            if (!_byName.TryGetValue(method.Name, out List<Entry>? entries))
            {
                return null; // the common case: one dictionary probe per call
            }

            Entry? match = null;
            foreach (Entry entry in entries)
            {
                if (SymbolEqualityComparer.Default.Equals(method.ContainingType, entry.Type))
                {
                    match = entry; // declared on the entry's own type: the most specific match
                    break;
                }

                if (match == null && Matches(method, entry.Type))
                {
                    match = entry;
                }
            }

            if (match == null)
            {
                return null;
            }

            // Extension overloads read as members of their receiver: IChatClient.GetResponseAsync.
            string owner = method.IsExtensionMethod && method.Parameters.Length > 0 ? match.Type.Name : method.ContainingType.Name;
            return match.Kind + " '" + owner + "." + method.Name + "'";
        }

        /// <summary>Whether a description from <see cref="Describe"/> is of a call that runs a Semantic Kernel function (a prompt or a native tool).</summary>
        public static bool IsKernelFunctionKind(string description) => description.StartsWith(KernelFunction, System.StringComparison.Ordinal);

        private static bool Matches(IMethodSymbol method, INamedTypeSymbol type)
        {
            if (method.IsExtensionMethod)
            {
                return method.Parameters.Length > 0 && IsOrDerivesFrom(method.Parameters[0].Type, type, 0);
            }

            return !method.IsStatic && method.ContainingType != null && IsOrDerivesFrom(method.ContainingType, type, 0);
        }

        /// <summary>Whether <paramref name="candidate"/> is <paramref name="type"/>, derives from it, implements it, or is a type parameter constrained to one.</summary>
        internal static bool IsOrDerivesFrom(ITypeSymbol candidate, INamedTypeSymbol type, int depth)
        {
            if (candidate is ITypeParameterSymbol typeParameter)
            {
                if (depth > 4)
                {
                    return false;
                }

                foreach (ITypeSymbol constraint in typeParameter.ConstraintTypes)
                {
                    if (IsOrDerivesFrom(constraint, type, depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (type.TypeKind == TypeKind.Interface)
            {
                if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, type))
                {
                    return true;
                }

                foreach (INamedTypeSymbol @interface in candidate.AllInterfaces)
                {
                    if (SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, type))
                    {
                        return true;
                    }
                }

                return false;
            }

            for (ITypeSymbol? current = candidate; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, type))
                {
                    return true;
                }
            }

            return false;
        }

        private void Add(Compilation compilation, string metadataName, string kind, params string[] names)
        {
            INamedTypeSymbol? type = compilation.GetTypeByMetadataName(metadataName);
            if (type == null)
            {
                return;
            }

            foreach (string name in names)
            {
                Add(type, kind, name);
            }
        }

        private void Add(INamedTypeSymbol type, string kind, string name)
        {
            if (!_byName.TryGetValue(name, out List<Entry>? entries))
            {
                entries = new List<Entry>();
                _byName.Add(name, entries);
            }

            entries.Add(new Entry(type, kind));
        }

        private sealed class Entry
        {
            public Entry(INamedTypeSymbol type, string kind)
            {
                Type = type;
                Kind = kind;
            }

            public INamedTypeSymbol Type { get; }

            public string Kind { get; }
        }
    }
}
