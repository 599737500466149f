using AgentQuotas.HealthChecks;
using AgentQuotas.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the AgentQuotas health check to a host's health checks.</summary>
public static class AgentQuotasHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "agentquotas";

    /// <summary>
    /// Adds a check of the gate registered by <c>AddAgentQuotas(...)</c>: Unhealthy when no policy is in force (the gate
    /// cannot be built) or the store is unreachable and fails closed; Degraded when the last policy reload failed (the
    /// old policy stays in force) or the store decides locally (fail open, local fallback); Healthy otherwise. Its data
    /// carry the policy version and hash and the last reload error. See docs/hosting.md.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">The status reported when unhealthy. Default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    /// <param name="timeout">How long the check may take (the store makes one round trip). Default: no limit of its own.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAgentQuotasHealthChecks(this IHealthChecksBuilder builder, string name = DefaultName,
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => sp.GetService<AgentQuotasHealthProbe>() is { } probe ? new AgentQuotasHealthCheck(probe) : AgentQuotasHealthCheck.NotRegistered,
            failureStatus,
            tags,
            timeout));
    }
}
