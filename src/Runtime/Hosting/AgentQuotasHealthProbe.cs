using AgentQuotas.Policy;
using AgentQuotas.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace AgentQuotas.Hosting;

/// <summary>
/// Tells whether AgentQuotas can decide as configured: a policy is in force (and its last reload applied) and the store
/// reaches its shared state. Registered by <c>AddAgentQuotas(...)</c>; <c>AddAgentQuotasHealthChecks()</c>
/// (AgentQuotas.HealthChecks) reports it through Microsoft.Extensions.Diagnostics.HealthChecks, and hosts without that
/// library can call it themselves.
/// </summary>
public sealed class AgentQuotasHealthProbe
{
    private readonly IServiceProvider _services;

    internal AgentQuotasHealthProbe(IServiceProvider services) => _services = services;

    /// <summary>
    /// Builds the container's <see cref="QuotaGate"/> if it was not built yet (a gate that cannot be built, for a
    /// missing or invalid policy or a store that cannot be opened, is <see cref="AgentQuotasHealthStatus.Unhealthy"/>)
    /// and checks it as <see cref="CheckAsync(QuotaGate, CancellationToken)"/> does.
    /// </summary>
    /// <param name="cancellationToken">Cancels the store's check.</param>
    /// <returns>The report.</returns>
    public ValueTask<AgentQuotasHealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        QuotaGate gate;
        try
        {
            gate = _services.GetRequiredService<QuotaGate>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var data = new Dictionary<string, object> { ["error"] = e.Message };
            return new(new AgentQuotasHealthReport(AgentQuotasHealthStatus.Unhealthy,
                "No quota policy is in force: the gate could not be built (" + e.Message + ")", data, e));
        }

        return CheckAsync(gate, cancellationToken);
    }

    /// <summary>
    /// Checks a gate: <see cref="AgentQuotasHealthStatus.Unhealthy"/> when its store (an <see cref="IQuotaStoreHealth"/>)
    /// is unreachable and refuses requests; <see cref="AgentQuotasHealthStatus.Degraded"/> when the last policy reload
    /// failed (the old policy stays in force) or the store decides locally; otherwise
    /// <see cref="AgentQuotasHealthStatus.Healthy"/>. A store that is not an <see cref="IQuotaStoreHealth"/> (the
    /// in-memory store) is always reachable.
    /// </summary>
    /// <param name="gate">The gate.</param>
    /// <param name="cancellationToken">Cancels the store's check.</param>
    /// <returns>The report.</returns>
    public static async ValueTask<AgentQuotasHealthReport> CheckAsync(QuotaGate gate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gate);
        QuotaPolicy policy = gate.Policy;
        var data = new Dictionary<string, object>
        {
            ["policyVersion"] = policy.Version,
            ["policyHash"] = policy.ContentHash,
        };
        if ((gate.PolicyProvider.Path ?? policy.Source) is string source)
        {
            data["policySource"] = source;
        }

        var status = AgentQuotasHealthStatus.Healthy;
        var problems = new List<string>();
        if (gate.PolicyProvider.LastReload is { Succeeded: false } failed)
        {
            status = AgentQuotasHealthStatus.Degraded;
            string error = failed.Failure ?? "unknown error";
            data["lastReloadError"] = error;
            problems.Add($"the last policy reload failed, so policy {policy.Version} stays in force: {error}");
        }

        IQuotaStore store = gate.Store;
        data["store"] = store.GetType().Name;
        QuotaStoreHealth storeHealth = store is IQuotaStoreHealth checkable
            ? await CheckStoreAsync(checkable, cancellationToken).ConfigureAwait(false)
            : new QuotaStoreHealth(QuotaStoreHealthStatus.Reachable, "in process");
        data["storeStatus"] = storeHealth.Status.ToString();
        foreach (KeyValuePair<string, object> item in storeHealth.Data)
        {
            data.TryAdd(item.Key, item.Value);
        }

        switch (storeHealth.Status)
        {
            case QuotaStoreHealthStatus.Unreachable:
                status = AgentQuotasHealthStatus.Unhealthy;
                problems.Insert(0, $"the quota store ({store.GetType().Name}) is unreachable and refuses requests: {storeHealth.Description}");
                break;
            case QuotaStoreHealthStatus.DecidingLocally:
                status = AgentQuotasHealthStatus.Degraded < status ? AgentQuotasHealthStatus.Degraded : status;
                problems.Add($"the quota store ({store.GetType().Name}) is unreachable and decides locally: {storeHealth.Description}");
                break;
        }

        string description = problems.Count == 0
            ? $"Quota policy {policy.Version} is in force; the store ({store.GetType().Name}) is reachable."
            : char.ToUpperInvariant(problems[0][0]) + string.Join("; ", problems)[1..] + ".";
        return new AgentQuotasHealthReport(status, description, data);
    }

    private static async ValueTask<QuotaStoreHealth> CheckStoreAsync(IQuotaStoreHealth store, CancellationToken cancellationToken)
    {
        try
        {
            return await store.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new QuotaStoreHealth(QuotaStoreHealthStatus.Unreachable, "the health check failed: " + e.Message);
        }
    }
}
