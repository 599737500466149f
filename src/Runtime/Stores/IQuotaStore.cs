namespace AgentQuotas.Stores;

/// <summary>
/// Holds token buckets and the spend ledger. Implementations must make <see cref="TryAcquire"/> atomic:
/// any number of concurrent callers (threads, or hosts for a shared store) never take more than
/// capacity + burst credits + refill x elapsed from one bucket, nor push a tenant past its spend ceilings.
/// </summary>
/// <remarks>
/// The in-memory store (<see cref="InMemoryQuotaStore"/>) is the default; AgentQuotas.Postgres shares
/// buckets across hosts. Stores own their clock: the in-memory store reads a <see cref="TimeProvider"/>,
/// a database store reads the database clock so hosts with skewed clocks agree.
/// </remarks>
public interface IQuotaStore
{
    /// <summary>Takes the request's cost from its bucket and records it in the spend ledger, or refuses.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision; a remote store that cannot decide returns <see cref="QuotaStoreOutcome.Unavailable"/> rather than throwing.</returns>
    QuotaStoreResult TryAcquire(in QuotaStoreRequest request);

    /// <summary>Asynchronous <see cref="TryAcquire"/>; in-memory stores complete synchronously.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the wait for a remote store.</param>
    ValueTask<QuotaStoreResult> TryAcquireAsync(QuotaStoreRequest request, CancellationToken cancellationToken = default) =>
        new(TryAcquire(in request));

    /// <summary>
    /// Corrects an earlier acquisition once the real cost is known: a positive <paramref name="delta"/>
    /// charges more (the bucket may go into debt), a negative one refunds (the bucket never exceeds
    /// capacity plus burst credits). The spend ledger is corrected too.
    /// </summary>
    /// <param name="key">The bucket.</param>
    /// <param name="limits">The bucket's limits.</param>
    /// <param name="delta">Units to add to the charge (negative to refund).</param>
    void Settle(in BucketKey key, BucketLimits limits, double delta);

    /// <summary>Asynchronous <see cref="Settle"/>.</summary>
    /// <param name="key">The bucket.</param>
    /// <param name="limits">The bucket's limits.</param>
    /// <param name="delta">Units to add to the charge (negative to refund).</param>
    /// <param name="cancellationToken">Cancels the wait for a remote store.</param>
    ValueTask SettleAsync(BucketKey key, BucketLimits limits, double delta, CancellationToken cancellationToken = default)
    {
        Settle(in key, limits, delta);
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads a bucket without changing it; a bucket never used reads as full.</summary>
    /// <param name="key">The bucket.</param>
    /// <param name="limits">The bucket's limits.</param>
    BucketSnapshot Peek(in BucketKey key, BucketLimits limits);

    /// <summary>Reads a tenant's recorded spend for the current UTC day and month.</summary>
    /// <param name="tenant">The tenant id.</param>
    SpendSnapshot GetSpend(string tenant);

    /// <summary>
    /// The gate's entry: <see cref="TryAcquire"/> for a request the gate has validated, made at
    /// <paramref name="timestamp"/> on <paramref name="clock"/>. A store on the same clock may decide with that
    /// timestamp instead of reading its own, and keep what saves it work next time in the caller's
    /// <paramref name="hints"/> (the run's or, outside a run, the identity's; null when the caller has none); that is the in-memory store's fast path. Others ignore all three.
    /// </summary>
    internal QuotaStoreResult TryAcquireAt(in QuotaStoreRequest request, TimeProvider clock, long timestamp, BucketHints? hints) => TryAcquire(in request);

    /// <summary>Asynchronous <see cref="TryAcquireAt"/>.</summary>
    internal ValueTask<QuotaStoreResult> TryAcquireAtAsync(in QuotaStoreRequest request, TimeProvider clock, long timestamp, BucketHints? hints, CancellationToken cancellationToken) =>
        TryAcquireAsync(request, cancellationToken);
}
