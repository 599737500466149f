// Shared by the analyzers and the generator (netstandard2.0): the metadata names they look for.
namespace AgentQuotas.Diagnostics
{
    /// <summary>Fully qualified metadata names of the runtime's attributes and types.</summary>
    internal static class WellKnownNames
    {
        public const string AgentToolAttribute = "AgentQuotas.AgentToolAttribute";
        public const string QuotaCategoryAttribute = "AgentQuotas.QuotaCategoryAttribute";
        public const string CostAttribute = "AgentQuotas.CostAttribute";
        public const string PrivilegedAttribute = "AgentQuotas.PrivilegedAttribute";
        public const string FallbackAttribute = "AgentQuotas.FallbackAttribute";
        public const string AgentLoopAttribute = "AgentQuotas.AgentLoopAttribute";
        public const string ActualCostInterface = "AgentQuotas.IActualCost";
        public const string ChatClientInterface = "Microsoft.Extensions.AI.IChatClient";
        public const string AIFunction = "Microsoft.Extensions.AI.AIFunction";

        // ---- Agent frameworks: model calls, tool attributes and the registrations that hand tools to a framework.
        // The analyzers resolve these by metadata name once per compilation, so they reference none of the packages.

        // Microsoft.Extensions.AI (Microsoft.Extensions.AI.Abstractions / Microsoft.Extensions.AI)
        public const string AIFunctionFactory = "Microsoft.Extensions.AI.AIFunctionFactory";
        public const string ChatClientBuilder = "Microsoft.Extensions.AI.ChatClientBuilder";
        public const string FunctionInvokingChatClient = "Microsoft.Extensions.AI.FunctionInvokingChatClient";

        /// <summary>[Description] on a method handed to AIFunctionFactory.Create names the tool for the model.</summary>
        public const string DescriptionAttribute = "System.ComponentModel.DescriptionAttribute";

        // Semantic Kernel (Microsoft.SemanticKernel.Abstractions / .Core)
        public const string SkKernel = "Microsoft.SemanticKernel.Kernel";
        public const string SkKernelExtensions = "Microsoft.SemanticKernel.KernelExtensions";
        public const string SkKernelFunction = "Microsoft.SemanticKernel.KernelFunction";
        public const string SkKernelFunctionAttribute = "Microsoft.SemanticKernel.KernelFunctionAttribute";
        public const string SkKernelFunctionFactory = "Microsoft.SemanticKernel.KernelFunctionFactory";
        public const string SkKernelFunctionYaml = "Microsoft.SemanticKernel.KernelFunctionYaml";
        public const string SkKernelPluginFactory = "Microsoft.SemanticKernel.KernelPluginFactory";
        public const string SkChatCompletionService = "Microsoft.SemanticKernel.ChatCompletion.IChatCompletionService";
        public const string SkChatCompletionServiceExtensions = "Microsoft.SemanticKernel.ChatCompletion.ChatCompletionServiceExtensions";
        public const string SkTextGenerationService = "Microsoft.SemanticKernel.TextGeneration.ITextGenerationService";
        public const string SkTextGenerationExtensions = "Microsoft.SemanticKernel.TextGeneration.TextGenerationExtensions";
        public const string SkFunctionCallContent = "Microsoft.SemanticKernel.FunctionCallContent";
        public const string SkKernelBuilder = "Microsoft.SemanticKernel.IKernelBuilder";
        public const string SkAgent = "Microsoft.SemanticKernel.Agents.Agent";
        public const string SkAgentChat = "Microsoft.SemanticKernel.Agents.AgentChat";

        // Microsoft Agent Framework (Microsoft.Agents.AI.Abstractions / Microsoft.Agents.AI)
        public const string AfAgent = "Microsoft.Agents.AI.AIAgent";
        public const string AfAgentBuilder = "Microsoft.Agents.AI.AIAgentBuilder";

        // Model Context Protocol (ModelContextProtocol.Core / ModelContextProtocol)
        public const string McpServerToolAttribute = "ModelContextProtocol.Server.McpServerToolAttribute";
        public const string McpServerToolTypeAttribute = "ModelContextProtocol.Server.McpServerToolTypeAttribute";
        public const string McpServerTool = "ModelContextProtocol.Server.McpServerTool";
        public const string McpServerBuilder = "Microsoft.Extensions.DependencyInjection.IMcpServerBuilder";
        public const string McpServerBuilderExtensions = "Microsoft.Extensions.DependencyInjection.McpServerBuilderExtensions";
        public const string McpClient = "ModelContextProtocol.Client.McpClient";
        public const string McpClientTool = "ModelContextProtocol.Client.McpClientTool";

        // OpenAI (the OpenAI package): chat completions and the Responses API (renamed in 2.x).
        public const string OpenAIChatClient = "OpenAI.Chat.ChatClient";
        public const string OpenAIResponsesClient = "OpenAI.Responses.ResponsesClient";
        public const string OpenAIResponseClient = "OpenAI.Responses.OpenAIResponseClient";

        // AgentQuotas framework integrations: a call to one of these registers the integration in the compilation.
        public const string ExtensionsAIChatClientIntegration = "AgentQuotas.Extensions.AI.AgentQuotasChatClientBuilderExtensions";
        public const string ExtensionsAIFunctionIntegration = "AgentQuotas.Extensions.AI.AgentQuotasAIFunctionExtensions";
        public const string SemanticKernelIntegration = "AgentQuotas.SemanticKernel.AgentQuotasKernelExtensions";
        public const string AgentFrameworkIntegration = "AgentQuotas.Agents.AI.AgentQuotasAgentBuilderExtensions";
        public const string McpIntegration = "AgentQuotas.ModelContextProtocol.AgentQuotasMcpServerBuilderExtensions";
        public const string UseAgentQuotasMethod = "UseAgentQuotas";
        public const string AddAgentQuotasMethod = "AddAgentQuotas";
        public const string WithAgentQuotasMethod = "WithAgentQuotas";

        // Waiting for a person (or another producer) each turn: what makes a loop interactive.
        public const string Console = "System.Console";
        public const string TextReader = "System.IO.TextReader";
        public const string ChannelReader = "System.Threading.Channels.ChannelReader`1";

        /// <summary>The .editorconfig key listing more model methods for AQ0003 (docs/rules/AQ0003.md).</summary>
        public const string ModelMethodsOption = "agentquotas.model_methods";

        /// <summary>The namespace generated interceptors live in; InterceptorsNamespaces must list it.</summary>
        public const string GeneratedNamespace = "AgentQuotas.Generated";

        /// <summary>The policy file name looked for among AdditionalFiles.</summary>
        public const string PolicyFileName = "agentquotas.json";
    }
}
