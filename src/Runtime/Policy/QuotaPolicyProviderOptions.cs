using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Policy;

/// <summary>Options of <see cref="QuotaPolicyProvider.FromFile"/>.</summary>
public sealed class QuotaPolicyProviderOptions
{
    /// <summary>Reload when the file changes on disk. Default <see langword="false"/>.</summary>
    public bool WatchForChanges { get; set; }

    /// <summary>
    /// Where changes of the policy file are watched (<see cref="IFileProvider.Watch"/>): each change token that fires
    /// starts the debounce, after which the file is reloaded from its path. Default: a
    /// <see cref="Microsoft.Extensions.FileProviders.PhysicalFileProvider"/> on the file's folder, created and disposed
    /// by the provider. A provider given here is not disposed; it is asked for <see cref="WatchedPath"/>.
    /// </summary>
    public IFileProvider? FileProvider { get; set; }

    /// <summary>
    /// The path, relative to <see cref="FileProvider"/>'s root, to watch when a file provider is given. Default: the
    /// policy file's name (a provider rooted at the file's folder).
    /// </summary>
    public string? WatchedPath { get; set; }

    /// <summary>How long to wait after the last change event before reloading (editors write in bursts). Default 250 ms.</summary>
    public TimeSpan DebounceDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The clock for debouncing. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where reloads are logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Called after every reload attempt, applied or rejected.</summary>
    public Func<PolicyReloadResult, ValueTask>? OnReloaded { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (DebounceDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DebounceDelay), DebounceDelay, "The debounce delay must not be negative.");
        }
    }
}
