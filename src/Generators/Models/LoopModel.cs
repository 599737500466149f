namespace AgentQuotas.Generators.Models
{
    /// <summary>The caps of an [AgentLoop] method (0 = none of its own) and how its model calls' tokens are charged.</summary>
    /// <param name="MaxIterations">Most iterations (model turns).</param>
    /// <param name="MaxToolCalls">Most guarded tool calls.</param>
    /// <param name="MaxCost">Most cost units.</param>
    /// <param name="TokenCategory">The category that pays for model tokens, or null.</param>
    /// <param name="InputTokenCost">Cost units per input token.</param>
    /// <param name="OutputTokenCost">Cost units per output token.</param>
    internal sealed record LoopModel(int MaxIterations, int MaxToolCalls, double MaxCost, string? TokenCategory, double InputTokenCost, double OutputTokenCost);
}
