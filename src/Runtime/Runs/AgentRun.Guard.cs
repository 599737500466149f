using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;

namespace AgentQuotas;

// What generated guards and the chat client need from a run beyond acquiring: how many tool calls are
// left, a record of calls served by fallbacks, and charging cost that has already been incurred.
public sealed partial class AgentRun
{
    private const string UsageTool = "(usage)";
    private DegradedCall[] _degradations = [];

    /// <summary>
    /// How many more guarded tool calls this run may make before its tool-call cap (its own, an
    /// ancestor's or the tier's, whichever is tightest) refuses one; <see langword="null"/> when no cap
    /// applies. <c>0</c> when the tenant is unknown to the policy, since every call would be refused.
    /// </summary>
    public int? RemainingToolCalls
    {
        get
        {
            if (!Gate.Policy.TryResolveTier(Identity.Tenant, out TierPolicy? tier))
            {
                return 0;
            }

            int? remaining = null;
            for (AgentRun? r = this; r is not null; r = r.Parent)
            {
                int cap = Tighter(r._maxToolCalls, tier.Limits.MaxToolCalls);
                if (cap > 0)
                {
                    int left = Math.Max(0, cap - r.ToolCalls);
                    remaining = remaining is int known ? Math.Min(known, left) : left;
                }
            }

            return remaining;
        }
    }

    /// <summary>Calls in this run and its children that were served by a fallback, oldest first.</summary>
    public IReadOnlyList<DegradedCall> Degradations => Volatile.Read(ref _degradations);

    /// <summary>The most recent call in this run or its children that was served by a fallback, if any.</summary>
    public DegradedCall? LastDegradation
    {
        get
        {
            DegradedCall[] all = Volatile.Read(ref _degradations);
            return all.Length == 0 ? null : all[^1];
        }
    }

    /// <summary>
    /// Charges cost that has already been incurred (model tokens, for example) to the tenant's bucket for
    /// <paramref name="tool"/>'s category and to this run and its ancestors. The work has happened, so
    /// nothing is refused: the bucket may go into debt, which later calls then wait out. The charge is
    /// recorded in the audit trail as a completed call.
    /// </summary>
    /// <param name="tool">Names the usage (e.g. <c>chat</c>) and the category that pays for it.</param>
    /// <param name="cost">The cost; finite and zero or more.</param>
    /// <returns>
    /// An admitted decision, or a denial with <see cref="QuotaReason.UnknownTenant"/> or
    /// <see cref="QuotaReason.UnknownCategory"/> when the policy has no bucket to charge (nothing is charged then).
    /// </returns>
    /// <exception cref="ObjectDisposedException">The run has been disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative or not finite.</exception>
    public QuotaDecision RecordUsage(QuotaTool tool, double cost)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(tool);
        if (!double.IsFinite(cost) || cost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"The usage cost of '{tool.Name}' must be a finite number, zero or more.");
        }

        QuotaPolicy policy = Gate.Policy;
        if (!TryResolveBudget(policy, tool, out CategoryBudget? budget, out QuotaDecision refused))
        {
            WriteUsageAudit(refused, AuditDecision.Denied, actualCost: null);
            return refused;
        }

        var key = new BucketKey(Identity.Tenant, tool.Category);
        if (cost > 0)
        {
            Gate.Store.Settle(key, budget.Limits, cost);
            AdjustCost(cost);
        }

        double remaining = Gate.Store.Peek(key, budget.Limits).Available;
        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, Identity.Tenant, tool.Category, tool.Name,
            cost, remaining, retryAfter: null, policy.Version, "usage already incurred", policy.ContentHash);
        WriteUsageAudit(decision, AuditDecision.Completed, cost);
        return decision;
    }

    /// <summary>
    /// Checks, without taking anything, whether work paid for afterwards with <see cref="RecordUsage"/> may
    /// start: the tenant's bucket for <paramref name="tool"/>'s category must not be empty (or in debt), the
    /// run and its ancestors must be within their deadline and cost caps. A refusal is audited.
    /// </summary>
    /// <param name="tool">Names the usage and the category that pays for it.</param>
    /// <returns>An admitted decision, or the denial with its reason and, for an empty bucket, <see cref="QuotaDecision.RetryAfter"/>.</returns>
    /// <exception cref="ObjectDisposedException">The run has been disposed.</exception>
    public QuotaDecision CheckUsageBudget(QuotaTool tool)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(tool);
        QuotaPolicy policy = Gate.Policy;
        if (!TryResolveBudget(policy, tool, out CategoryBudget? budget, out QuotaDecision refused))
        {
            WriteUsageAudit(refused, AuditDecision.Denied, actualCost: null);
            return refused;
        }

        policy.TryResolveTier(Identity.Tenant, out TierPolicy? tier);
        QuotaReason reason = QuotaReason.None;
        string? detail = null;
        TimeSpan? retryAfter = null;
        BucketSnapshot bucket = Gate.Store.Peek(new BucketKey(Identity.Tenant, tool.Category), budget.Limits);
        if (FindExpired(Gate.TimeProvider.GetTimestamp()) is AgentRun expired)
        {
            reason = QuotaReason.RunDeadlineExceeded;
            detail = expired.Describe() + " is past its deadline.";
        }
        else if (FindCostCapReached(tier!.Limits) is AgentRun capped)
        {
            reason = QuotaReason.RunCostLimit;
            detail = capped.DescribeCaps(tier.Limits, QuotaReason.RunCostLimit);
        }
        else if (bucket.Available <= 0)
        {
            reason = QuotaReason.BucketExhausted;
            detail = $"The '{tool.Category}' bucket is empty or in debt after earlier usage.";
            if (budget.Limits.RefillPerSecond > 0)
            {
                // Enough refill to climb out of debt and have something to spend again.
                retryAfter = TimeSpan.FromSeconds((1 - bucket.Available) / budget.Limits.RefillPerSecond);
            }
        }

        var decision = new QuotaDecision(reason == QuotaReason.None, reason, reason == QuotaReason.None ? DegradationMode.Full : DegradationMode.Rejected,
            Identity.Tenant, tool.Category, tool.Name, 0, bucket.Available, retryAfter, policy.Version, detail, policy.ContentHash);
        if (!decision.IsAdmitted)
        {
            WriteUsageAudit(decision, AuditDecision.Denied, actualCost: null);
        }

        return decision;
    }

    /// <summary>Records a call served by its fallback in this run and every ancestor.</summary>
    internal DegradedCall RecordDegradation(in QuotaDecision decision)
    {
        var degraded = new DegradedCall(decision, Gate.TimeProvider.GetUtcNow());
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            while (true)
            {
                DegradedCall[] current = Volatile.Read(ref r._degradations);
                DegradedCall[] next = [.. current, degraded];
                if (ReferenceEquals(Interlocked.CompareExchange(ref r._degradations, next, current), current))
                {
                    break;
                }
            }
        }

        return degraded;
    }

    private AgentRun? FindCostCapReached(TierLimits tier)
    {
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            double cap = Tighter(r._maxCost, tier.MaxCostPerRun);
            if (cap > 0 && r.CostSpent >= cap)
            {
                return r;
            }
        }

        return null;
    }

    private bool TryResolveBudget(QuotaPolicy policy, QuotaTool tool, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CategoryBudget? budget, out QuotaDecision refused)
    {
        budget = null;
        QuotaReason reason = QuotaReason.None;
        string? detail = null;
        if (!policy.TryResolveTier(Identity.Tenant, out TierPolicy? tier))
        {
            reason = QuotaReason.UnknownTenant;
        }
        else if (!tier.TryGetBudget(tool.Category, out budget))
        {
            reason = QuotaReason.UnknownCategory;
            detail = $"Tier '{tier.Name}' budgets: {string.Join(", ", tier.Categories.Keys)}.";
        }

        refused = reason == QuotaReason.None
            ? default
            : new QuotaDecision(false, reason, DegradationMode.Rejected, Identity.Tenant, tool.Category, tool.Name, 0, double.NaN, null, policy.Version, detail, policy.ContentHash);
        return budget is not null;
    }

    private void WriteUsageAudit(in QuotaDecision decision, AuditDecision kind, double? actualCost)
    {
        Gate.AuditSink.TryWrite(new QuotaAuditRecord
        {
            Timestamp = Gate.TimeProvider.GetUtcNow(),
            Tenant = Identity.Tenant,
            Principal = Identity.Principal,
            Workflow = Workflow,
            RunId = Id,
            WorkloadClass = WorkloadClass,
            Tool = string.IsNullOrEmpty(decision.Tool) ? UsageTool : decision.Tool,
            Category = decision.Category,
            PlannedCost = decision.Cost,
            ActualCost = actualCost,
            Decision = kind,
            Reason = decision.Reason,
            Mode = decision.Mode,
            QueueWait = TimeSpan.Zero,
            PolicyVersion = decision.PolicyVersion,
            PolicyHash = decision.PolicyHash,
            Detail = decision.Detail,
        });
    }
}
