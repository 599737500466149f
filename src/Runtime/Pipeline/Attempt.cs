using System.Runtime.InteropServices;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

/// <summary>
/// One decision in progress: what it asks for, resolved once against one policy snapshot, and what the steps
/// have taken so far (so <see cref="DecisionPipeline.Undo"/> gives back exactly that, once). Passed by reference
/// through the steps; copied only when the decision has to wait.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct Attempt
{
    public Attempt(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaTool tool, double cost, QuotaPolicy policy, long timestamp, ApprovalBinding binding = default, BucketHints? hints = null)
    {
        Binding = binding;
        Hints = run?.BucketHints ?? hints;
        Run = run;
        Identity = identity;
        WorkloadClass = workloadClass;
        Workflow = workflow;
        Tool = tool;
        Cost = cost;
        Policy = policy;
        Timestamp = timestamp;
    }

    public readonly AgentRun? Run;
    public readonly AgentIdentity Identity;
    public readonly WorkloadClass WorkloadClass;
    public readonly string? Workflow;
    public readonly QuotaTool Tool;
    public readonly double Cost;
    public readonly QuotaPolicy Policy;

    /// <summary>
    /// What the store may remember between calls of the run (its own hints) or, outside a run, of the caller's identity;
    /// handed to the store as it is (see <see cref="BucketHints"/>).
    /// </summary>
    public readonly BucketHints? Hints;

    /// <summary>The arguments digest and, for a resumed call, the approval id (read only by the approval step).</summary>
    public readonly ApprovalBinding Binding;

    /// <summary>The approval the approval step filed or used, for the decision it ends in.</summary>
    public PendingApproval? Approval;

    /// <summary>The tier the tenant runs under now (the quarantine tier while it is flagged); null for an unknown tenant.</summary>
    public TierPolicy? Tier;

    /// <summary>The tier's budget for the tool's category; null when it has none.</summary>
    public CategoryBudget? Budget;

    /// <summary>Whether the tenant runs under the anomaly policy's quarantine tier.</summary>
    public bool Quarantined;

    /// <summary>Why the tenant or principal is revoked (the policy's <c>revoked</c> section or the revocation file); null when it is not.</summary>
    public string? Revoked;

    /// <summary>
    /// When the decision is made (the provider's monotonic timestamp): read once and used for the run's
    /// deadline, the bucket and the audit record. Refreshed after anything that waits.
    /// </summary>
    public long Timestamp;

    /// <summary>The step the attempt has reached.</summary>
    public Stage Stage;

    // What has been taken, for the undo of a refused attempt.

    /// <summary>This call is its half-open circuit breaker's probe.</summary>
    public bool Probe;

    /// <summary>One tool call and the cost are reserved in the run and its ancestors.</summary>
    public bool RunReserved;

    /// <summary>One iteration is counted in the run.</summary>
    public bool IterationCounted;

    /// <summary>The cost is taken from the bucket (and the spend ledger).</summary>
    public bool UnitsTaken;

    /// <summary>The cost is taken from the principal's own bucket (the tier's <c>principal</c> block).</summary>
    public bool PrincipalTaken;

    /// <summary>A compute-pool slot, when one is held.</summary>
    public PoolLease Lease;

    // What the steps found.

    /// <summary>The store's answer for the units.</summary>
    public QuotaStoreResult Taken;

    /// <summary>Time spent waiting in queues so far.</summary>
    public TimeSpan Waited;

    /// <summary>Whether the call waited (it is then served with <see cref="DegradationMode.Queued"/>).</summary>
    public bool Queued;

    /// <summary>The detail an admission carries (the store's, or who approved).</summary>
    public string? Detail;

    public readonly BucketKey Key => new(Identity.Tenant, Tool.Category);

    /// <summary>Whether the class may borrow below empty in this bucket (it then need not leave other classes' reserves).</summary>
    public readonly bool MayBorrow => Tier!.AllowsEmergency(WorkloadClass) && Budget!.Limits.EmergencyDebt > 0;

    public readonly QuotaStoreRequest StoreRequest() => new(
        new BucketKey(Identity.Tenant, Tool.Category),
        Budget!.Limits,
        Cost,
        Tier!.AllowsEmergency(WorkloadClass),
        Tier.Limits.MaxCostPerDay,
        Tier.Limits.MaxCostPerMonth);
}
