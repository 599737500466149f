namespace AgentQuotas.Generators.Models
{
    /// <summary>The caps of an [AgentLoop] method (0 = none of its own).</summary>
    internal sealed record LoopModel(int MaxIterations, int MaxToolCalls, double MaxCost);
}
