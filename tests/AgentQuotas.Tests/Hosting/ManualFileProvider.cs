using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace AgentQuotas.Tests.Hosting;

/// <summary>A file provider whose change tokens fire only when a test calls <see cref="Change"/>: file events made deterministic.</summary>
internal sealed class ManualFileProvider : IFileProvider
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _changes = new();

    public List<string> Watched { get; } = [];

    public IChangeToken Watch(string filter)
    {
        lock (_lock)
        {
            Watched.Add(filter);
            return new CancellationChangeToken(_changes.Token);
        }
    }

    /// <summary>Fires every token handed out so far (the file "changed"); later watches get a fresh token.</summary>
    public void Change()
    {
        CancellationTokenSource fired;
        lock (_lock)
        {
            fired = _changes;
            _changes = new CancellationTokenSource();
        }

        fired.Cancel();
        fired.Dispose();
    }

    public IFileInfo GetFileInfo(string subpath) => new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;
}
