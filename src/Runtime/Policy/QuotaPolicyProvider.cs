using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace AgentQuotas.Policy;

/// <summary>
/// Holds the policy in force and replaces it atomically. A reload that fails (unreadable file, invalid
/// policy) leaves the previous policy in force and reports why; a valid one applies as a whole, so no
/// decision ever sees half of a policy.
/// </summary>
public sealed class QuotaPolicyProvider : IDisposable
{
    private readonly string? _path;
    private readonly QuotaPolicyProviderOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private PhysicalFileProvider? _ownedFileProvider;
    private IDisposable? _changeRegistration;
    private ITimer? _debounce;
    private volatile QuotaPolicy _current;
    private PolicyReloadResult? _lastReload;

    private QuotaPolicyProvider(QuotaPolicy initial, string? path, QuotaPolicyProviderOptions options)
    {
        _current = initial;
        _path = path;
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<QuotaPolicyProvider>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The policy in force. Reading it is a single volatile read.</summary>
    public QuotaPolicy Current => _current;

    /// <summary>The file the provider reloads from, if any.</summary>
    public string? Path => _path;

    /// <summary>The last reload attempt, if any.</summary>
    public PolicyReloadResult? LastReload => Volatile.Read(ref _lastReload);

    /// <summary>A provider for a fixed policy (it can still be replaced with <see cref="Apply"/>).</summary>
    /// <param name="policy">The policy.</param>
    public static QuotaPolicyProvider FromPolicy(QuotaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new QuotaPolicyProvider(policy, path: null, new QuotaPolicyProviderOptions());
    }

    /// <summary>Loads a policy file and keeps it for reloads (optionally watching it).</summary>
    /// <param name="path">Path to agentquotas.json.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="PolicyValidationException">The file is not a valid policy: there is nothing to start with.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static QuotaPolicyProvider FromFile(string path, QuotaPolicyProviderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new QuotaPolicyProviderOptions();
        options.Validate();
        string fullPath = System.IO.Path.GetFullPath(path);
        var provider = new QuotaPolicyProvider(QuotaPolicy.Load(fullPath), fullPath, options);
        Log.PolicyApplied(provider._logger, provider._current.Version, provider._current.ContentHash, fullPath);
        if (options.WatchForChanges)
        {
            provider.StartWatching(fullPath);
        }

        return provider;
    }

    /// <summary>
    /// Re-reads the file. On any failure the current policy stays in force; so it does when the file's content
    /// changed but its <c>version</c> did not, unless the policy in force sets <c>allowSameVersionEdits</c>.
    /// </summary>
    /// <returns>What happened.</returns>
    /// <exception cref="InvalidOperationException">The provider was not created from a file.</exception>
    public PolicyReloadResult Reload()
    {
        if (_path is null)
        {
            throw new InvalidOperationException("This provider holds a fixed policy; use Apply to replace it.");
        }

        lock (_reloadLock)
        {
            QuotaPolicy previous = _current;
            QuotaPolicy next;
            try
            {
                next = QuotaPolicy.Load(_path);
            }
            catch (PolicyValidationException e)
            {
                return Finish(new PolicyReloadResult(false, previous, previous, e.Errors, e.Message));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Finish(new PolicyReloadResult(false, previous, previous, [], $"The policy file '{_path}' could not be read: {e.Message}"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not expected (the validator refuses what cannot be built), but a reload, often on a timer thread,
                // must never take the host down: the policy in force stays.
                return Finish(new PolicyReloadResult(false, previous, previous, [], $"The policy file '{_path}' could not be loaded: {e.GetType().Name}: {e.Message}"));
            }

            if (global::AgentQuotas.Trust.SameVersionEdit.Check(previous, next, out string? warning) is string refused) // issue 16: policy integrity
            {
                return Finish(new PolicyReloadResult(false, previous, previous, [], refused));
            }

            _current = next;
            return Finish(new PolicyReloadResult(true, next, previous, [], failure: null) { Warning = warning });
        }
    }

    /// <summary>
    /// Replaces the policy in force with an already validated one, unconditionally: code that builds policies
    /// answers for their versions (audit records still tell contents apart by <see cref="QuotaPolicy.ContentHash"/>).
    /// </summary>
    /// <param name="policy">The new policy.</param>
    /// <returns>What happened.</returns>
    public PolicyReloadResult Apply(QuotaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        lock (_reloadLock)
        {
            QuotaPolicy previous = _current;
            _current = policy;
            return Finish(new PolicyReloadResult(true, policy, previous, [], failure: null));
        }
    }

    /// <summary>Stops watching the file (and disposes the file provider the provider created for it).</summary>
    public void Dispose()
    {
        _changeRegistration?.Dispose();
        _debounce?.Dispose();
        _ownedFileProvider?.Dispose();
    }

    private PolicyReloadResult Finish(PolicyReloadResult result)
    {
        Volatile.Write(ref _lastReload, result);
        if (result.Succeeded)
        {
            Log.PolicyApplied(_logger, result.InForce.Version, result.InForce.ContentHash, _path ?? result.InForce.Source);
            if (result.Warning is string warning)
            {
                global::AgentQuotas.Trust.TrustLog.SameVersionEdit(_logger, _path ?? result.InForce.Source, warning);
            }
        }
        else
        {
            Log.PolicyReloadFailed(_logger, _path, result.InForce.Version, result.Failure ?? string.Empty);
        }

        if (_options.OnReloaded is { } callback)
        {
            _ = NotifyAsync(callback, result);
        }

        return result;
    }

    private static async Task NotifyAsync(Func<PolicyReloadResult, ValueTask> callback, PolicyReloadResult result)
    {
        try
        {
            await callback(result).ConfigureAwait(false);
        }
        catch
        {
            // A failing observer must not undo or block a reload.
        }
    }

    // An exception escaping a timer callback ends the process: whatever happens, it is logged and the policy in force stays.
    private void ReloadFromTimer()
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            Log.PolicyReloadFailed(_logger, _path, _current.Version, e.GetType().Name + ": " + e.Message);
        }
    }

    // Changes arrive as change tokens of the file provider (a PhysicalFileProvider on the file's folder unless one was
    // given); each restarts the debounce timer, so a burst of writes ends in one reload through Reload().
    private void StartWatching(string fullPath)
    {
        IFileProvider files = _options.FileProvider
            ?? (_ownedFileProvider = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(fullPath)!, ExclusionFilters.None));
        string watched = _options.FileProvider is null ? System.IO.Path.GetFileName(fullPath) : _options.WatchedPath ?? System.IO.Path.GetFileName(fullPath);
        _debounce = _options.TimeProvider.CreateTimer(static s => ((QuotaPolicyProvider)s!).ReloadFromTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _changeRegistration = ChangeToken.OnChange(
            () => files.Watch(watched) ?? NullChangeToken.Singleton,
            static s => s._debounce!.Change(s._options.DebounceDelay, Timeout.InfiniteTimeSpan),
            this);
    }
}
