namespace SupportDesk.Reporting;

/// <summary>A tenant whose spend the anomaly detector flagged.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="At">When, as time since the start of the run.</param>
/// <param name="QuarantineTier">The tier it was moved to, if the policy names one.</param>
/// <param name="Detail">The detector's figures (spend in the interval against the baseline).</param>
public sealed record AnomalyReport(string Tenant, TimeSpan At, string? QuarantineTier, string Detail);
