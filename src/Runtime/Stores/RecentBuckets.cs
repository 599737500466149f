namespace AgentQuotas.Stores;

/// <summary>
/// The buckets of an <see cref="InMemoryQuotaStore"/> that this thread acquired from last: a hint that saves the
/// store's dictionary lookup on the next acquisition of the same key. Two slots, for a loop that alternates
/// between two categories. A hint is only a starting point: the store detects a retired or reshaped bucket and
/// looks the key up again, so a stale hint costs only the lookup it was meant to save.
/// </summary>
internal sealed class RecentBuckets
{
    [ThreadStatic]
    private static RecentBuckets? t_recent;

    private InMemoryQuotaStore? _store;
    private string? _tenant;
    private TokenBucketState? _bucket;
    private InMemoryQuotaStore? _previousStore;
    private string? _previousTenant;
    private TokenBucketState? _previousBucket;

    /// <summary>This thread's hints.</summary>
    public static RecentBuckets ForThread() => t_recent ??= new RecentBuckets();

    /// <summary>The bucket this thread last used for <paramref name="key"/> in <paramref name="store"/>, if remembered.</summary>
    public TokenBucketState? Find(InMemoryQuotaStore store, in BucketKey key)
    {
        if (ReferenceEquals(_store, store) && _bucket is TokenBucketState last && Same(_tenant, key.Tenant) && Same(last.Category, key.Category))
        {
            return last;
        }

        return ReferenceEquals(_previousStore, store) && _previousBucket is TokenBucketState previous && Same(_previousTenant, key.Tenant)
            && Same(previous.Category, key.Category)
            ? previous
            : null;
    }

    /// <summary>Remembers the bucket an acquisition used.</summary>
    public void Remember(InMemoryQuotaStore store, string tenant, TokenBucketState bucket)
    {
        if (ReferenceEquals(_bucket, bucket))
        {
            return;
        }

        _previousStore = _store;
        _previousTenant = _tenant;
        _previousBucket = _bucket;
        _store = store;
        _tenant = tenant;
        _bucket = bucket;
    }

    private static bool Same(string? a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);
}
