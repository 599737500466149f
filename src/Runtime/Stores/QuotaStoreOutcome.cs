namespace AgentQuotas.Stores;

/// <summary>What a store decided.</summary>
public enum QuotaStoreOutcome
{
    /// <summary>The units were taken.</summary>
    Admitted = 0,

    /// <summary>The bucket does not hold enough units now.</summary>
    BucketExhausted = 1,

    /// <summary>The cost exceeds what the bucket can ever provide.</summary>
    CostExceedsCapacity = 2,

    /// <summary>The tenant's daily ceiling would be exceeded.</summary>
    DailyCeilingReached = 3,

    /// <summary>The tenant's monthly ceiling would be exceeded.</summary>
    MonthlyCeilingReached = 4,

    /// <summary>The store could not decide (unreachable, timed out).</summary>
    Unavailable = 5,
}
