namespace AgentQuotas.Routing;

/// <summary>The model turns of one pool at one moment, and the estimated wait of a turn that would queue for it now.</summary>
/// <param name="Pool">The pool name.</param>
/// <param name="Concurrency">Most turns the pool runs at once.</param>
/// <param name="InUse">Turns running in it now.</param>
/// <param name="Waiting">Turns waiting for a slot.</param>
/// <param name="EstimatedWait">
/// Zero when a slot is free; otherwise (turns waiting + 1) x the mean time a slot is held / the concurrency, or
/// <see langword="null"/> while no slot of the pool has been released yet (no history to estimate from).
/// </param>
public readonly record struct ModelPoolLoad(string Pool, int Concurrency, int InUse, int Waiting, TimeSpan? EstimatedWait)
{
    /// <summary>
    /// Every slot is busy and as many turns already wait as the pool has slots: a new turn is not queued for it
    /// (a line deeper than the pool is a sign the pool cannot keep up, whatever the estimate says).
    /// </summary>
    public bool IsSaturated => InUse >= Concurrency && Waiting >= Concurrency;

    /// <summary>Whether a slot is free now.</summary>
    public bool HasFree => InUse < Concurrency && Waiting == 0;
}
