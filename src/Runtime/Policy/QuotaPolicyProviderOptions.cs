using Microsoft.Extensions.Logging;

namespace AgentQuotas.Policy;

/// <summary>Options of <see cref="QuotaPolicyProvider.FromFile"/>.</summary>
public sealed class QuotaPolicyProviderOptions
{
    /// <summary>Reload when the file changes on disk. Default <see langword="false"/>.</summary>
    public bool WatchForChanges { get; set; }

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
