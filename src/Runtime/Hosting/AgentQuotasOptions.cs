using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace AgentQuotas.Hosting;

/// <summary>
/// How <c>services.AddAgentQuotas(...)</c> builds the gate: the policy file, its reloading, and which store holds the
/// buckets. Bound from configuration by <c>AddAgentQuotas(IConfiguration)</c> (keys <c>PolicyPath</c>,
/// <c>WatchPolicyFile</c>, <c>PolicyReloadDelay</c>, <c>Store:Kind</c>; the gate's own settings are under <c>Gate</c>,
/// see <see cref="QuotaGateOptions"/>) and validated when the host starts. See docs/hosting.md.
/// </summary>
public sealed class AgentQuotasOptions
{
    /// <summary>The store kind that keeps buckets in this process (<see cref="Stores.InMemoryQuotaStore"/>).</summary>
    public const string MemoryStore = "Memory";

    /// <summary>
    /// Path to agentquotas.json; a relative path is taken from the current directory (the content root of an ASP.NET
    /// Core host). Required; the file must exist and hold a valid policy when the host starts.
    /// </summary>
    public string? PolicyPath { get; set; }

    /// <summary>Reload the policy when the file changes (a file that fails validation keeps the old policy in force). Default <see langword="true"/>.</summary>
    public bool WatchPolicyFile { get; set; } = true;

    /// <summary>How long after the last change of the file the reload happens (editors write in bursts). Not negative; default 250 ms.</summary>
    public TimeSpan PolicyReloadDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Where the policy file's changes are watched. Default: a <see cref="PhysicalFileProvider"/> on the file's folder.
    /// A provider set here must be rooted at that folder (the file is watched by its name); it is not disposed. Set in
    /// code, not from configuration.
    /// </summary>
    public IFileProvider? PolicyFileProvider { get; set; }

    /// <summary>
    /// Path to a revocation file (the shape of the policy's <c>revoked</c> section, edited by <c>agentquotas revoke</c>
    /// and <c>unrevoke</c>); <see langword="null"/> (the default) for none. A file that does not exist yet is the empty
    /// list; one that exists must be valid when the host starts. Reloaded on change when <see cref="WatchPolicyFile"/>
    /// is set (a bad file keeps the list in force and is logged). Configuration key <c>RevocationPath</c>.
    /// </summary>
    public string? RevocationPath { get; set; }

    /// <summary>
    /// Where the revocation file's changes are watched. Default: a <see cref="PhysicalFileProvider"/> on the file's
    /// folder. A provider set here must be rooted at that folder; it is not disposed. Set in code, not from configuration.
    /// </summary>
    public IFileProvider? RevocationFileProvider { get; set; }

    /// <summary>
    /// Which store holds the buckets: <see cref="MemoryStore"/>, or a kind a store package registers (<c>Postgres</c>
    /// with <c>services.AddAgentQuotasPostgres()</c>). <see langword="null"/> (the default): the container's
    /// <see cref="Stores.IQuotaStore"/> if one is registered, else memory. Configuration key <c>Store:Kind</c>.
    /// </summary>
    public string? StoreKind { get; set; }

    /// <summary>
    /// The <c>Store</c> section these options were bound from, if any: store packages read their own settings from it
    /// (for example <c>Store:ConnectionString</c>).
    /// </summary>
    public IConfiguration? StoreConfiguration { get; set; }

    /// <summary>Whether the selected store is <paramref name="kind"/> (compared without regard to case).</summary>
    /// <param name="kind">A store kind.</param>
    public bool UsesStore(string kind) => string.Equals(StoreKind, kind, StringComparison.OrdinalIgnoreCase);
}
