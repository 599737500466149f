using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>An [AgentLoop] method and the model calls in its body, each counted against the loop's caps.</summary>
    /// <param name="FileHint">The loop method's type, for the file the interceptors go to.</param>
    /// <param name="Key">Identifies the loop method (for ordering).</param>
    /// <param name="DisplayName">Type.Method: the loop run's name.</param>
    /// <param name="Caps">The loop's caps and token charging.</param>
    /// <param name="Calls">The model calls to intercept.</param>
    /// <param name="Diagnostics">Model calls that cannot be counted, and other problems of the loop.</param>
    /// <param name="ReadsOpenAIUsage">Whether OpenAI's ChatTokenUsage is referenced (Semantic Kernel's OpenAI connector reports usage with it).</param>
    internal sealed record LoopBodyModel(string FileHint, string Key, string DisplayName, LoopModel Caps, EquatableArray<ModelCallModel> Calls, EquatableArray<DiagnosticInfo> Diagnostics, bool ReadsOpenAIUsage);

    /// <summary>One model call in an [AgentLoop] method's body.</summary>
    /// <param name="Api">The model API's signature (its MethodModel has neither guard nor loop).</param>
    /// <param name="Usage">How the response reports tokens.</param>
    /// <param name="Streaming">Whether the API returns an IAsyncEnumerable of updates.</param>
    /// <param name="Nested">Whether the call is in a lambda or local function of the loop method.</param>
    /// <param name="Location">Where to intercept it.</param>
    internal sealed record ModelCallModel(MethodModel Api, UsageKind Usage, bool Streaming, bool Nested, InterceptLocationModel Location);

    /// <summary>The model-call interceptors of the [AgentLoop] methods of one type, in one file.</summary>
    internal sealed record ModelCallFileModel(string HintName, string ClassName, EquatableArray<LoopBodyModel> Loops);
}
