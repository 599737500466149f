namespace AgentQuotas;

/// <summary>The answer of an <see cref="IApprovalService"/>.</summary>
public readonly struct ApprovalDecision
{
    private ApprovalDecision(ApprovalStatus status, string? approver, string? reason)
    {
        Status = status;
        Approver = approver;
        Reason = reason;
    }

    /// <summary>The answer.</summary>
    public ApprovalStatus Status { get; }

    /// <summary>Who decided, for the audit trail.</summary>
    public string? Approver { get; }

    /// <summary>Why, for the audit trail and the caller.</summary>
    public string? Reason { get; }

    /// <summary>The call may run.</summary>
    /// <param name="approver">Who approved it.</param>
    /// <param name="reason">Why, optionally.</param>
    public static ApprovalDecision Approve(string approver, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(approver);
        return new(ApprovalStatus.Approved, approver, reason);
    }

    /// <summary>The call must not run.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="approver">Who refused, optionally.</param>
    public static ApprovalDecision Deny(string reason, string? approver = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(ApprovalStatus.Denied, approver, reason);
    }

    /// <summary>Not decided yet; nothing runs now.</summary>
    /// <param name="reason">What happens next (for example "filed as ticket 1234").</param>
    public static ApprovalDecision Pending(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(ApprovalStatus.Pending, null, reason);
    }
}
