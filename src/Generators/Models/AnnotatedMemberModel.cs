using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>
    /// Everything the generator reads from one declaration that carries an AgentQuotas, Semantic Kernel or MCP
    /// attribute, parsed at once (one binding of the declaration per edit of its file).
    /// </summary>
    /// <param name="AgentTool">The [AgentTool] method described for an AIFunction.</param>
    /// <param name="FrameworkTools">The [KernelFunction]/[McpServerTool] method with a budget, described for an AIFunction.</param>
    /// <param name="Declarations">Problems of the declaration (AQ1003, AQ1004).</param>
    /// <param name="Loop">The [AgentLoop] method with its model calls.</param>
    /// <param name="Registry">The tool registry's entry for it.</param>
    internal sealed record AnnotatedMemberModel(
        AIToolModel? AgentTool,
        EquatableArray<AIToolModel> FrameworkTools,
        EquatableArray<DiagnosticInfo> Declarations,
        LoopBodyModel? Loop,
        GuardGenerator.RegistryEntryModel? Registry);
}
