using System.Globalization;
using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Pipeline;

/// <summary>
/// After the record: observes charged spend (admissions, cost corrections, token usage) for the anomaly policy,
/// and records a tenant being flagged (and, with a quarantine tier, moved to it by <see cref="ResolveStep"/>) or cleared.
/// </summary>
internal sealed class AnomalyStep
{
    private const string AnomalyTool = "(anomaly)";
    private const string TenantCategory = "(tenant)";

    private readonly AnomalyDetector _anomalies;
    private readonly RecordStep _record;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<AnomalyDetectedArguments>? _raise;

    public AnomalyStep(AnomalyDetector anomalies, RecordStep record, TimeProvider time, ILogger logger, Action<AnomalyDetectedArguments>? raise)
    {
        _anomalies = anomalies;
        _record = record;
        _time = time;
        _logger = logger;
        _raise = raise;
    }

    /// <summary>Observes <paramref name="cost"/> charged to (negative: refunded to) the identity's tenant.</summary>
    public void Observe(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaPolicy policy, double cost) =>
        Observe(run, identity, workloadClass, workflow, policy, AnomalySignal.Spend, cost);

    /// <summary>Observes <paramref name="amount"/> of <paramref name="signal"/> for the identity's tenant.</summary>
    public void Observe(AgentRun? run, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, QuotaPolicy policy, AnomalySignal signal, double amount)
    {
        if (policy.Anomaly is not AnomalyPolicy anomaly || _anomalies.Observe(identity.Tenant, signal, amount, anomaly) is not { } finding)
        {
            return;
        }

        string? quarantine = anomaly.QuarantineTier;
        string action = quarantine is null ? "flagged for review" : "moved to tier '" + quarantine + "' until cleared";
        (string what, string unit) = signal switch
        {
            AnomalySignal.Requests => ("Requests", "calls"),
            AnomalySignal.Tokens => ("Model tokens", "tokens"),
            _ => ("Spend", "units"),
        };
        string detail = string.Format(CultureInfo.InvariantCulture,
            "{5} of {0:0.##} {6} in the current {1} interval is more than {2:0.##} x the baseline of {3:0.##} {6} per interval; {4}.",
            finding.Current, QuotaMessages.FormatDuration(anomaly.Interval), finding.Factor, finding.Baseline, action, what, unit);
        var decision = new QuotaDecision(false, QuotaReason.AnomalyQuarantine, DegradationMode.Full, identity.Tenant, TenantCategory, AnomalyTool,
            finding.Current, double.NaN, retryAfter: null, policy.Version, detail, policy.ContentHash);
        _record.Write(run, identity, workloadClass, workflow, decision, AuditDecision.AnomalyFlagged, actualCost: null, detail);
        _record.Metrics.RecordAnomaly(identity.Tenant, signal);
        Log.AnomalyFlagged(_logger, identity.Tenant, finding.Current, finding.Baseline, finding.Factor, action);
        _raise?.Invoke(new AnomalyDetectedArguments(identity.Tenant, finding.Current, finding.Baseline, finding.Factor, anomaly.Interval,
            quarantine, policy.Version, _time.GetUtcNow()) { Signal = signal });
    }

    /// <summary>Records that an operator cleared a tenant's anomaly.</summary>
    public void Cleared(string tenant, QuotaPolicy policy)
    {
        const string Detail = "The spend anomaly was cleared after review; the tenant is back on its own tier and its baseline starts again.";
        var decision = new QuotaDecision(true, QuotaReason.None, DegradationMode.Full, tenant, TenantCategory, AnomalyTool,
            0, double.NaN, retryAfter: null, policy.Version, Detail, policy.ContentHash);
        _record.Write(run: null, new AgentIdentity(tenant, "(operator)"), WorkloadClass.Standard, workflow: null, decision, AuditDecision.AnomalyCleared,
            actualCost: null, Detail);
        Log.AnomalyCleared(_logger, tenant);
    }
}
