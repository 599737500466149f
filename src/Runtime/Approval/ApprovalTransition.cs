namespace AgentQuotas;

/// <summary>The answer of an <see cref="IPendingApprovalStore"/> to a change: what happened and the record as it now stands.</summary>
public readonly struct ApprovalTransition
{
    /// <summary>Creates an answer.</summary>
    /// <param name="outcome">What happened.</param>
    /// <param name="approval">The record as it now stands; <see langword="null"/> when not found.</param>
    public ApprovalTransition(ApprovalTransitionOutcome outcome, PendingApproval? approval)
    {
        Outcome = outcome;
        Approval = approval;
    }

    /// <summary>What happened.</summary>
    public ApprovalTransitionOutcome Outcome { get; }

    /// <summary>The record as it now stands; <see langword="null"/> when not found.</summary>
    public PendingApproval? Approval { get; }

    /// <summary>Whether this caller made the change.</summary>
    public bool Applied => Outcome == ApprovalTransitionOutcome.Applied;
}
