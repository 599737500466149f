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

    /// <summary>
    /// Corrects the principal's bucket of an admitted call by <paramref name="delta"/> (actual minus planned cost, or
    /// minus the planned cost of a withdrawn call), as the tenant's bucket is corrected.
    /// </summary>
    public void Settle(in QuotaTicket ticket, double delta)
    {
        if (ticket.Principal is { } principal && ticket.Budget is { } budget)
        {
            PrincipalLimits.Settle(_store, principal, budget, ticket.Run.Identity, delta);
        }
    }

    /// <summary>Charges usage already incurred to the principal's bucket too (it may go into debt, as the tenant's does).</summary>
    public void Charge(in Attempt a, double cost)
    {
        if (a.Tier?.Principal is { } principal && a.Budget is { } budget)
        {
            PrincipalLimits.Settle(_store, principal, budget, a.Identity, cost);
        }
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
