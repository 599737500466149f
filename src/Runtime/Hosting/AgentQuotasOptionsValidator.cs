using AgentQuotas.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Hosting;

/// <summary>
/// Checks <see cref="AgentQuotasOptions"/> when the host starts: bad values and unknown keys, the policy file (present
/// and valid, so a host never starts without a policy), the reload delay and the store kind. Every failure names its key.
/// </summary>
internal sealed class AgentQuotasOptionsValidator(IServiceProvider services) : IValidateOptions<AgentQuotasOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentQuotasOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>(SettingsReader.ErrorsOf(options));
        string path = SettingsReader.PathOf(options, "AgentQuotas");
        string policyKey = SettingsReader.KeyPath(path, "PolicyPath");
        if (string.IsNullOrWhiteSpace(options.PolicyPath))
        {
            errors.Add($"{policyKey} is required: the path to the policy file (agentquotas.json).");
        }
        else if (LoadError(options.PolicyPath) is string loadError)
        {
            errors.Add($"{policyKey}: {loadError}");
        }

        if (options.RevocationPath is string revocationPath && RevocationError(revocationPath) is string revocationError)
        {
            errors.Add($"{SettingsReader.KeyPath(path, "RevocationPath")}: {revocationError}");
        }

        if (options.PolicyReloadDelay < TimeSpan.Zero)
        {
            errors.Add($"{SettingsReader.KeyPath(path, "PolicyReloadDelay")} is {options.PolicyReloadDelay}; it must not be negative.");
        }

        if (options.StoreKind is string kind && !options.UsesStore(AgentQuotasOptions.MemoryStore) && !QuotaStoreKinds.IsRegistered(services, kind))
        {
            string known = string.Join(", ", [AgentQuotasOptions.MemoryStore, .. QuotaStoreKinds.Registered(services)]);
            errors.Add($"{SettingsReader.KeyPath(path, "Store:Kind")} is '{kind}', but no store of that kind is registered (registered: {known}); " +
                       "for PostgreSQL reference AgentQuotas.Postgres and call services.AddAgentQuotasPostgres().");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // A revocation file that does not exist yet is the empty list; one that exists must load.
    private static string? RevocationError(string revocationPath)
    {
        try
        {
            _ = Trust.RevocationFile.Open(revocationPath);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{revocationPath}' is not a valid path: {e.Message}";
        }
        catch (PolicyValidationException e)
        {
            return $"the revocation file '{revocationPath}' is not a valid revocation list: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the revocation file '{revocationPath}' could not be read: {e.Message}";
        }
    }

    // The same load the gate does, so a host with a missing or invalid policy fails to start instead of at its first call.
    private static string? LoadError(string policyPath)
    {
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(policyPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{policyPath}' is not a valid path: {e.Message}";
        }

        if (!File.Exists(fullPath))
        {
            return $"the policy file '{fullPath}' does not exist.";
        }

        try
        {
            _ = QuotaPolicy.Load(fullPath);
            return null;
        }
        catch (PolicyValidationException e)
        {
            return $"the policy file '{fullPath}' is not a valid policy: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the policy file '{fullPath}' could not be read: {e.Message}";
        }
    }
}
