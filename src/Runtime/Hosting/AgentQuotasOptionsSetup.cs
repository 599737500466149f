using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Hosting;

/// <summary>Binds <see cref="AgentQuotasOptions"/> from a configuration section (only the keys present change a value).</summary>
internal sealed class AgentQuotasOptionsSetup(IConfiguration section) : IConfigureOptions<AgentQuotasOptions>
{
    internal static readonly string[] Keys = ["PolicyPath", "WatchPolicyFile", "PolicyReloadDelay", "RevocationPath", "Store", "Gate"];

    public void Configure(AgentQuotasOptions options)
    {
        var settings = new SettingsReader(section, options);
        settings.RejectUnknownKeys(Keys);
        options.PolicyPath = settings.String("PolicyPath") ?? options.PolicyPath;
        options.WatchPolicyFile = settings.Bool("WatchPolicyFile") ?? options.WatchPolicyFile;
        options.PolicyReloadDelay = settings.Duration("PolicyReloadDelay") ?? options.PolicyReloadDelay;
        options.RevocationPath = settings.String("RevocationPath") ?? options.RevocationPath;
        IConfigurationSection store = section.GetSection("Store");
        options.StoreConfiguration = store;
        options.StoreKind = store["Kind"] is { Length: > 0 } kind ? kind.Trim() : options.StoreKind;
    }
}
