namespace AgentQuotas;

/// <summary>
/// Where pending approvals live between the call that asked and the operator who decides: in memory
/// (<see cref="InMemoryPendingApprovalStore"/>) or in PostgreSQL (shared by every host). Each change is one atomic
/// compare-and-set, so of two operators (or two resumes) racing on one approval exactly one succeeds.
/// </summary>
public interface IPendingApprovalStore
{
    /// <summary>Files a new approval (state <see cref="PendingApprovalState.Pending"/>).</summary>
    /// <param name="approval">The record.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask AddAsync(PendingApproval approval, CancellationToken cancellationToken);

    /// <summary>Reads one approval.</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record, or <see langword="null"/> when there is none.</returns>
    ValueTask<PendingApproval?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Lists approvals, oldest first.</summary>
    /// <param name="tenant">Only this tenant's; all when <see langword="null"/>.</param>
    /// <param name="includeClosed">Also decided and used ones (otherwise only <see cref="PendingApprovalState.Pending"/>).</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<PendingApproval>> ListAsync(string? tenant, bool includeClosed, int limit, CancellationToken cancellationToken);

    /// <summary>Approves or denies a pending approval that has not expired at <paramref name="now"/>; nothing else.</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="approve">Approve (<see langword="true"/>) or deny.</param>
    /// <param name="decidedBy">The operator.</param>
    /// <param name="reason">The operator's reason.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask<ApprovalTransition> DecideAsync(string id, bool approve, string decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks an approved approval that has not expired at <paramref name="now"/> as used; nothing else. Succeeds once per approval.</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask<ApprovalTransition> UseAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);
}
