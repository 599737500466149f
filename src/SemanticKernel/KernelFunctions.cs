using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

internal static class KernelFunctions
{
    // Semantic Kernel's prompt functions (InvokePromptAsync, CreateFunctionFromPrompt, prompt templates of any format) are
    // all this internal type; it has no public marker. A test pins the name, so a rename in Semantic Kernel fails loudly.
    internal const string PromptFunctionTypeName = "Microsoft.SemanticKernel.KernelFunctionFromPrompt";

    /// <summary>Whether invoking <paramref name="function"/> is a model turn rather than a tool call.</summary>
    public static bool IsPrompt(KernelFunction function) =>
        string.Equals(function.GetType().FullName, PromptFunctionTypeName, StringComparison.Ordinal);
}
