using System.Runtime.CompilerServices;
using AgentQuotas.Anomaly;
using AgentQuotas.Policy;
using AgentQuotas.Trust;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 1: whether the tenant or principal is revoked (issue 16: the policy's <c>revoked</c> section and the
/// gate's revocation file), the tier the tenant runs under (the anomaly policy's quarantine tier while the tenant
/// is flagged) and its budget for the category. A revoked identity, an unknown tenant or category is refused,
/// before anything is taken: fail closed.
/// </summary>
internal sealed class ResolveStep
{
    private readonly AnomalyDetector _anomalies;
    private readonly RevocationFile? _revocations;

    public ResolveStep(AnomalyDetector anomalies, RevocationFile? revocations)
    {
        _anomalies = anomalies;
        _revocations = revocations;
    }

    /// <summary>Resolves the attempt's tier and, when <paramref name="withBudget"/>, its budget.</summary>
    public void Resolve(ref Attempt a, bool withBudget = true)
    {
        QuotaPolicy policy = a.Policy;
        a.Revoked = Revocation.Check(policy, _revocations, a.Identity);
        TierPolicy? tier;
        if (policy.Anomaly?.QuarantineTier is string quarantine && _anomalies.IsFlagged(a.Identity.Tenant) && policy.Tiers.TryGetValue(quarantine, out tier))
        {
            a.Quarantined = true;
        }
        else if (!policy.TryResolveTier(a.Identity.Tenant, out tier))
        {
            return;
        }

        a.Tier = tier;
        if (withBudget)
        {
            tier.TryGetBudget(a.Tool.Category, out a.Budget);
        }
    }

    /// <summary>Refuses an attempt whose identity is revoked or whose tenant or category the policy does not know.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Flow Check(in Attempt a, bool withBudget, ref Refusal refusal) =>
        a.Revoked is null && a.Tier is not null && (!withBudget || a.Budget is not null) ? Flow.Next : Refuse(in a, withBudget, ref refusal);

    private static Flow Refuse(in Attempt a, bool withBudget, ref Refusal refusal)
    {
        if (a.Revoked is not null)
        {
            refusal = new Refusal(QuotaReason.Revoked, detail: a.Revoked);
            return Flow.Refused;
        }

        if (a.Tier is null)
        {
            refusal = new Refusal(QuotaReason.UnknownTenant);
            return Flow.Refused;
        }

        if (withBudget && a.Budget is null)
        {
            refusal = new Refusal(QuotaReason.UnknownCategory, detail: $"Tier '{a.Tier.Name}' budgets: {string.Join(", ", a.Tier.Categories.Keys)}.");
            return Flow.Refused;
        }

        return Flow.Next;
    }
}
