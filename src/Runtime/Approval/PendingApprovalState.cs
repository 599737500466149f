namespace AgentQuotas;

/// <summary>Where a <see cref="PendingApproval"/> stands. Expiry is not a state: it is read from <see cref="PendingApproval.ExpiresAt"/>.</summary>
public enum PendingApprovalState
{
    /// <summary>Filed; no operator has decided yet.</summary>
    Pending = 0,

    /// <summary>Approved by an operator; the call may resume once.</summary>
    Approved = 1,

    /// <summary>Denied by an operator; the call never runs.</summary>
    Denied = 2,

    /// <summary>Approved, and the call has resumed with it: it cannot be used again.</summary>
    Used = 3,
}
