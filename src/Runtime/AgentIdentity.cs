using AgentQuotas.Policy.Schema;

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
    /// <param name="tenant">The tenant id (the identity-string rule below).</param>
    /// <param name="principal">The acting user or service (the identity-string rule below).</param>
    /// <remarks>
    /// The identity-string rule, for tenant, principal, workflow, run and tool names alike: not empty or white
    /// space, at most 256 characters, no control characters (NUL, line breaks...), and well-formed UTF-16 (no
    /// lone surrogate). Every store and audit sink can write such a string as it is, and the policy validator
    /// applies the same rule to the tenant ids a policy lists.
    /// </remarks>
    /// <exception cref="ArgumentException">An id breaks the identity-string rule; the message says how.</exception>
    public AgentIdentity(string tenant, string principal)
    {
        Tenant = ValidateId(tenant, nameof(tenant));
        Principal = ValidateId(principal, nameof(principal));
    }

    // The store-side hint of calls made with this identity outside a run (QuotaGate.TryAcquire and AcquireAsync, the
    // rate limiters over the gate), as a run holds one for its calls: made on the identity's second such call, so an
    // identity built for a single call costs no allocation (its call uses the store's per-thread hint instead).
    private Stores.BucketHints? _hints;
    private int _acquired;

    /// <summary>The tenant whose budgets pay for the run.</summary>
    public string Tenant { get; }

    /// <summary>The user or service acting within the tenant.</summary>
    public string Principal { get; }

    /// <summary>
    /// The hints the store may keep for this identity's acquisitions outside a run; <see langword="null"/> on its
    /// first such acquisition (see the field's comment). Safe to share between threads: each slot is one reference
    /// and the store checks a hint before use.
    /// </summary>
    internal Stores.BucketHints? HintsOutsideRun() =>
        _hints ?? (Interlocked.Exchange(ref _acquired, 1) == 0 ? null : CreateHints());

    private Stores.BucketHints CreateHints()
    {
        var hints = new Stores.BucketHints(Tenant);
        return Interlocked.CompareExchange(ref _hints, hints, null) ?? hints;
    }

    /// <inheritdoc/>
    public bool Equals(AgentIdentity? other) =>
        other is not null && string.Equals(Tenant, other.Tenant, StringComparison.Ordinal) && string.Equals(Principal, other.Principal, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as AgentIdentity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Tenant), StringComparer.Ordinal.GetHashCode(Principal));

    /// <inheritdoc/>
    public override string ToString() => Tenant + "/" + Principal;

    /// <summary>
    /// Applies the identity-string rule (see <see cref="AgentIdentity(string, string)"/>) to <paramref name="value"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value breaks the rule; the message says how.</exception>
    internal static string ValidateText(string value, string paramName, string what)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (IdentityText.Problem(value) is string problem)
        {
            throw new ArgumentException("The " + what + " " + problem + ".", paramName);
        }

        return value;
    }

    private static string ValidateId(string value, string name) => ValidateText(value, name, name + " id");
}
