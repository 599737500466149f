using AgentQuotas.Policy;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace AgentQuotas.Trust;

/// <summary>
/// A revocation list kept in its own small file (the shape of the policy's <c>revoked</c> section), so an
/// operator can refuse a tenant or a principal at once without a policy review: <c>agentquotas revoke</c>
/// and <c>unrevoke</c> edit it, <see cref="Reload"/> applies it atomically. Give it to the gate through
/// <see cref="QuotaGateOptions.Revocations"/>; the gate refuses an identity listed here or in the policy.
/// </summary>
public sealed class RevocationFile
{
    private readonly Lock _reloadLock = new();
    private volatile RevocationList _current;

    private RevocationFile(string path, RevocationList initial)
    {
        Path = path;
        _current = initial;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The list in force. Reading it is a single volatile read.</summary>
    public RevocationList Current => _current;

    /// <summary>Opens a revocation file; a file that does not exist yet is the empty list.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="PolicyValidationException">The file is not a revocation list: there is nothing to start with.</exception>
    public static RevocationFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        return new RevocationFile(fullPath, RevocationList.Load(fullPath));
    }

    /// <summary>Re-reads the file and applies it as a whole; on any failure the list in force stays.</summary>
    /// <returns><see langword="null"/> when applied, else why not.</returns>
    public string? Reload()
    {
        lock (_reloadLock)
        {
            try
            {
                _current = RevocationList.Load(Path);
                return null;
            }
            catch (PolicyValidationException e)
            {
                return e.Message;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"The revocation file '{Path}' could not be read: {e.Message}";
            }
        }
    }

    /// <summary>
    /// Reloads the list whenever the file changes, through <paramref name="fileProvider"/>'s change tokens (by default a
    /// <see cref="PhysicalFileProvider"/> on the file's folder, owned and disposed by the returned handle). Each change is
    /// applied as a whole by <see cref="Reload"/>; a bad file keeps the list in force and is reported to
    /// <paramref name="reloaded"/>. <c>agentquotas revoke</c> writes by renaming a whole file over the old one, so a
    /// reload never sees half a list.
    /// </summary>
    /// <param name="fileProvider">Where changes are watched; it must be rooted at the file's folder (the file is watched by its name). Not disposed.</param>
    /// <param name="reloaded">Called after each reload with <see langword="null"/> when applied, else why not.</param>
    /// <returns>Disposing it stops watching.</returns>
    public IDisposable Watch(IFileProvider? fileProvider = null, Action<string?>? reloaded = null)
    {
        PhysicalFileProvider? owned = fileProvider is null
            ? new PhysicalFileProvider(System.IO.Path.GetDirectoryName(Path)!, ExclusionFilters.None)
            : null;
        IFileProvider files = fileProvider ?? owned!;
        string name = System.IO.Path.GetFileName(Path);
        IDisposable registration = ChangeToken.OnChange(
            () => files.Watch(name) ?? NullChangeToken.Singleton,
            () =>
            {
                string? failure = Reload();
                reloaded?.Invoke(failure);
            });
        return new Watching(registration, owned);
    }

    private sealed class Watching(IDisposable registration, PhysicalFileProvider? owned) : IDisposable
    {
        public void Dispose()
        {
            registration.Dispose();
            owned?.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="list"/> to <paramref name="path"/> atomically (a temporary file renamed over it), so a
    /// reader never sees half a list.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="list">The list.</param>
    public static void Write(string path, RevocationList list)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(list);
        string fullPath = System.IO.Path.GetFullPath(path);
        string temporary = fullPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, list.ToJson());
        File.Move(temporary, fullPath, overwrite: true);
    }
}
