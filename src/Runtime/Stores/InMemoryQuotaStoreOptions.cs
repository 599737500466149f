namespace AgentQuotas.Stores;

/// <summary>Options of <see cref="InMemoryQuotaStore"/>.</summary>
public sealed class InMemoryQuotaStoreOptions
{
    /// <summary>The clock. Default <see cref="TimeProvider.System"/>; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// A bucket that has been full (burst credits included) for this long is evicted: it has been unused
    /// at least that long, and a later request recreates it full, so eviction never forgives a debt.
    /// Default 10 minutes; must be positive.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often idle buckets are swept. Default 1 minute; <see cref="Timeout.InfiniteTimeSpan"/> turns the
    /// background sweep off (call <see cref="InMemoryQuotaStore.EvictIdle"/> yourself).
    /// </summary>
    public TimeSpan EvictionInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "The idle timeout must be positive.");
        }

        if (EvictionInterval <= TimeSpan.Zero && EvictionInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(EvictionInterval), EvictionInterval, "The eviction interval must be positive or Timeout.InfiniteTimeSpan.");
        }
    }
}
