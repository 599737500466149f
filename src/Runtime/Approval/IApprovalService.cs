namespace AgentQuotas;

/// <summary>
/// Decides whether a privileged call that requires approval may run. Answer promptly: approve from a
/// standing rule, deny, or return <see cref="ApprovalStatus.Pending"/> after filing the request for a
/// person; never hold the call open waiting for a human.
/// </summary>
public interface IApprovalService
{
    /// <summary>Asks for approval of one call.</summary>
    /// <param name="request">What would run, for whom, at what cost.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The decision. An exception is treated as "not approved" (the gate fails closed).</returns>
    ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken);
}
