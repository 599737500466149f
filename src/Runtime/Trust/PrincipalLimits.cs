using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using AgentQuotas.Policy;
using AgentQuotas.Stores;

namespace AgentQuotas.Trust;

/// <summary>
/// The per-principal limits of a tier's <c>principal</c> block, enforced on any <see cref="IQuotaStore"/>: each
/// principal has its own bucket per category (a second bucket key in the same store, so the in-memory and the
/// PostgreSQL stores both enforce it atomically) whose spend ledger is the principal's own daily ceiling.
/// </summary>
/// <remarks>
/// The principal's bucket key is <c>(principal) &lt;sha256&gt;</c> (hex SHA-256 of tenant, a line feed and
/// principal; identities hold no control characters, so the input is unambiguous) paired with the category: it
/// fits every store's key rules, cannot be mistaken for a tenant's ledger, and does not disclose the principal.
/// Principal buckets are charged the planned cost of an admitted call; corrections after the fact are not applied to them.
/// </remarks>
internal static class PrincipalLimits
{
    private const string KeyPrefix = "(principal) ";

    private static readonly ConditionalWeakTable<AgentIdentity, string> Keys = new();
    private static readonly ConditionalWeakTable<CategoryBudget, BucketLimits> Shapes = new();

    /// <summary>The bucket-store tenant key of <paramref name="identity"/>'s principal buckets.</summary>
    /// <param name="identity">The identity.</param>
    public static string KeyOf(AgentIdentity identity) =>
        Keys.GetValue(identity, static id =>
            KeyPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id.Tenant + "\n" + id.Principal))));

    /// <summary>The store request that takes <paramref name="cost"/> from the principal's bucket for the category.</summary>
    /// <param name="principal">The tier's principal block.</param>
    /// <param name="budget">The category's budget in that tier.</param>
    /// <param name="identity">Who asks.</param>
    /// <param name="cost">The planned cost.</param>
    public static QuotaStoreRequest RequestFor(PrincipalPolicy principal, CategoryBudget budget, AgentIdentity identity, double cost) =>
        new(new BucketKey(KeyOf(identity), budget.Category), ShapeOf(principal, budget), cost, allowEmergency: false, maxCostPerDay: principal.MaxCostPerDay);

    /// <summary>The refusal the store's answer for the principal's bucket means, or <see langword="null"/> when it admitted the call.</summary>
    /// <param name="taken">The store's answer to <see cref="RequestFor"/>.</param>
    /// <param name="principal">The tier's principal block.</param>
    /// <param name="budget">The category's budget in that tier.</param>
    /// <param name="identity">Who asks.</param>
    public static PrincipalRefusal? Judge(in QuotaStoreResult taken, PrincipalPolicy principal, CategoryBudget budget, AgentIdentity identity)
    {
        if (taken.IsAdmitted)
        {
            return null;
        }

        return taken.Outcome switch
        {
            QuotaStoreOutcome.DailyCeilingReached => new PrincipalRefusal(QuotaReason.PrincipalDailyCostLimit, taken,
                $"Principal '{identity.Principal}' of tenant '{identity.Tenant}' has spent its {principal.MaxCostPerDay:0.###} units for today (the tier's principal.maxCostPerDay)."),
            QuotaStoreOutcome.Unavailable => new PrincipalRefusal(QuotaReason.StoreUnavailable, taken, taken.Detail),
            _ => new PrincipalRefusal(QuotaReason.PrincipalLimit, taken,
                $"Principal '{identity.Principal}' of tenant '{identity.Tenant}' has used its own share of '{budget.Category}' (the tier's principal block); the tenant's other principals are not affected."),
        };
    }

    /// <summary>
    /// Corrects the principal's bucket (and its daily spend) by <paramref name="delta"/>: the difference between an
    /// admitted call's actual and planned cost, or minus the planned cost of a call withdrawn before it started.
    /// </summary>
    /// <param name="store">The gate's store.</param>
    /// <param name="principal">The principal block the call was admitted under.</param>
    /// <param name="budget">The category's budget the call was admitted under.</param>
    /// <param name="identity">Who made the call.</param>
    /// <param name="delta">Units to add (positive) or give back (negative).</param>
    public static void Settle(IQuotaStore store, PrincipalPolicy principal, CategoryBudget budget, AgentIdentity identity, double delta) =>
        store.Settle(new BucketKey(KeyOf(identity), budget.Category), ShapeOf(principal, budget), delta);

    /// <summary>Asynchronous <see cref="Settle"/>, for the gate's asynchronous path (a remote store answers without blocking a thread).</summary>
    /// <param name="store">The gate's store.</param>
    /// <param name="principal">The principal block the call was taken under.</param>
    /// <param name="budget">The category's budget the call was taken under.</param>
    /// <param name="identity">Who made the call.</param>
    /// <param name="delta">Units to add (positive) or give back (negative).</param>
    public static ValueTask SettleAsync(IQuotaStore store, PrincipalPolicy principal, CategoryBudget budget, AgentIdentity identity, double delta) =>
        store.SettleAsync(new BucketKey(KeyOf(identity), budget.Category), ShapeOf(principal, budget), delta);

    /// <summary>The principal bucket's shape for a category: a share of it, an absolute shape no larger than it, or (a daily ceiling only) the category's own.</summary>
    internal static BucketLimits ShapeOf(PrincipalPolicy principal, CategoryBudget budget) =>
        Shapes.GetValue(budget, b =>
            principal.Share is double share ? new BucketLimits(b.Capacity * share, b.RefillPerSecond * share)
            : principal.Capacity is double capacity && principal.RefillPerSecond is double refill
                ? new BucketLimits(Math.Min(capacity, b.Capacity), Math.Min(refill, b.RefillPerSecond))
                : new BucketLimits(b.Capacity, b.RefillPerSecond));
}

/// <summary>Why a principal's own limits refuse a call.</summary>
/// <param name="Reason">The reason.</param>
/// <param name="Store">The store's answer for the principal bucket.</param>
/// <param name="Detail">The explanation.</param>
internal sealed record PrincipalRefusal(QuotaReason Reason, QuotaStoreResult Store, string? Detail);
