namespace AgentQuotas;

/// <summary>Why a quota decision came out as it did. Values are stable; new ones are only appended.</summary>
public enum QuotaReason
{
    /// <summary>Admitted: nothing stood in the way.</summary>
    None = 0,

    /// <summary>The tenant's bucket for the category does not hold enough units now.</summary>
    BucketExhausted = 1,

    /// <summary>The cost exceeds what the bucket can ever hold (capacity plus burst and emergency allowances).</summary>
    CostExceedsCapacity = 2,

    /// <summary>The run reached its iteration cap.</summary>
    RunIterationLimit = 3,

    /// <summary>The run reached its tool-call cap.</summary>
    RunToolCallLimit = 4,

    /// <summary>The run's spend would exceed its cost cap.</summary>
    RunCostLimit = 5,

    /// <summary>The run's deadline has passed.</summary>
    RunDeadlineExceeded = 6,

    /// <summary>The tenant's spend today would exceed the tier's <c>maxCostPerDay</c>.</summary>
    DailyCostLimit = 7,

    /// <summary>The tenant's spend this month would exceed the tier's <c>maxCostPerMonth</c>.</summary>
    MonthlyCostLimit = 8,

    /// <summary>The tool needs approval and none has been given (yet).</summary>
    ApprovalRequired = 9,

    /// <summary>An approver refused the call.</summary>
    ApprovalDenied = 10,

    /// <summary>The tenant is not in the policy and the policy has no <c>defaultTier</c>.</summary>
    UnknownTenant = 11,

    /// <summary>The tenant's tier has no budget for the category.</summary>
    UnknownCategory = 12,

    /// <summary>The category's circuit breaker is open after repeated failures.</summary>
    CircuitOpen = 13,

    /// <summary>The queue for the workload class is full.</summary>
    QueueFull = 14,

    /// <summary>The request's estimated or actual wait in queues exceeds its class's maxQueueWait (default one minute): refused at once, or after waiting that long.</summary>
    QueueTimeout = 15,

    /// <summary>The quota store could not be reached and the store fails closed.</summary>
    StoreUnavailable = 16,

    /// <summary>The audit sink refused the record and the gate requires every decision to be recorded.</summary>
    AuditUnavailable = 17,

    /// <summary>No compute-pool slot is free for the workload class.</summary>
    PoolExhausted = 18,

    /// <summary>The tenant was moved to a quarantine tier after a spend anomaly.</summary>
    AnomalyQuarantine = 19,

    /// <summary>The caller cancelled while the call waited in a queue; nothing was charged.</summary>
    Cancelled = 20,

    /// <summary>A framework asked for a tool that is neither annotated nor covered by the policy's <c>tools</c> section.</summary>
    UnknownTool = 21,

    /// <summary>The tenant or the principal is on the revocation list (the policy's <c>revoked</c> section or the revocation file).</summary>
    Revoked = 22,

    /// <summary>The run asked for a workload class above its ceiling (its workflow's class, its tier's or tenant's <c>maxClass</c>) and the policy's <c>classCeiling</c> is <c>"refuse"</c>.</summary>
    ClassCeiling = 23,

    /// <summary>The principal's own bucket (a tier's <c>principal</c> block) cannot cover the cost now.</summary>
    PrincipalLimit = 24,

    /// <summary>The principal's daily cost ceiling (<c>principal.maxCostPerDay</c>) is reached.</summary>
    PrincipalDailyCostLimit = 25,

    /// <summary>
    /// No model of the policy's <c>models</c> section can serve the turn now: every model able to serve it (ranked at least
    /// the routing rule's <c>minRank</c>, in a pool that serves the class) has a saturated pool or an estimated queue wait
    /// over the class's <c>maxQueueWait</c>.
    /// </summary>
    NoModelAvailable = 26,

    /// <summary>A request named a model the policy's <c>models</c> section does not define (or the policy defines none).</summary>
    UnknownModel = 27,

    /// <summary>The call resumed with an approval that expired before an operator decided or before the call resumed; ask again.</summary>
    ApprovalExpired = 32,

    /// <summary>The call resumed with an approval filed for another tenant, principal, tool or set of arguments (or no such approval exists).</summary>
    ApprovalMismatch = 33,

    /// <summary>The call resumed with an approval that has already admitted a call: one approval runs one call.</summary>
    ApprovalAlreadyUsed = 34,
}
