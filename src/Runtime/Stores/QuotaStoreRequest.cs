using System.Runtime.InteropServices;

namespace AgentQuotas.Stores;

/// <summary>One request to a store: take <see cref="Cost"/> units from a bucket, within the tenant's spend ceilings.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaStoreRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="key">The bucket.</param>
    /// <param name="limits">The bucket's limits under the current policy.</param>
    /// <param name="cost">Units to take; finite and greater than zero.</param>
    /// <param name="allowEmergency">Whether the request may borrow the emergency allowance.</param>
    /// <param name="maxCostPerDay">The tenant's daily ceiling, or <see langword="null"/>.</param>
    /// <param name="maxCostPerMonth">The tenant's monthly ceiling, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> or a key part is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is not a finite number greater than zero.</exception>
    public QuotaStoreRequest(BucketKey key, BucketLimits limits, double cost, bool allowEmergency = false, double? maxCostPerDay = null, double? maxCostPerMonth = null)
    {
        ArgumentNullException.ThrowIfNull(key.Tenant, nameof(key));
        ArgumentNullException.ThrowIfNull(key.Category, nameof(key));
        ArgumentNullException.ThrowIfNull(limits);
        if (!double.IsFinite(cost) || cost <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "A cost must be a finite number greater than zero.");
        }

        Key = key;
        Limits = limits;
        Cost = cost;
        AllowEmergency = allowEmergency;
        MaxCostPerDay = maxCostPerDay;
        MaxCostPerMonth = maxCostPerMonth;
    }

    /// <summary>The bucket.</summary>
    public BucketKey Key { get; }

    /// <summary>The bucket's limits.</summary>
    public BucketLimits Limits { get; }

    /// <summary>Units to take.</summary>
    public double Cost { get; }

    /// <summary>Whether the request may borrow the emergency allowance.</summary>
    public bool AllowEmergency { get; }

    /// <summary>The tenant's daily spend ceiling, if any.</summary>
    public double? MaxCostPerDay { get; }

    /// <summary>The tenant's monthly spend ceiling, if any.</summary>
    public double? MaxCostPerMonth { get; }

    /// <summary>Whether a spend ledger must be consulted.</summary>
    public bool HasSpendCeiling => MaxCostPerDay.HasValue || MaxCostPerMonth.HasValue;
}
