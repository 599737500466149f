using AgentQuotas.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentQuotas.HealthChecks;

/// <summary>
/// Reports <see cref="AgentQuotasHealthProbe"/> as a health check: <see cref="AgentQuotasHealthStatus"/> maps to
/// <see cref="HealthStatus"/> one to one (an unhealthy result takes the registration's failure status), with the
/// probe's description and data (policy version and hash, last reload error, store details).
/// </summary>
public sealed class AgentQuotasHealthCheck : IHealthCheck
{
    private readonly AgentQuotasHealthProbe? _probe;

    /// <summary>Creates the check.</summary>
    /// <param name="probe">The probe <c>AddAgentQuotas(...)</c> registers.</param>
    public AgentQuotasHealthCheck(AgentQuotasHealthProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
    }

    // A container without AddAgentQuotas: the check reports it instead of failing to be created.
    private AgentQuotasHealthCheck()
    {
    }

    internal static AgentQuotasHealthCheck NotRegistered { get; } = new();

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_probe is null)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "AgentQuotas is not registered",
                new InvalidOperationException("AgentQuotas is not registered: call services.AddAgentQuotas(...) before AddAgentQuotasHealthChecks()."));
        }

        AgentQuotasHealthReport report = await _probe.CheckAsync(cancellationToken).ConfigureAwait(false);
        HealthStatus status = report.Status switch
        {
            AgentQuotasHealthStatus.Healthy => HealthStatus.Healthy,
            AgentQuotasHealthStatus.Degraded => HealthStatus.Degraded,
            _ => context.Registration.FailureStatus,
        };
        return new HealthCheckResult(status, report.Description, report.Exception, report.Data);
    }
}
