namespace AgentQuotas;

/// <summary>
/// Pending approvals in this process's memory: for one host and for tests. Every change happens under one lock,
/// so of racing changes to one approval exactly one is applied. Use the PostgreSQL store when several hosts share
/// approvals or approvals must outlive the process.
/// </summary>
public sealed class InMemoryPendingApprovalStore : IPendingApprovalStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PendingApproval> _approvals = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask AddAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        lock (_lock)
        {
            if (!_approvals.TryAdd(approval.Id, approval))
            {
                throw new InvalidOperationException($"An approval with id '{approval.Id}' is already filed.");
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<PendingApproval?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            return new(_approvals.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<PendingApproval>> ListAsync(string? tenant, bool includeClosed, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_lock)
        {
            PendingApproval[] found = _approvals.Values
                .Where(a => (tenant is null || a.Tenant == tenant) && (includeClosed || a.State == PendingApprovalState.Pending))
                .OrderBy(a => a.RequestedAt).ThenBy(a => a.Id, StringComparer.Ordinal)
                .Take(limit)
                .ToArray();
            return new(found);
        }
    }

    /// <inheritdoc/>
    public ValueTask<ApprovalTransition> DecideAsync(string id, bool approve, string decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        PendingApprovalState next = approve ? PendingApprovalState.Approved : PendingApprovalState.Denied;
        return new(Change(id, PendingApprovalState.Pending, now, a => a.With(next, decidedBy, reason, now)));
    }

    /// <inheritdoc/>
    public ValueTask<ApprovalTransition> UseAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return new(Change(id, PendingApprovalState.Approved, now, a => a.With(PendingApprovalState.Used)));
    }

    private ApprovalTransition Change(string id, PendingApprovalState from, DateTimeOffset now, Func<PendingApproval, PendingApproval> change)
    {
        lock (_lock)
        {
            if (!_approvals.TryGetValue(id, out PendingApproval? current))
            {
                return new(ApprovalTransitionOutcome.NotFound, null);
            }

            if (current.State != from)
            {
                return new(ApprovalTransitionOutcome.Conflict, current);
            }

            if (current.IsExpiredAt(now))
            {
                return new(ApprovalTransitionOutcome.Expired, current);
            }

            PendingApproval changed = change(current);
            _approvals[id] = changed;
            return new(ApprovalTransitionOutcome.Applied, changed);
        }
    }
}
