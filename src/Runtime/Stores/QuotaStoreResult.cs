using System.Runtime.InteropServices;

namespace AgentQuotas.Stores;

/// <summary>The result of <see cref="IQuotaStore.TryAcquire"/>.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaStoreResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="outcome">What the store decided.</param>
    /// <param name="remaining">Units left (bucket plus burst credits) after the decision; negative while in debt.</param>
    /// <param name="retryAfter">When a retry could succeed, or <see langword="null"/> when admitted or never.</param>
    /// <param name="usedBurst">Whether burst credits were drawn.</param>
    /// <param name="usedEmergency">Whether the emergency allowance was borrowed.</param>
    /// <param name="detail">Extra explanation (for example why the store is unavailable).</param>
    public QuotaStoreResult(QuotaStoreOutcome outcome, double remaining, TimeSpan? retryAfter = null, bool usedBurst = false, bool usedEmergency = false, string? detail = null)
    {
        Outcome = outcome;
        Remaining = remaining;
        RetryAfter = retryAfter;
        UsedBurst = usedBurst;
        UsedEmergency = usedEmergency;
        Detail = detail;
    }

    /// <summary>What the store decided.</summary>
    public QuotaStoreOutcome Outcome { get; }

    /// <summary>Whether the units were taken.</summary>
    public bool IsAdmitted => Outcome == QuotaStoreOutcome.Admitted;

    /// <summary>Units left after the decision; negative while in emergency debt.</summary>
    public double Remaining { get; }

    /// <summary>When a retry could succeed.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether burst credits were drawn.</summary>
    public bool UsedBurst { get; }

    /// <summary>Whether the emergency allowance was borrowed.</summary>
    public bool UsedEmergency { get; }

    /// <summary>Extra explanation, if any.</summary>
    public string? Detail { get; }

    /// <summary>A result for a store that could not decide.</summary>
    /// <param name="detail">Why.</param>
    public static QuotaStoreResult Unavailable(string detail) => new(QuotaStoreOutcome.Unavailable, double.NaN, detail: detail);
}
