using System.Collections.Concurrent;
using System.Globalization;

namespace AgentQuotas;

/// <summary>
/// An <see cref="IApprovalService"/> whose approvals can be granted later. A privileged call without an approval is
/// filed in an <see cref="IPendingApprovalStore"/> and refused with its handle (<see cref="QuotaDecision.Approval"/>);
/// an operator approves or denies it (<see cref="ApproveAsync"/>, <see cref="DenyAsync"/>, or <c>agentquotas approvals</c>);
/// the caller then calls again with <see cref="ApprovalBinding.Resume"/>, and the call runs at most once, only for the
/// same tenant, principal, tool and arguments, and only before the approval expires.
/// </summary>
public sealed class ApprovalBroker : IApprovalService
{
    private readonly IPendingApprovalStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiry;
    private readonly TimeSpan _poll;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _decided = new(StringComparer.Ordinal);

    /// <summary>Creates a broker over a store.</summary>
    /// <param name="store">Where approvals are kept.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public ApprovalBroker(IPendingApprovalStore store, ApprovalBrokerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ApprovalBrokerOptions();
        options.Validate();
        _store = store;
        _time = options.TimeProvider;
        _expiry = options.Expiry;
        _poll = options.PollInterval;
    }

    /// <summary>The store.</summary>
    public IPendingApprovalStore Store => _store;

    /// <inheritdoc/>
    public ValueTask<ApprovalDecision> RequestApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ApprovalId is null ? FileAsync(request, cancellationToken) : ResumeAsync(request, request.ApprovalId, cancellationToken);
    }

    /// <summary>Approves a pending approval, as <paramref name="operatorId"/>.</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="operatorId">The operator's identity (recorded on the approval and in the audit record of the call it admits).</param>
    /// <param name="reason">Why, optionally.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What happened: applied once; a second approver gets <see cref="ApprovalTransitionOutcome.Conflict"/>.</returns>
    public ValueTask<ApprovalTransition> ApproveAsync(string id, string operatorId, string? reason = null, CancellationToken cancellationToken = default) =>
        DecideAsync(id, approve: true, operatorId, reason, cancellationToken);

    /// <summary>Denies a pending approval, as <paramref name="operatorId"/>: the call never runs.</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="operatorId">The operator's identity.</param>
    /// <param name="reason">Why (shown to the caller and recorded).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public ValueTask<ApprovalTransition> DenyAsync(string id, string operatorId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return DecideAsync(id, approve: false, operatorId, reason, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="approval"/> is decided (approved, denied or used) or expires, whichever comes first:
    /// the wait never outlasts the approval. A decision through this broker wakes it at once; one made elsewhere is
    /// read from the store every <see cref="ApprovalBrokerOptions.PollInterval"/>.
    /// </summary>
    /// <param name="approval">The handle.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The approval as it stands: check <see cref="PendingApproval.State"/> and <see cref="PendingApproval.IsExpiredAt"/>.</returns>
    /// <exception cref="InvalidOperationException">The store no longer has the approval.</exception>
    public async ValueTask<PendingApproval> WaitForDecisionAsync(PendingApproval approval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approval);
        while (true)
        {
            TaskCompletionSource signal = _decided.GetOrAdd(approval.Id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            PendingApproval current = await _store.FindAsync(approval.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The approval store has no approval '{approval.Id}'.");
            DateTimeOffset now = _time.GetUtcNow();
            if (current.State != PendingApprovalState.Pending || current.IsExpiredAt(now))
            {
                _decided.TryRemove(new KeyValuePair<string, TaskCompletionSource>(approval.Id, signal));
                return current;
            }

            TimeSpan wait = current.ExpiresAt - now < _poll ? current.ExpiresAt - now : _poll;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task delay = Task.Delay(wait, _time, stop.Token);
            await Task.WhenAny(signal.Task, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async ValueTask<ApprovalTransition> DecideAsync(string id, bool approve, string operatorId, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        ApprovalTransition result = await _store.DecideAsync(id, approve, operatorId, reason, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (result.Applied && _decided.TryRemove(id, out TaskCompletionSource? signal))
        {
            signal.TrySetResult();
        }

        return result;
    }

    private async ValueTask<ApprovalDecision> FileAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var approval = new PendingApproval(Guid.NewGuid().ToString("N"), request.Identity.Tenant, request.Identity.Principal, request.Tool.Name,
            request.Tool.Category, request.ArgumentsDigest, request.Cost, request.RunId, now, now + _expiry);
        await _store.AddAsync(approval, cancellationToken).ConfigureAwait(false);
        return ApprovalDecision.Pending(
            string.Create(CultureInfo.InvariantCulture, $"approval {approval.Id} is pending: an operator must approve it before {approval.ExpiresAt:O}, then call again with the approval"),
            approval);
    }

    private async ValueTask<ApprovalDecision> ResumeAsync(ApprovalRequest request, string id, CancellationToken cancellationToken)
    {
        PendingApproval? approval = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);

        // Identity from the run, never from the caller's claim: an approval of another tenant or principal is not
        // described (not even whether it exists).
        if (approval is null || approval.Tenant != request.Identity.Tenant || approval.Principal != request.Identity.Principal)
        {
            return ApprovalDecision.Refuse(QuotaReason.ApprovalMismatch, $"no approval '{id}' was filed for this tenant and principal", null);
        }

        if (approval.Tool != request.Tool.Name)
        {
            return ApprovalDecision.Refuse(QuotaReason.ApprovalMismatch, $"approval {id} was filed for tool '{approval.Tool}', not '{request.Tool.Name}'", approval);
        }

        if (!string.Equals(approval.ArgumentsDigest, request.ArgumentsDigest, StringComparison.Ordinal))
        {
            return ApprovalDecision.Refuse(QuotaReason.ApprovalMismatch, $"approval {id} was filed for other arguments; an approval runs only the call it was asked for", approval);
        }

        DateTimeOffset now = _time.GetUtcNow();
        switch (approval.State)
        {
            case PendingApprovalState.Denied:
                return ApprovalDecision.Deny(approval);
            case PendingApprovalState.Used:
                return AlreadyUsed(approval);
            case PendingApprovalState.Pending when !approval.IsExpiredAt(now):
                return ApprovalDecision.Pending($"approval {id} is still pending (expires {approval.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)})", approval);
        }

        if (approval.IsExpiredAt(now))
        {
            return Expired(approval);
        }

        // Approved: the one atomic change that lets exactly one resume run.
        ApprovalTransition used = await _store.UseAsync(id, now, cancellationToken).ConfigureAwait(false);
        return used.Outcome switch
        {
            ApprovalTransitionOutcome.Applied => ApprovalDecision.Approve(used.Approval!),
            ApprovalTransitionOutcome.Expired => Expired(used.Approval!),
            _ => AlreadyUsed(used.Approval ?? approval),
        };
    }

    private static ApprovalDecision Expired(PendingApproval approval) => ApprovalDecision.Refuse(QuotaReason.ApprovalExpired,
        $"approval {approval.Id} expired at {approval.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)}" +
        (approval.State == PendingApprovalState.Pending ? " before an operator decided" : " before the call resumed") + "; ask again", approval);

    private static ApprovalDecision AlreadyUsed(PendingApproval approval) => ApprovalDecision.Refuse(QuotaReason.ApprovalAlreadyUsed,
        $"approval {approval.Id} has already been used: one approval runs one call", approval);
}
