using AgentQuotas.Stores;

namespace AgentQuotas.Postgres;

// Health: whether the server answers now, and what the store does while it does not.
public sealed partial class PostgresQuotaStore : IQuotaStoreHealth
{
    /// <summary>
    /// Asks the server (one <c>SELECT 1</c> round trip, counted in <see cref="Statistics"/>) unless it is known to be
    /// down and not yet due for another try, in which case the last failure is reported without waiting. A server that
    /// does not answer is <see cref="QuotaStoreHealthStatus.Unreachable"/> with <see cref="StoreFailureMode.FailClosed"/>
    /// and <see cref="QuotaStoreHealthStatus.DecidingLocally"/> with <see cref="StoreFailureMode.FailOpen"/> or
    /// <see cref="StoreFailureMode.LocalFallback"/>. The answer (or its absence) updates <see cref="IsAvailable"/> as any
    /// round trip does. Data: <c>failureMode</c>, <c>schema</c>, <c>pendingCorrections</c>, <c>unavailableDecisions</c>,
    /// and <c>reason</c> while the server is away.
    /// </summary>
    /// <param name="cancellationToken">Cancels the round trip.</param>
    /// <returns>The store's health.</returns>
    public async ValueTask<QuotaStoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        PostgresQuotaStoreStatistics statistics = Statistics;
        var data = new Dictionary<string, object>
        {
            ["failureMode"] = _options.FailureMode.ToString(),
            ["schema"] = _options.Schema,
            ["pendingCorrections"] = statistics.PendingCorrections,
            ["unavailableDecisions"] = statistics.UnavailableDecisions,
        };
        if (Volatile.Read(ref _disposed) != 0)
        {
            return new QuotaStoreHealth(QuotaStoreHealthStatus.Unreachable, $"the store for {_target} is disposed", data);
        }

        (CallStatus status, _) = await RunAsync("SELECT 1", "health", 0, static (_, _) => { }, static r => r.GetInt32(0), async: true, cancellationToken)
            .ConfigureAwait(false);
        if (status == CallStatus.Done)
        {
            return new QuotaStoreHealth(QuotaStoreHealthStatus.Reachable, $"PostgreSQL at {_target} answers", data);
        }

        string reason = _availability.Reason;
        data["reason"] = reason;
        return _options.FailureMode == StoreFailureMode.FailClosed
            ? new QuotaStoreHealth(QuotaStoreHealthStatus.Unreachable, $"PostgreSQL at {_target} cannot be reached ({reason}); requests are refused (FailClosed)", data)
            : new QuotaStoreHealth(QuotaStoreHealthStatus.DecidingLocally,
                $"PostgreSQL at {_target} cannot be reached ({reason}); requests are decided {(_options.FailureMode == StoreFailureMode.FailOpen ? "fail-open" : "by the local fallback")} ({_options.FailureMode})", data);
    }
}
