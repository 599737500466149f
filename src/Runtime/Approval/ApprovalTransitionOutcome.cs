namespace AgentQuotas;

/// <summary>What an <see cref="IPendingApprovalStore"/> did with a requested change.</summary>
public enum ApprovalTransitionOutcome
{
    /// <summary>The change was made (by this caller, and by no other).</summary>
    Applied = 0,

    /// <summary>No approval has that id.</summary>
    NotFound = 1,

    /// <summary>The approval is not in the state the change needs (already decided, denied, or already used).</summary>
    Conflict = 2,

    /// <summary>The approval has expired.</summary>
    Expired = 3,
}
