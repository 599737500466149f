using AgentQuotas.Policy;

namespace AgentQuotas;

// What a chat pipeline needs to end an agent loop gracefully instead of failing its next turn.
public sealed partial class AgentRun
{
    /// <summary>
    /// How many more iterations (model turns) this run may begin before its cap (its own or the tier's, whichever is
    /// tighter) refuses one; <see langword="null"/> when no cap applies. <c>0</c> when the tenant is unknown to the
    /// policy. A chat client can use it to make the last allowed turn one that answers without tools.
    /// </summary>
    public int? RemainingIterations
    {
        get
        {
            if (!Gate.Policy.TryResolveTier(Identity.Tenant, out TierPolicy? tier))
            {
                return 0;
            }

            int cap = Tighter(_maxIterations, tier.Limits.MaxIterations);
            return cap > 0 ? Math.Max(0, cap - Iterations) : null;
        }
    }

    /// <summary>The iteration cap that applies to this run (its own or the tier's, whichever is tighter); <see langword="null"/> for none.</summary>
    public int? IterationCap => Gate.Policy.TryResolveTier(Identity.Tenant, out TierPolicy? tier) && Tighter(_maxIterations, tier.Limits.MaxIterations) is int cap and > 0
        ? cap
        : null;
}
