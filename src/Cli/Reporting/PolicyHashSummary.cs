using AgentQuotas.Audit;

namespace AgentQuotas.Cli.Reporting;

/// <summary>Audit records grouped by the policy content that decided them (version and hash).</summary>
internal sealed class PolicyHashSummary
{
    private readonly Dictionary<(string Version, string Hash), PolicyHashGroup> _groups = new();

    public int Records { get; private set; }

    /// <summary>The groups, oldest first.</summary>
    public IEnumerable<PolicyHashGroup> Groups => _groups.Values.OrderBy(g => g.First).ThenBy(g => g.Version, StringComparer.Ordinal).ThenBy(g => g.Hash, StringComparer.Ordinal);

    public void Add(in QuotaAuditRecord record)
    {
        Records++;
        var key = (record.PolicyVersion, record.PolicyHash ?? "(none)");
        if (!_groups.TryGetValue(key, out PolicyHashGroup? group))
        {
            group = new PolicyHashGroup(key.PolicyVersion, key.Item2);
            _groups.Add(key, group);
        }

        group.Add(record);
    }
}

/// <summary>The records of one policy version and hash.</summary>
internal sealed class PolicyHashGroup(string version, string hash)
{
    private readonly HashSet<string> _tenants = new(StringComparer.Ordinal);

    public string Version { get; } = version;

    public string Hash { get; } = hash;

    public int Records { get; private set; }

    public int Admitted { get; private set; }

    public int Denied { get; private set; }

    public int Tenants => _tenants.Count;

    public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

    public void Add(in QuotaAuditRecord record)
    {
        Records++;
        Admitted += record.Decision == AuditDecision.Admitted ? 1 : 0;
        Denied += record.Decision == AuditDecision.Denied ? 1 : 0;
        _tenants.Add(record.Tenant);
        First = record.Timestamp < First ? record.Timestamp : First;
        Last = record.Timestamp > Last ? record.Timestamp : Last;
    }
}
