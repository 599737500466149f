namespace AgentQuotas.Postgres;

/// <summary>Counters of one <see cref="PostgresQuotaStore"/> since it was opened.</summary>
/// <param name="RoundTrips">Statements sent to the server (acquires, lease refreshes and returns, settlements, reads).</param>
/// <param name="LeasedAdmissions">Requests admitted from a local lease without a round trip.</param>
/// <param name="LocalRefusals">Requests refused locally (leasing on) because the bucket, as last seen plus refill since, could not hold them.</param>
/// <param name="UnavailableDecisions">Requests decided by the failure mode because the server could not be reached.</param>
/// <param name="PendingCorrections">Buckets with charges or refunds waiting for the server to return.</param>
/// <param name="LostCorrections">Corrections dropped because too many buckets were waiting (see the log).</param>
public readonly record struct PostgresQuotaStoreStatistics(
    long RoundTrips,
    long LeasedAdmissions,
    long LocalRefusals,
    long UnavailableDecisions,
    int PendingCorrections,
    long LostCorrections);
