namespace AgentQuotas.Extensions.AI;

/// <summary>Options of <see cref="GuardedChatClient"/>. Validated when the client is created.</summary>
public sealed class GuardedChatClientOptions
{
    /// <summary>
    /// The quota category that pays for the model's tokens, or <see langword="null"/> (the default) to not
    /// charge tokens. When set, the tenant's tier must budget it; each turn first checks that the bucket is
    /// not empty, and afterwards the turn's <c>UsageDetails</c> are charged to it and to the run's cost.
    /// </summary>
    public string? TokenCategory { get; set; }

    /// <summary>Cost units per input (prompt) token. Default 1; finite and zero or more.</summary>
    public double InputTokenCost { get; set; } = 1;

    /// <summary>Cost units per output (completion) token. Default 1; finite and zero or more.</summary>
    public double OutputTokenCost { get; set; } = 1;

    /// <summary>The name model turns and token charges carry in audit and telemetry. Default <c>"chat"</c>.</summary>
    public string ToolName { get; set; } = "chat";

    /// <summary>Whether each model turn counts as an iteration of the current run (and is refused past its cap). Default <see langword="true"/>.</summary>
    public bool CountIterations { get; set; } = true;

    /// <summary>
    /// Whether to answer without tools, rather than fail, once the run may make no more tool calls. Default
    /// <see langword="true"/>: the tools are withheld from the request, the model is told why, and the
    /// response carries a <see cref="ChatTurnDegradation"/> under <see cref="GuardedChatClient.DegradationKey"/>.
    /// </summary>
    public bool WithholdToolsWhenExhausted { get; set; } = true;

    /// <summary>The cost of <paramref name="usage"/> at these token prices (total tokens at the input price when the split is unknown).</summary>
    internal double CostOf(Microsoft.Extensions.AI.UsageDetails usage) =>
        usage.InputTokenCount is null && usage.OutputTokenCount is null
            ? (usage.TotalTokenCount ?? 0) * InputTokenCost
            : ((usage.InputTokenCount ?? 0) * InputTokenCost) + ((usage.OutputTokenCount ?? 0) * OutputTokenCost);

    internal void Validate()
    {
        if (TokenCategory is not null && string.IsNullOrWhiteSpace(TokenCategory))
        {
            throw new ArgumentException("TokenCategory must be null (no token charge) or a category name.", nameof(TokenCategory));
        }

        if (!double.IsFinite(InputTokenCost) || InputTokenCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InputTokenCost), InputTokenCost, "InputTokenCost must be a finite number, zero or more.");
        }

        if (!double.IsFinite(OutputTokenCost) || OutputTokenCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OutputTokenCost), OutputTokenCost, "OutputTokenCost must be a finite number, zero or more.");
        }

        if (string.IsNullOrWhiteSpace(ToolName))
        {
            throw new ArgumentException("ToolName must not be empty.", nameof(ToolName));
        }
    }
}
