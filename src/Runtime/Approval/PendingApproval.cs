namespace AgentQuotas;

/// <summary>
/// The handle of a privileged call that waits for an operator: which call (tool, digest of its arguments), for whom
/// (tenant and principal of the authenticated run, never of the arguments), until when, and where it stands.
/// A refused call carries it on <see cref="QuotaDecision.Approval"/> and <see cref="QuotaExceededException.Approval"/>;
/// the caller resumes with it (<see cref="ApprovalBinding.Resume"/>) once it is approved, at most once.
/// </summary>
public sealed class PendingApproval
{
    /// <summary>Creates a record (stores use this to read one back).</summary>
    /// <param name="id">The approval id.</param>
    /// <param name="tenant">The run's tenant.</param>
    /// <param name="principal">The run's principal.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="category">The tool's quota category.</param>
    /// <param name="argumentsDigest">The digest of the call's arguments (<see cref="ApprovalBinding.DigestOf"/>); empty when the caller gave none.</param>
    /// <param name="cost">The planned cost.</param>
    /// <param name="runId">The run id, if any.</param>
    /// <param name="requestedAt">When it was filed.</param>
    /// <param name="expiresAt">After this instant it can be neither approved nor used.</param>
    /// <param name="state">Where it stands.</param>
    /// <param name="decidedBy">The operator who approved or denied it.</param>
    /// <param name="decisionReason">The operator's reason.</param>
    /// <param name="decidedAt">When the operator decided.</param>
    public PendingApproval(string id, string tenant, string principal, string tool, string category, string argumentsDigest, double cost, string? runId,
        DateTimeOffset requestedAt, DateTimeOffset expiresAt, PendingApprovalState state = PendingApprovalState.Pending,
        string? decidedBy = null, string? decisionReason = null, DateTimeOffset? decidedAt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        ArgumentException.ThrowIfNullOrWhiteSpace(tool);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentNullException.ThrowIfNull(argumentsDigest);
        if (expiresAt <= requestedAt)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "An approval must expire after it is requested.");
        }

        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown approval state.");
        }

        Id = id;
        Tenant = tenant;
        Principal = principal;
        Tool = tool;
        Category = category;
        ArgumentsDigest = argumentsDigest;
        Cost = cost;
        RunId = runId;
        RequestedAt = requestedAt;
        ExpiresAt = expiresAt;
        State = state;
        DecidedBy = decidedBy;
        DecisionReason = decisionReason;
        DecidedAt = decidedAt;
    }

    /// <summary>The approval id: what operators approve or deny and what the caller resumes with.</summary>
    public string Id { get; }

    /// <summary>The tenant of the run that asked (from the authenticated run identity).</summary>
    public string Tenant { get; }

    /// <summary>The principal of the run that asked (from the authenticated run identity).</summary>
    public string Principal { get; }

    /// <summary>The tool.</summary>
    public string Tool { get; }

    /// <summary>The tool's quota category.</summary>
    public string Category { get; }

    /// <summary>The SHA-256 digest (lowercase hex) of the call's arguments; empty when the caller gave none. A resume must present the same digest.</summary>
    public string ArgumentsDigest { get; }

    /// <summary>The planned cost.</summary>
    public double Cost { get; }

    /// <summary>The run that asked, if any.</summary>
    public string? RunId { get; }

    /// <summary>When the approval was filed.</summary>
    public DateTimeOffset RequestedAt { get; }

    /// <summary>After this instant the approval can be neither decided nor used (the call is refused with <see cref="QuotaReason.ApprovalExpired"/>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Where it stands.</summary>
    public PendingApprovalState State { get; }

    /// <summary>The operator who approved or denied it; <see langword="null"/> while pending.</summary>
    public string? DecidedBy { get; }

    /// <summary>The operator's reason, if given.</summary>
    public string? DecisionReason { get; }

    /// <summary>When the operator decided.</summary>
    public DateTimeOffset? DecidedAt { get; }

    /// <summary>Whether the approval has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>The same record in another state.</summary>
    /// <param name="state">The new state.</param>
    /// <param name="decidedBy">Who decided (kept when <see langword="null"/>).</param>
    /// <param name="reason">The reason (kept when <see langword="null"/>).</param>
    /// <param name="decidedAt">When (kept when <see langword="null"/>).</param>
    public PendingApproval With(PendingApprovalState state, string? decidedBy = null, string? reason = null, DateTimeOffset? decidedAt = null) =>
        new(Id, Tenant, Principal, Tool, Category, ArgumentsDigest, Cost, RunId, RequestedAt, ExpiresAt, state,
            decidedBy ?? DecidedBy, reason ?? DecisionReason, decidedAt ?? DecidedAt);

    /// <inheritdoc/>
    public override string ToString() => $"Approval {Id}: {Tool} for {Tenant}/{Principal}, {State}, expires {ExpiresAt:O}";
}
