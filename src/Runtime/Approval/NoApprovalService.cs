namespace AgentQuotas;

/// <summary>
/// The default approval service: approves nothing. Every call that requires approval comes back as
/// <see cref="ApprovalStatus.Pending"/> with reason "approval required", so it degrades to its
/// fallback (DraftOnly) or reports ApprovalRequired; privileged tools never run unapproved.
/// </summary>
public sealed class NoApprovalService : IApprovalService
{
    /// <summary>The shared instance.</summary>
    public static NoApprovalService Instance { get; } = new();

    private NoApprovalService()
    {
    }

    /// <inheritdoc/>
    public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        new(ApprovalDecision.Pending("approval required: no approval service is configured"));
}
