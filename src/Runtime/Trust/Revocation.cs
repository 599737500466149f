using AgentQuotas.Policy;

namespace AgentQuotas.Trust;

/// <summary>The revocation check of a decision: the policy's <c>revoked</c> section and the gate's revocation file.</summary>
internal static class Revocation
{
    /// <summary>Why <paramref name="identity"/> is refused, or <see langword="null"/> when it is not revoked.</summary>
    /// <param name="policy">The policy of the decision.</param>
    /// <param name="file">The gate's revocation file, if any.</param>
    /// <param name="identity">Who asks.</param>
    public static string? Check(QuotaPolicy policy, RevocationFile? file, AgentIdentity identity)
    {
        if (!Revokes(policy.Revoked, identity, out bool wholeTenant)
            && (file is null || !Revokes(file.Current, identity, out wholeTenant)))
        {
            return null;
        }

        return wholeTenant
            ? $"Tenant '{identity.Tenant}' is revoked: every call of its principals is refused until it is taken off the revocation list."
            : $"Principal '{identity.Principal}' of tenant '{identity.Tenant}' is revoked: its calls are refused until it is taken off the revocation list; the tenant's other principals are not affected.";
    }

    private static bool Revokes(RevocationList list, AgentIdentity identity, out bool wholeTenant)
    {
        wholeTenant = false;
        if (list.IsEmpty)
        {
            return false;
        }

        wholeTenant = list.IsTenantRevoked(identity.Tenant);
        return wholeTenant || list.IsRevoked(identity.Tenant, identity.Principal);
    }
}
