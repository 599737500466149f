using System.Diagnostics.Metrics;
using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentQuotas in a service collection.</summary>
public static class AgentQuotasServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="QuotaPolicyProvider"/> for <paramref name="policyPath"/> and a singleton
    /// <see cref="QuotaGate"/>. The gate uses the container's <see cref="TimeProvider"/>, <see cref="IQuotaStore"/>,
    /// <see cref="IQuotaAuditSink"/>, <see cref="IApprovalService"/>, <see cref="IMeterFactory"/> and
    /// <see cref="ILoggerFactory"/> when they are registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="policyPath">Path to agentquotas.json.</param>
    /// <param name="configure">Adjusts the gate's options after the container's services are applied.</param>
    /// <param name="watchPolicyFile">Reload the policy when the file changes (an invalid file keeps the old policy). Default <see langword="true"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentQuotas(this IServiceCollection services, string policyPath, Action<QuotaGateOptions>? configure = null, bool watchPolicyFile = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(policyPath);

        services.TryAddSingleton(sp => QuotaPolicyProvider.FromFile(policyPath, new QuotaPolicyProviderOptions
        {
            WatchForChanges = watchPolicyFile,
            TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
            LoggerFactory = sp.GetService<ILoggerFactory>(),
        }));
        services.TryAddSingleton(sp =>
        {
            var options = new QuotaGateOptions
            {
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                Store = sp.GetService<IQuotaStore>(),
                AuditSink = sp.GetService<IQuotaAuditSink>(),
                ApprovalService = sp.GetService<IApprovalService>() ?? NoApprovalService.Instance,
                MeterFactory = sp.GetService<IMeterFactory>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            };
            configure?.Invoke(options);
            return new QuotaGate(sp.GetRequiredService<QuotaPolicyProvider>(), options);
        });
        return services;
    }
}
