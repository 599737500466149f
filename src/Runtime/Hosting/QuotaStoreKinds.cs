using AgentQuotas.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace AgentQuotas.Hosting;

/// <summary>Store kinds registered by store packages: each is a keyed <see cref="IQuotaStore"/> under a key that ignores case.</summary>
internal static class QuotaStoreKinds
{
    public static string Key(string kind) => "AgentQuotas.Store:" + kind.ToUpperInvariant();

    public static bool IsRegistered(IServiceProvider services, string kind) =>
        services.GetService<IServiceProviderIsKeyedService>()?.IsKeyedService(typeof(IQuotaStore), Key(kind)) == true;

    public static IEnumerable<string> Registered(IServiceProvider services) =>
        services.GetServices<Registration>().Select(r => r.Kind);

    /// <summary>Names a registered kind for error messages.</summary>
    internal sealed record Registration(string Kind);
}
