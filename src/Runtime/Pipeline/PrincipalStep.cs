using System.Runtime.CompilerServices;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Trust;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 4b (issue 16): the principal's own bucket and daily ceiling (the tier's <c>principal</c> block), taken
/// once the tenant's units are, so one principal cannot spend its whole tenant's budget. A tier without a
/// <c>principal</c> block skips it. The principal's units go back with the rest in <see cref="DecisionPipeline.Undo"/>.
/// The synchronous path calls the store's synchronous API; the asynchronous path its asynchronous API (a remote
/// store's round trip then blocks no thread), waiting through <see cref="Pending"/> when the store has not answered yet.
/// </summary>
internal sealed class PrincipalStep
{
    private readonly IQuotaStore _store;

    public PrincipalStep(IQuotaStore store) => _store = store;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow Take(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal) =>
        a.Tier!.Principal is null ? Flow.Next : TakeFromPrincipal(ref a, canWait, ref pending, cancellationToken, ref refusal);

    /// <summary>The store answered for the principal's bucket: taken, or refused.</summary>
    public static Flow OnAnswered(ref Attempt a, in QuotaStoreResult taken, ref Refusal refusal)
    {
        if (PrincipalLimits.Judge(taken, a.Tier!.Principal!, a.Budget!, a.Identity) is not { } refused)
        {
            a.PrincipalTaken = true;
            return Flow.Next;
        }

        refusal = new Refusal(refused.Reason, refused.Store, refused.Detail, refused.Store.RetryAfter);
        return Flow.Refused;
    }

    /// <summary>Undo: gives the principal's units back (through the store's asynchronous API unless <paramref name="synchronous"/>).</summary>
    public ValueTask GiveBack(ref Attempt a, bool synchronous)
    {
        if (!a.PrincipalTaken)
        {
            return default;
        }

        a.PrincipalTaken = false;
        PrincipalPolicy principal = a.Tier!.Principal!; // taken, so the tier has a principal block
        if (synchronous)
        {
            PrincipalLimits.Settle(_store, principal, a.Budget!, a.Identity, -a.Cost);
            return default;
        }

        return PrincipalLimits.SettleAsync(_store, principal, a.Budget!, a.Identity, -a.Cost);
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

    private Flow TakeFromPrincipal(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        QuotaStoreRequest request = PrincipalLimits.RequestFor(a.Tier!.Principal!, a.Budget!, a.Identity, a.Cost);
        if (!canWait)
        {
            return OnAnswered(ref a, _store.TryAcquire(in request), ref refusal);
        }

        ValueTask<QuotaStoreResult> taking = _store.TryAcquireAsync(request, cancellationToken);
        if (taking.IsCompletedSuccessfully)
        {
            return OnAnswered(ref a, taking.Result, ref refusal);
        }

        pending.Kind = PendingKind.Principal;
        pending.Store = taking;
        return Flow.Wait;
    }
}
