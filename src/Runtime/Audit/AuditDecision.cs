namespace AgentQuotas.Audit;

/// <summary>What an audit record records.</summary>
public enum AuditDecision
{
    /// <summary>A call was admitted in full.</summary>
    Admitted = 0,

    /// <summary>A call was refused and nothing served it.</summary>
    Denied = 1,

    /// <summary>A call was refused in full and a lower rung of the ladder serves it (see the mode).</summary>
    Degraded = 2,

    /// <summary>An admitted call finished; the record carries the actual cost when reported.</summary>
    Completed = 3,

    /// <summary>An admitted call threw.</summary>
    Failed = 4,

    /// <summary>A call was put in a queue to wait for capacity.</summary>
    Queued = 5,

    /// <summary>A spend anomaly was flagged for the tenant.</summary>
    AnomalyFlagged = 6,

    /// <summary>A flagged spend anomaly was cleared after review: the tenant is back on its own tier.</summary>
    AnomalyCleared = 7,
}
