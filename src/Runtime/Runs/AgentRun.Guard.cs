using AgentQuotas.Policy;

namespace AgentQuotas;

// What generated guards and the chat client need from a run beyond acquiring: how many tool calls are
// left, a record of calls served by fallbacks, and charging cost that has already been incurred.
public sealed partial class AgentRun
{
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

        return Gate.Pipeline.RecordUsage(this, tool, cost);
    }

    /// <summary>
    /// Charges model tokens already used, as <see cref="RecordUsage(QuotaTool, double)"/> does, and counts them by
    /// model: the <c>agentquotas.model.tokens</c> and <c>agentquotas.model.cost</c> counters, and the policy's
    /// token-growth anomaly signal (<c>anomaly.tokens</c>).
    /// </summary>
    /// <param name="tool">Names the usage (e.g. <c>chat</c>) and the category that pays for it.</param>
    /// <param name="cost">The cost; finite and zero or more.</param>
    /// <param name="model">The model as the chat client reported it (<c>ChatResponse.ModelId</c>, else the options'); <see langword="null"/> when unknown.</param>
    /// <param name="tokens">The tokens the model reported.</param>
    /// <returns>As <see cref="RecordUsage(QuotaTool, double)"/>.</returns>
    /// <exception cref="ObjectDisposedException">The run has been disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative or not finite.</exception>
    public QuotaDecision RecordUsage(QuotaTool tool, double cost, string? model, Guard.ModelTokenUsage tokens)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(tool);
        if (!double.IsFinite(cost) || cost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, $"The usage cost of '{tool.Name}' must be a finite number, zero or more.");
        }

        return Gate.Pipeline.RecordUsage(this, tool, cost, string.IsNullOrWhiteSpace(model) ? UnknownModel : model, tokens);
    }

    private const string UnknownModel = "unknown";

    /// <summary>
    /// Checks, without taking anything, whether work paid for afterwards with <see cref="RecordUsage(QuotaTool, double)"/> may
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
        return Gate.Pipeline.CheckUsage(this, tool);
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
}
