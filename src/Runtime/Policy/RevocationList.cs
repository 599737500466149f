using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Policy;

/// <summary>
/// Tenants and principals that are refused (<see cref="QuotaReason.Revoked"/>) whatever their budgets say.
/// Immutable. It comes from the policy's <c>revoked</c> section or from a small file of the same shape
/// (<c>{ "tenants": [...], "principals": { "tenant": ["principal", ...] } }</c>) that
/// <c>agentquotas revoke</c> and <c>unrevoke</c> edit.
/// </summary>
public sealed class RevocationList
{
    private readonly FrozenSet<string> _tenants;
    private readonly FrozenDictionary<string, FrozenSet<string>> _principals;

    private RevocationList(IEnumerable<string> tenants, IEnumerable<KeyValuePair<string, IEnumerable<string>>> principals)
    {
        _tenants = tenants.ToFrozenSet(StringComparer.Ordinal);
        _principals = principals
            .Select(p => new KeyValuePair<string, FrozenSet<string>>(p.Key, p.Value.ToFrozenSet(StringComparer.Ordinal)))
            .Where(p => p.Value.Count > 0)
            .ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The empty list: nobody is revoked.</summary>
    public static RevocationList Empty { get; } = new([], []);

    /// <summary>Revoked tenants (every principal of theirs is refused).</summary>
    public IReadOnlyCollection<string> Tenants => _tenants;

    /// <summary>Revoked principals, by tenant.</summary>
    public IReadOnlyDictionary<string, FrozenSet<string>> Principals => _principals;

    /// <summary>Whether the list revokes nobody.</summary>
    public bool IsEmpty => _tenants.Count == 0 && _principals.Count == 0;

    /// <summary>Whether <paramref name="identity"/> is refused: its tenant, or its principal within that tenant, is listed.</summary>
    /// <param name="identity">The identity.</param>
    public bool IsRevoked(AgentIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return IsRevoked(identity.Tenant, identity.Principal);
    }

    /// <summary>Whether the whole tenant is listed.</summary>
    /// <param name="tenant">The tenant id.</param>
    public bool IsTenantRevoked(string tenant) => _tenants.Contains(tenant);

    /// <summary>Whether the tenant, or the principal within it, is listed.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="principal">The principal.</param>
    public bool IsRevoked(string tenant, string principal) =>
        _tenants.Contains(tenant) || (_principals.TryGetValue(tenant, out FrozenSet<string>? revoked) && revoked.Contains(principal));

    /// <summary>Parses a revocation file's text.</summary>
    /// <param name="json">The text.</param>
    /// <param name="source">A name for messages.</param>
    /// <exception cref="PolicyValidationException">The text is not a revocation list; every error is listed.</exception>
    public static RevocationList Parse(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var issues = new List<PolicyIssue>();
        RevokedModel? model = PolicySchemaValidator.ValidateRevocations(json, issues);
        if (model is null)
        {
            throw new PolicyValidationException(issues.Select(i => new PolicyError(i.Kind, i.Message, i.Path, i.Line, i.Column, source)).ToArray(), source);
        }

        return FromModel(model);
    }

    /// <summary>Loads a revocation file; a missing file is the empty list.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="PolicyValidationException">The file is not a revocation list.</exception>
    public static RevocationList Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.Exists(path) ? Parse(File.ReadAllText(path, Encoding.UTF8), path) : Empty;
    }

    /// <summary>This list and <paramref name="other"/> together.</summary>
    /// <param name="other">Another list.</param>
    public RevocationList Union(RevocationList other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        return new RevocationList(
            _tenants.Concat(other._tenants),
            _principals.Keys.Concat(other._principals.Keys).Distinct(StringComparer.Ordinal).Select(t =>
                new KeyValuePair<string, IEnumerable<string>>(t, Get(_principals, t).Concat(Get(other._principals, t)))));
    }

    /// <summary>The list with a tenant (when <paramref name="principal"/> is <see langword="null"/>) or one of its principals added.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="principal">The principal, or <see langword="null"/> for the whole tenant.</param>
    public RevocationList With(string tenant, string? principal = null)
    {
        AgentIdentity.ValidateText(tenant, nameof(tenant), "tenant");
        if (principal is null)
        {
            return new RevocationList(_tenants.Append(tenant), Entries(_principals));
        }

        AgentIdentity.ValidateText(principal, nameof(principal), "principal");
        return new RevocationList(_tenants, Entries(_principals).Append(new(tenant, [principal])).GroupBy(e => e.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, IEnumerable<string>>(g.Key, g.SelectMany(e => e.Value))));
    }

    /// <summary>The list without a tenant (when <paramref name="principal"/> is <see langword="null"/>) or one of its principals.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="principal">The principal, or <see langword="null"/> for the tenant entry.</param>
    public RevocationList Without(string tenant, string? principal = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return principal is null
            ? new RevocationList(_tenants.Where(t => !string.Equals(t, tenant, StringComparison.Ordinal)), Entries(_principals))
            : new RevocationList(_tenants, Entries(_principals).Select(e => string.Equals(e.Key, tenant, StringComparison.Ordinal)
                ? new KeyValuePair<string, IEnumerable<string>>(e.Key, e.Value.Where(p => !string.Equals(p, principal, StringComparison.Ordinal)))
                : e));
    }

    /// <summary>Writes the list as a revocation file (sorted, so a file changes only where an entry does).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray(PolicyFields.Revoked.Tenants);
            foreach (string tenant in _tenants.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(tenant);
            }

            json.WriteEndArray();
            json.WriteStartObject(PolicyFields.Revoked.Principals);
            foreach (KeyValuePair<string, FrozenSet<string>> entry in _principals.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStartArray(entry.Key);
                foreach (string principal in entry.Value.Order(StringComparer.Ordinal))
                {
                    json.WriteStringValue(principal);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    internal static RevocationList FromModel(RevokedModel model) =>
        new(model.Tenants, model.Principals.Select(p => new KeyValuePair<string, IEnumerable<string>>(p.Key, p.Value)));

    private static IEnumerable<string> Get(FrozenDictionary<string, FrozenSet<string>> map, string tenant) =>
        map.TryGetValue(tenant, out FrozenSet<string>? set) ? set : [];

    private static IEnumerable<KeyValuePair<string, IEnumerable<string>>> Entries(FrozenDictionary<string, FrozenSet<string>> map) =>
        map.Select(p => new KeyValuePair<string, IEnumerable<string>>(p.Key, p.Value));
}
