using System.Diagnostics.Metrics;
using AgentQuotas;
using AgentQuotas.Audit;
using AgentQuotas.Hosting;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        services.Configure<AgentQuotasOptions>(o =>
        {
            o.PolicyPath = policyPath;
            o.WatchPolicyFile = watchPolicyFile;
        });
        AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers AgentQuotas from a configuration section (for example <c>configuration.GetSection("AgentQuotas")</c>):
    /// <c>PolicyPath</c>, <c>WatchPolicyFile</c>, <c>PolicyReloadDelay</c>, <c>Store:Kind</c> (and the store's own keys
    /// under <c>Store</c>) bind <see cref="AgentQuotasOptions"/>; the <c>Gate</c> section binds the settings of
    /// <see cref="QuotaGateOptions"/>. Both are validated when the host starts (<c>ValidateOnStart</c>): a missing or
    /// invalid policy file, a bad value, an unknown key or an unregistered store kind stops the host with an
    /// <see cref="OptionsValidationException"/> naming each bad key. The gate uses the container's services as the
    /// other overload does. See docs/hosting.md.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The AgentQuotas section.</param>
    /// <param name="configure">Adjusts the gate's options after the container's services and the configuration are applied.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentQuotas(this IServiceCollection services, IConfiguration configuration, Action<QuotaGateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IConfigureOptions<AgentQuotasOptions>>(new AgentQuotasOptionsSetup(configuration));
        AddCore(services);
        services.AddSingleton<IConfigureOptions<QuotaGateOptions>>(new QuotaGateOptionsSetup(configuration.GetSection("Gate")));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers a store kind that <see cref="AgentQuotasOptions.StoreKind"/> (configuration key <c>Store:Kind</c>) can
    /// select, and makes it the selected kind unless configuration or code selects another. For store packages:
    /// <c>AddAgentQuotasPostgres()</c> calls it with <c>"Postgres"</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="kind">The kind's name (compared without regard to case).</param>
    /// <param name="factory">Creates the store once, when the gate is first built; the container disposes it.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentQuotasStore(this IServiceCollection services, string kind, Func<IServiceProvider, IQuotaStore> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddKeyedSingleton(QuotaStoreKinds.Key(kind), (sp, _) => factory(sp));
        services.AddSingleton(new QuotaStoreKinds.Registration(kind));
        services.Configure<AgentQuotasOptions>(o => o.StoreKind ??= kind);
        return services;
    }

    private sealed class Registered;

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Registered)))
        {
            return;
        }

        services.AddSingleton<Registered>();
        services.AddOptions<AgentQuotasOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentQuotasOptions>, AgentQuotasOptionsValidator>());

        // The container's services first, so configuration and the caller's callback can still change the options.
        services.AddOptions<QuotaGateOptions>()
            .Configure<IServiceProvider, IOptions<AgentQuotasOptions>>(static (o, sp, hosting) =>
            {
                o.TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System;
                o.Store = ResolveStore(sp, hosting);
                o.AuditSink = sp.GetService<IQuotaAuditSink>();
                o.ApprovalService = sp.GetService<IApprovalService>() ?? NoApprovalService.Instance;
                o.MeterFactory = sp.GetService<IMeterFactory>();
                o.LoggerFactory = sp.GetService<ILoggerFactory>();
                o.Revocations = HostedRevocations.Resolve(sp);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaGateOptions>, QuotaGateOptionsValidator>());

        services.TryAddSingleton(static sp =>
        {
            AgentQuotasOptions hosting = sp.GetRequiredService<IOptions<AgentQuotasOptions>>().Value; // validated here without a host
            return QuotaPolicyProvider.FromFile(hosting.PolicyPath!, new QuotaPolicyProviderOptions
            {
                WatchForChanges = hosting.WatchPolicyFile,
                DebounceDelay = hosting.PolicyReloadDelay,
                FileProvider = hosting.PolicyFileProvider,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            });
        });
        services.TryAddSingleton(static sp =>
            new QuotaGate(sp.GetRequiredService<QuotaPolicyProvider>(), sp.GetRequiredService<IOptions<QuotaGateOptions>>().Value));
        services.TryAddSingleton(static sp => new AgentQuotasHealthProbe(sp));
        services.TryAddSingleton(static sp => new HostedRevocations(sp));
    }

    // Invalid hosting options or an unregistered kind leave the gate's own memory store: AgentQuotasOptionsValidator
    // reports them (once, not again as a failure of the gate's options), and the gate is never built from them.
    private static IQuotaStore? ResolveStore(IServiceProvider services, IOptions<AgentQuotasOptions> options)
    {
        AgentQuotasOptions hosting;
        try
        {
            hosting = options.Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }

        return hosting.StoreKind switch
        {
            null => services.GetService<IQuotaStore>(),
            _ when hosting.UsesStore(AgentQuotasOptions.MemoryStore) => null,
            string kind => QuotaStoreKinds.IsRegistered(services, kind) ? services.GetRequiredKeyedService<IQuotaStore>(QuotaStoreKinds.Key(kind)) : null,
        };
    }
}
