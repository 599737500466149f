using System.Runtime.CompilerServices;
using AgentQuotas.Stores;
using AgentQuotas.Trust;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 4b (issue 16): the principal's own bucket and daily ceiling (the tier's <c>principal</c> block), taken
/// once the tenant's units are, so one principal cannot spend its whole tenant's budget. A tier without a
/// <c>principal</c> block skips it. The principal's units go back with the rest in <see cref="DecisionPipeline.Undo"/>.
/// </summary>
internal sealed class PrincipalStep
{
    private readonly IQuotaStore _store;

    public PrincipalStep(IQuotaStore store) => _store = store;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow Take(ref Attempt a, ref Refusal refusal) => a.Tier!.Principal is null ? Flow.Next : TakeFromPrincipal(ref a, ref refusal);

    /// <summary>Undo: gives the principal's units back.</summary>
    public void GiveBack(ref Attempt a)
    {
        if (!a.PrincipalTaken)
        {
            return;
        }

        a.PrincipalTaken = false;
        PrincipalLimits.Refund(_store, a.Tier!, a.Budget!, a.Identity, a.Cost);
    }

    private Flow TakeFromPrincipal(ref Attempt a, ref Refusal refusal)
    {
        if (PrincipalLimits.TryTake(_store, a.Tier!, a.Budget!, a.Identity, a.Cost) is not { } refused)
        {
            a.PrincipalTaken = true;
            return Flow.Next;
        }

        refusal = new Refusal(refused.Reason, refused.Store, refused.Detail, refused.Store.RetryAfter);
        return Flow.Refused;
    }
}
