using System.Threading.RateLimiting;

namespace AgentQuotas.RateLimiting;

/// <summary>A lease from a quota limiter. Token buckets hold nothing to release, so disposing is free.</summary>
internal sealed class QuotaLease : RateLimitLease
{
    public static readonly QuotaLease Acquired = new(true, null, null);

    private static readonly string[] FailedMetadata = [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    private readonly TimeSpan? _retryAfter;
    private readonly string? _reason;

    private QuotaLease(bool acquired, TimeSpan? retryAfter, string? reason)
    {
        IsAcquired = acquired;
        _retryAfter = retryAfter;
        _reason = reason;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : _retryAfter is null ? [MetadataName.ReasonPhrase.Name] : FailedMetadata;

    public static QuotaLease From(in QuotaDecision decision) =>
        decision.IsAdmitted ? Acquired : new QuotaLease(false, decision.RetryAfter, QuotaMessages.Describe(decision));

    public static QuotaLease Failed(string reason) => new(false, null, reason);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (!IsAcquired && _retryAfter is TimeSpan retry && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retry;
            return true;
        }

        if (!IsAcquired && metadataName == MetadataName.ReasonPhrase.Name)
        {
            metadata = _reason;
            return true;
        }

        metadata = null;
        return false;
    }
}
