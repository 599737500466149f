namespace AgentQuotas.Audit;

/// <summary>What a full in-memory audit sink does with a new record. Either way the loss is counted.</summary>
public enum AuditFullMode
{
    /// <summary>Keep the newest records: the oldest is overwritten.</summary>
    DropOldest = 0,

    /// <summary>Keep the oldest records: the new one is refused.</summary>
    DropNewest = 1,
}
