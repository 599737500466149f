using AgentQuotas.Trust;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Hosting;

/// <summary>
/// The revocation file named by <see cref="AgentQuotasOptions.RevocationPath"/>, opened once for the container and
/// watched like the policy file; the container disposes the watch.
/// </summary>
internal sealed class HostedRevocations : IDisposable
{
    private readonly IDisposable? _watch;

    public HostedRevocations(IServiceProvider services)
    {
        AgentQuotasOptions hosting = services.GetRequiredService<IOptions<AgentQuotasOptions>>().Value;
        if (hosting.RevocationPath is not string path)
        {
            return;
        }

        File = RevocationFile.Open(path);
        if (hosting.WatchPolicyFile)
        {
            ILogger logger = (services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
                .CreateLogger("AgentQuotas.Trust");
            RevocationFile file = File;
            _watch = file.Watch(hosting.RevocationFileProvider, failure =>
            {
                if (failure is not null)
                {
                    TrustLog.RevocationReloadFailed(logger, file.Path, failure);
                }
            });
        }
    }

    /// <summary>The file, or null when none is configured.</summary>
    public RevocationFile? File { get; }

    // Invalid hosting options leave the gate without a revocation file: AgentQuotasOptionsValidator reports them.
    public static RevocationFile? Resolve(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<HostedRevocations>().File;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    public void Dispose() => _watch?.Dispose();
}
