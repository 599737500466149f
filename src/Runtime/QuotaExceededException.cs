namespace AgentQuotas;

/// <summary>
/// Thrown when a guarded call is denied and no fallback serves it. Carries everything needed to act:
/// the reason, category, tenant, tool, policy version and when a retry could succeed.
/// </summary>
public sealed class QuotaExceededException : Exception
{
    /// <summary>Creates the exception for a denial.</summary>
    /// <param name="decision">The denying decision.</param>
    public QuotaExceededException(QuotaDecision decision)
        : base(QuotaMessages.Describe(decision))
    {
        Decision = decision;
    }

    /// <summary>The decision that denied the call.</summary>
    public QuotaDecision Decision { get; }

    /// <summary>Why the call was denied.</summary>
    public QuotaReason Reason => Decision.Reason;

    /// <summary>The quota category.</summary>
    public string Category => Decision.Category;

    /// <summary>The tenant.</summary>
    public string Tenant => Decision.Tenant;

    /// <summary>The tool.</summary>
    public string Tool => Decision.Tool;

    /// <summary>The version of the policy that denied the call.</summary>
    public string PolicyVersion => Decision.PolicyVersion;

    /// <summary>When a retry could succeed; <see langword="null"/> when waiting cannot help.</summary>
    public TimeSpan? RetryAfter => Decision.RetryAfter;

    /// <summary>The degradation mode: <see cref="DegradationMode.ApprovalRequired"/> or <see cref="DegradationMode.Rejected"/>.</summary>
    public DegradationMode Mode => Decision.Mode;

    /// <summary>The filed approval to resume with once an operator approves it (<see cref="ApprovalBinding.Resume"/>); <see langword="null"/> when none was filed.</summary>
    public PendingApproval? Approval => Decision.Approval;
}
