namespace AgentQuotas.Postgres;

/// <summary>What <see cref="PostgresQuotaStore"/> decides while PostgreSQL cannot be reached.</summary>
public enum StoreFailureMode
{
    /// <summary>
    /// Deny every request that needs the server with <c>QuotaStoreOutcome.Unavailable</c> (the gate reports
    /// <c>QuotaReason.StoreUnavailable</c>, detail "quota store unavailable: ..."). Units already leased
    /// locally are still served. The default: nothing is ever admitted beyond the shared budget.
    /// </summary>
    FailClosed = 0,

    /// <summary>
    /// Admit every request, with the detail "admitted fail-open: quota store unavailable (...)" that the gate
    /// writes to the audit record. The admitted cost is charged to the shared bucket and ledger when the
    /// server returns (the bucket may then go into debt). Budgets are not enforced during the outage.
    /// </summary>
    FailOpen = 1,

    /// <summary>
    /// Decide from a conservative in-memory bucket per key: capacity, refill and burst divided by
    /// <see cref="PostgresQuotaStoreOptions.ExpectedHosts"/>, and spend ceilings reduced to this host's share
    /// of what was left when the server was last seen. What it admits is charged to the shared bucket and
    /// ledger when the server returns.
    /// </summary>
    LocalFallback = 2,
}
