namespace AgentQuotas.Stores;

/// <summary>What the lock-free path of <see cref="TokenBucketState.TryTakeFast"/> did.</summary>
internal enum FastTake
{
    /// <summary>Admitted without a lock.</summary>
    Admitted,

    /// <summary>The request needs the monitor (credits, debt, banking or a refusal).</summary>
    NeedsLock,

    /// <summary>The bucket has left its store; look the key up again.</summary>
    Retired,
}
