namespace SupportDesk.Hosting;

/// <summary>One tenant's figures so far, for live progress.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Tier">Its tier.</param>
/// <param name="Started">Conversations started.</param>
/// <param name="Ended">Conversations ended.</param>
/// <param name="Admitted">Tool calls admitted.</param>
/// <param name="Queued">Tool calls that had to wait.</param>
/// <param name="Degraded">Tool calls served by a fallback.</param>
/// <param name="Denied">Tool calls refused.</param>
/// <param name="Cost">Cost units spent.</param>
/// <param name="Flagged">Whether the anomaly detector has flagged it.</param>
public sealed record TenantProgress(string Tenant, string Tier, int Started, int Ended, int Admitted, int Queued, int Degraded, int Denied, double Cost, bool Flagged);
