using AgentQuotas.Policy;

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
