using AgentQuotas.Policy;

namespace AgentQuotas.Trust;

/// <summary>
/// Whether a policy may replace the one in force: different content (another <see cref="QuotaPolicy.ContentHash"/>)
/// under the same <see cref="QuotaPolicy.Version"/> would make "which policy decided this" unanswerable, so it is
/// refused unless the policy in force sets <c>allowSameVersionEdits</c> (then it is applied with a warning).
/// The permission is read from the policy in force: an edit cannot grant itself the right to be applied.
/// </summary>
internal static class SameVersionEdit
{
    /// <summary>Checks a replacement.</summary>
    /// <param name="inForce">The policy in force.</param>
    /// <param name="next">The policy that would replace it.</param>
    /// <param name="warning">Set when the edit is allowed but worth a warning.</param>
    /// <returns>Why the replacement is refused, or <see langword="null"/> when it may be applied.</returns>
    public static string? Check(QuotaPolicy inForce, QuotaPolicy next, out string? warning)
    {
        warning = null;
        if (!string.Equals(inForce.Version, next.Version, StringComparison.Ordinal)
            || string.Equals(inForce.ContentHash, next.ContentHash, StringComparison.Ordinal))
        {
            return null;
        }

        string what = $"the policy content changed (sha256 {Short(inForce.ContentHash)} -> {Short(next.ContentHash)}) but its version stayed '{next.Version}'";
        if (inForce.AllowSameVersionEdits)
        {
            warning = what + "; applied because the policy in force sets allowSameVersionEdits, so audit records of both contents carry the same version (tell them apart by policyHash).";
            return null;
        }

        return what + ". Give the edited policy a new version (the audit names decisions by version and hash), or set \"allowSameVersionEdits\": true in the policy in force first; the policy in force stays.";
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
