using AgentQuotas;

namespace SupportDesk.Tools;

/// <summary>
/// The systems behind the tools (search index, summarizer, payment provider, mail service), reduced to a ledger of
/// what really happened per tenant. The report compares it with the gate's decisions: a drafted refund moved no
/// money, a denied email was never sent.
/// </summary>
public sealed class SupportBackend
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TenantActivity> _tenants = new(StringComparer.Ordinal);
    private long _references;

    /// <summary>What happened for each tenant so far.</summary>
    public IReadOnlyDictionary<string, TenantActivity> Snapshot()
    {
        lock (_lock)
        {
            return _tenants.ToDictionary(p => p.Key, p => p.Value with { }, StringComparer.Ordinal);
        }
    }

    internal string NextReference(string prefix) => prefix + "-" + Interlocked.Increment(ref _references).ToString("00000", System.Globalization.CultureInfo.InvariantCulture);

    internal void Record(Action<TenantActivity> change)
    {
        // Tools learn the tenant from the agent run, never from their arguments.
        string tenant = AgentRun.Current?.Identity.Tenant ?? "(no run)";
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out TenantActivity? activity))
            {
                activity = new TenantActivity();
                _tenants.Add(tenant, activity);
            }

            change(activity);
        }
    }
}
