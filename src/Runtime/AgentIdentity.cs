namespace AgentQuotas;

/// <summary>
/// The authenticated identity a run acts for. The tenant chooses the buckets and tier; the principal
/// is the user or service account, recorded in every audit record.
/// </summary>
/// <remarks>
/// Build it only from authenticated data (a validated token's claims, a verified queue message
/// header). Guarded tools take the tenant from the current run's identity, never from their
/// arguments, so a prompt-injected argument cannot spend another tenant's budget.
/// </remarks>
public sealed class AgentIdentity : IEquatable<AgentIdentity>
{
    /// <summary>Creates an identity.</summary>
    /// <param name="tenant">The tenant id; not empty, no control characters, at most 256 characters.</param>
    /// <param name="principal">The acting user or service; not empty, at most 256 characters.</param>
    /// <exception cref="ArgumentException">An id is empty, too long or contains control characters.</exception>
    public AgentIdentity(string tenant, string principal)
    {
        Tenant = ValidateId(tenant, nameof(tenant));
        Principal = ValidateId(principal, nameof(principal));
    }

    /// <summary>The tenant whose budgets pay for the run.</summary>
    public string Tenant { get; }

    /// <summary>The user or service acting within the tenant.</summary>
    public string Principal { get; }

    /// <inheritdoc/>
    public bool Equals(AgentIdentity? other) =>
        other is not null && string.Equals(Tenant, other.Tenant, StringComparison.Ordinal) && string.Equals(Principal, other.Principal, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AgentIdentity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Tenant), StringComparer.Ordinal.GetHashCode(Principal));

    /// <inheritdoc/>
    public override string ToString() => Tenant + "/" + Principal;

    private static string ValidateId(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The " + name + " id must not be empty.", name);
        }

        if (value.Length > 256)
        {
            throw new ArgumentException("The " + name + " id must be at most 256 characters.", name);
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("The " + name + " id must not contain control characters.", name);
            }
        }

        return value;
    }
}
