namespace AgentQuotas;

/// <summary>The answer of an <see cref="IApprovalService"/>.</summary>
public readonly struct ApprovalDecision
{
    private ApprovalDecision(ApprovalStatus status, string? approver, string? reason, PendingApproval? approval = null, QuotaReason refusal = QuotaReason.None)
    {
        Status = status;
        Approver = approver;
        Reason = reason;
        Approval = approval;
        Refusal = refusal;
    }

    /// <summary>The answer.</summary>
    public ApprovalStatus Status { get; }

    /// <summary>Who decided, for the audit trail.</summary>
    public string? Approver { get; }

    /// <summary>Why, for the audit trail and the caller.</summary>
    public string? Reason { get; }

    /// <summary>The filed approval this answer is about (its handle), when there is one.</summary>
    public PendingApproval? Approval { get; }

    /// <summary>The gate's reason for a refusal more specific than denied or pending (expired, mismatched, already used).</summary>
    internal QuotaReason Refusal { get; }

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

    /// <summary>Not decided yet: the request is filed as <paramref name="approval"/>, which the caller can resume with once an operator approves it.</summary>
    /// <param name="reason">What happens next.</param>
    /// <param name="approval">The filed approval.</param>
    public static ApprovalDecision Pending(string reason, PendingApproval approval)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentNullException.ThrowIfNull(approval);
        return new(ApprovalStatus.Pending, null, reason, approval);
    }

    internal static ApprovalDecision Approve(PendingApproval approval) =>
        new(ApprovalStatus.Approved, approval.DecidedBy, approval.DecisionReason, approval);

    internal static ApprovalDecision Deny(PendingApproval approval) =>
        new(ApprovalStatus.Denied, approval.DecidedBy, approval.DecisionReason ?? "denied", approval, QuotaReason.ApprovalDenied);

    internal static ApprovalDecision Refuse(QuotaReason refusal, string reason, PendingApproval? approval) =>
        new(ApprovalStatus.Denied, null, reason, approval, refusal);
}
