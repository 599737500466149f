using System.Runtime.InteropServices;

namespace AgentQuotas;

/// <summary>
/// The outcome of one quota decision: admitted or not, why, which degradation mode applies, when to
/// retry, and the policy version that decided. A value type: deciding allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaDecision
{
    internal QuotaDecision(
        bool admitted,
        QuotaReason reason,
        DegradationMode mode,
        string tenant,
        string category,
        string tool,
        double cost,
        double remaining,
        TimeSpan? retryAfter,
        string policyVersion,
        string? detail,
        string? policyHash = null,
        PendingApproval? approval = null)
    {
        Approval = approval;
        IsAdmitted = admitted;
        Reason = reason;
        Mode = mode;
        Tenant = tenant;
        Category = category;
        Tool = tool;
        Cost = cost;
        Remaining = remaining;
        RetryAfter = retryAfter;
        PolicyVersion = policyVersion;
        Detail = detail;
        PolicyHash = policyHash;
    }

    /// <summary><see langword="true"/> when the call may run in full.</summary>
    public bool IsAdmitted { get; }

    /// <summary>Why it was decided so; <see cref="QuotaReason.None"/> when admitted.</summary>
    public QuotaReason Reason { get; }

    /// <summary>
    /// The rung of the degradation ladder that applies: <see cref="DegradationMode.Full"/> when admitted,
    /// <see cref="DegradationMode.DraftOnly"/> when the tool's fallback should serve,
    /// <see cref="DegradationMode.ApprovalRequired"/> when approval is pending, otherwise
    /// <see cref="DegradationMode.Rejected"/>.
    /// </summary>
    public DegradationMode Mode { get; }

    /// <summary>The tenant the decision was made for.</summary>
    public string Tenant { get; }

    /// <summary>The quota category.</summary>
    public string Category { get; }

    /// <summary>The tool (or operation) name.</summary>
    public string Tool { get; }

    /// <summary>The planned cost in units.</summary>
    public double Cost { get; }

    /// <summary>Units left in the bucket (including banked burst credits) after the decision; negative while in emergency debt.</summary>
    public double Remaining { get; }

    /// <summary>When a retry could succeed; <see langword="null"/> when admitted or when waiting cannot help.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The <c>version</c> of the policy that made the decision.</summary>
    public string PolicyVersion { get; }

    /// <summary>A human-readable explanation for a denial (which cap, which approver said no, and so on).</summary>
    public string? Detail { get; }

    /// <summary>The content hash (<see cref="Policy.QuotaPolicy.ContentHash"/>) of the policy that made the decision.</summary>
    public string? PolicyHash { get; }

    /// <summary>
    /// The approval this decision is about: the handle of a call filed for approval (mode
    /// <see cref="DegradationMode.ApprovalRequired"/>, or <see cref="DegradationMode.DraftOnly"/> when a fallback served it),
    /// which the caller resumes with once approved (<see cref="ApprovalBinding.Resume"/>); or the approval a resumed call used.
    /// <see langword="null"/> when no approval was filed or used.
    /// </summary>
    public PendingApproval? Approval { get; }

    /// <summary>Creates the exception that reports this denial.</summary>
    /// <exception cref="InvalidOperationException">The decision admitted the call.</exception>
    public QuotaExceededException ToException()
    {
        if (IsAdmitted)
        {
            throw new InvalidOperationException("An admitted decision has nothing to report.");
        }

        return new QuotaExceededException(this);
    }

    /// <summary>Throws <see cref="QuotaExceededException"/> unless the call was admitted.</summary>
    public void ThrowIfDenied()
    {
        if (!IsAdmitted)
        {
            throw new QuotaExceededException(this);
        }
    }

    internal QuotaDecision WithMode(DegradationMode mode) =>
        new(IsAdmitted, Reason, mode, Tenant, Category, Tool, Cost, Remaining, RetryAfter, PolicyVersion, Detail, PolicyHash, Approval);

    /// <inheritdoc/>
    public override string ToString() => IsAdmitted
        ? $"Admitted {Tool} for {Tenant} ({Category}, cost {Cost}, {Remaining:0.###} left, policy {PolicyVersion})"
        : QuotaMessages.Describe(this);
}
