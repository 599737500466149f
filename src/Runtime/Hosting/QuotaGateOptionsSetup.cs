using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Hosting;

/// <summary>Binds the gate's scalar settings from the <c>Gate</c> section (services and callbacks are set in code).</summary>
internal sealed class QuotaGateOptionsSetup(IConfiguration gateSection) : IConfigureOptions<QuotaGateOptions>
{
    internal static readonly string[] Keys = ["RequireAudit", "IncludeTenantInMetrics", "DefaultQueueLimit", "MaxAnomalyTenants", "ApprovalTimeout"];

    public void Configure(QuotaGateOptions options)
    {
        var settings = new SettingsReader(gateSection, options);
        settings.RejectUnknownKeys(Keys);
        options.RequireAudit = settings.Bool("RequireAudit") ?? options.RequireAudit;
        options.IncludeTenantInMetrics = settings.Bool("IncludeTenantInMetrics") ?? options.IncludeTenantInMetrics;
        options.DefaultQueueLimit = settings.Int("DefaultQueueLimit") ?? options.DefaultQueueLimit;
        options.MaxAnomalyTenants = settings.Int("MaxAnomalyTenants") ?? options.MaxAnomalyTenants;
        options.ApprovalTimeout = settings.Duration("ApprovalTimeout") ?? options.ApprovalTimeout;
    }
}
