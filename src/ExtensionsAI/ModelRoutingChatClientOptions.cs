namespace AgentQuotas.Extensions.AI;

/// <summary>Options of <see cref="ModelRoutingChatClient"/>. Validated when the client is created.</summary>
public sealed class ModelRoutingChatClientOptions
{
    /// <summary>
    /// The quota category that pays for each turn's cost at the routed model's prices (the policy's <c>models</c> section),
    /// or <see langword="null"/> (the default) to only count it per model. When set, the cost is charged to the run as
    /// usage already incurred, under <see cref="ToolName"/>. Leave it unset when a <see cref="GuardedChatClient"/> above
    /// already charges tokens, or they are charged twice.
    /// </summary>
    public string? CostCategory { get; set; }

    /// <summary>The name the cost charge carries in audit and telemetry. Default <c>"chat"</c>.</summary>
    public string ToolName { get; set; } = "chat";

    /// <summary>Whether a turn may wait (at most its class's <c>maxQueueWait</c>) for its preferred model's busy pool. Default <see langword="true"/>.</summary>
    public bool AllowWaiting { get; set; } = true;

    internal void Validate()
    {
        if (CostCategory is not null && string.IsNullOrWhiteSpace(CostCategory))
        {
            throw new ArgumentException("CostCategory must be null (no charge) or a category name.", nameof(CostCategory));
        }

        if (string.IsNullOrWhiteSpace(ToolName))
        {
            throw new ArgumentException("ToolName must not be empty.", nameof(ToolName));
        }
    }
}
