using AgentQuotas.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Postgres;

/// <summary>Binds <see cref="PostgresQuotaStoreOptions"/> from the AgentQuotas <c>Store</c> section and checks it when the host starts.</summary>
internal static class PostgresStoreSettings
{
    public const string Kind = "Postgres";

    private static readonly string[] Keys =
    [
        "Kind", "ConnectionString", "Schema", "ApplyMigrations", "FailureMode", "ExpectedHosts", "EnableLeasing", "LeaseFraction",
        "LeaseDuration", "RetryInterval", "MaxRetryInterval", "MaxBatchSize", "CommandTimeout", "MaxPendingCorrections",
    ];

    public static void Bind(IConfiguration section, PostgresQuotaStoreOptions o)
    {
        var s = new SettingsReader(section, o);
        s.RejectUnknownKeys(Keys);
        o.ConnectionString = s.String("ConnectionString") ?? o.ConnectionString;
        o.Schema = s.String("Schema") ?? o.Schema;
        o.ApplyMigrations = s.Bool("ApplyMigrations") ?? o.ApplyMigrations;
        o.FailureMode = s.Enum<StoreFailureMode>("FailureMode") ?? o.FailureMode;
        o.ExpectedHosts = s.Int("ExpectedHosts") ?? o.ExpectedHosts;
        o.EnableLeasing = s.Bool("EnableLeasing") ?? o.EnableLeasing;
        o.LeaseFraction = s.Double("LeaseFraction") ?? o.LeaseFraction;
        o.LeaseDuration = s.Duration("LeaseDuration") ?? o.LeaseDuration;
        o.RetryInterval = s.Duration("RetryInterval") ?? o.RetryInterval;
        o.MaxRetryInterval = s.Duration("MaxRetryInterval") ?? o.MaxRetryInterval;
        o.MaxBatchSize = s.Int("MaxBatchSize") ?? o.MaxBatchSize;
        o.CommandTimeout = s.Duration("CommandTimeout") ?? o.CommandTimeout;
        o.MaxPendingCorrections = s.Int("MaxPendingCorrections") ?? o.MaxPendingCorrections;
    }

    /// <summary>The <c>Store</c> section, when the AgentQuotas options were bound from configuration and are valid (else their own validator reports them).</summary>
    public static IConfiguration? StoreSection(IOptions<AgentQuotasOptions> hosting)
    {
        try
        {
            return hosting.Value.StoreConfiguration;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private static bool IsSelected(IOptions<AgentQuotasOptions> hosting)
    {
        try
        {
            return hosting.Value.UsesStore(Kind);
        }
        catch (OptionsValidationException)
        {
            return false;
        }
    }

    /// <summary>Checks the options only when the PostgreSQL store is the one selected; each error names its <c>Store</c> key.</summary>
    internal sealed class Validator(IOptions<AgentQuotasOptions> hosting) : IValidateOptions<PostgresQuotaStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgresQuotaStoreOptions options)
        {
            if (name != Options.DefaultName || !IsSelected(hosting))
            {
                return ValidateOptionsResult.Skip;
            }

            var errors = new List<string>(SettingsReader.ErrorsOf(options));
            if (errors.Count == 0)
            {
                try
                {
                    options.Validate(); // the store's own rules
                }
                catch (ArgumentException e)
                {
                    string key = SettingsReader.KeyPath(SettingsReader.PathOf(options, "AgentQuotas:Store"), e.ParamName ?? "?");
                    string message = e.Message.ReplaceLineEndings(" ").Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
                    errors.Add($"{key}: {message}");
                }
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
