using AgentQuotas.Hosting;
using AgentQuotas.Postgres;
using AgentQuotas.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store with <c>AddAgentQuotas(...)</c>.</summary>
public static class AgentQuotasPostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgresQuotaStore"/> as the store kind <c>Postgres</c> and selects it, unless configuration
    /// (<c>Store:Kind</c>) or code selects another. Its options bind from the AgentQuotas <c>Store</c> section
    /// (<c>ConnectionString</c>, <c>Schema</c>, <c>FailureMode</c>, <c>ExpectedHosts</c>, <c>EnableLeasing</c>, ... named
    /// as the properties of <see cref="PostgresQuotaStoreOptions"/>), then <paramref name="configure"/> applies. When the
    /// store is selected, the host's start (which validates the gate's options, store included) validates them, naming
    /// each bad key, and opens the store (schema created or migrated, rights checked): an unreachable server or a missing
    /// right stops the host with a message saying what to run. Without a host this happens when the gate is first built.
    /// The container disposes the store.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options after configuration is applied.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAgentQuotasPostgres(this IServiceCollection services, Action<PostgresQuotaStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PostgresQuotaStoreOptions>()
            .Configure<IServiceProvider, IOptions<AgentQuotasOptions>>(static (o, sp, hosting) =>
            {
                o.TimeProvider = sp.GetService<TimeProvider>() ?? o.TimeProvider;
                if (PostgresStoreSettings.StoreSection(hosting) is { } section)
                {
                    PostgresStoreSettings.Bind(section, o);
                }
            });
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresQuotaStoreOptions>, PostgresStoreSettings.Validator>());
        services.AddAgentQuotasStore(PostgresStoreSettings.Kind, static sp =>
        {
            PostgresQuotaStoreOptions options = sp.GetRequiredService<IOptions<PostgresQuotaStoreOptions>>().Value;

            // Service factories are synchronous: opening blocks this one call, once, when the gate is built (at host
            // start when options are validated on start). No synchronization context is involved in a container.
            return (IQuotaStore)PostgresQuotaStore.OpenAsync(options, sp.GetService<ILoggerFactory>()).GetAwaiter().GetResult();
        });
        return services;
    }
}
