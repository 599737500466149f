namespace AgentQuotas;

/// <summary>An approver's answer.</summary>
public enum ApprovalStatus
{
    /// <summary>Not decided yet: nothing runs now (mode ApprovalRequired).</summary>
    Pending = 0,

    /// <summary>The call may run.</summary>
    Approved = 1,

    /// <summary>The call must not run.</summary>
    Denied = 2,
}
