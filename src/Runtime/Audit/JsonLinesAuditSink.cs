using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas.Audit;

/// <summary>
/// Appends audit records to a file, one JSON object per line. Writing happens on a background task fed
/// by a bounded queue, so callers never block on disk; a record that does not fit, or that the disk
/// refuses, is counted as dropped and reported. A record with text no UTF-8 file can keep (a lone surrogate; a
/// NUL too, as for PostgreSQL) is written quarantined: that text escaped as <c>\uXXXX</c>, its detail starting
/// with <c>quarantined:</c>.
/// </summary>
public sealed class JsonLinesAuditSink : IQuotaAuditSink, IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Channel<Entry> _queue;
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly AuditDropReporter _drops;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private long _written;
    private int _disposed;

    /// <summary>Opens (or creates) the file and starts the writer.</summary>
    /// <param name="path">The file to append to.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Where write failures and losses are reported.</param>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public JsonLinesAuditSink(string path, JsonLinesAuditSinkOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new JsonLinesAuditSinkOptions();
        options.Validate();
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger ?? NullLogger.Instance;
        _drops = new AuditDropReporter(nameof(JsonLinesAuditSink) + ":" + Path, _logger);
        _file = new FileStream(Path, options.Append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        _json = new Utf8JsonWriter(_file);
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of silently dropping
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The file written to.</summary>
    public string Path { get; }

    /// <summary>Records written to the file so far.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <inheritdoc/>
    public long DroppedCount => _drops.Dropped;

    /// <inheritdoc/>
    public bool TryWrite(in QuotaAuditRecord record)
    {
        if (_queue.Writer.TryWrite(new Entry(record, null)))
        {
            return true;
        }

        _drops.Report(1, Volatile.Read(ref _disposed) != 0 ? "the sink is disposed" : "the write queue is full");
        return false;
    }

    /// <inheritdoc/>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(default, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _writer.ConfigureAwait(false); // disposed: everything accepted has been written
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes everything accepted, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _json.DisposeAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<QuotaAuditRecord>(256);
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 4096 && _queue.Reader.TryRead(out Entry entry))
            {
                if (entry.Flush is not null)
                {
                    flushes.Add(entry.Flush);
                }
                else
                {
                    batch.Add(entry.Record);
                }
            }

            try
            {
                foreach (QuotaAuditRecord record in batch)
                {
                    // A lone surrogate would be written as U+FFFD, the same for every one: such a record is quarantined.
                    QuotaAuditRecord line = AuditQuarantine.IsNeeded(record)
                        ? AuditQuarantine.Escape(record, "the record holds text a JSON line cannot keep as it is")
                        : record;
                    JsonSerializer.Serialize(_json, line, AuditJsonContext.Default.QuotaAuditRecord);
                    await _json.FlushAsync().ConfigureAwait(false);
                    _json.Reset();
                    await _file.WriteAsync(NewLine).ConfigureAwait(false);
                }

                await _file.FlushAsync().ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.AuditWriteFailed(_logger, e, Path, batch.Count);
                _drops.Report(batch.Count, "the file could not be written: " + e.Message);
            }

            batch.Clear();
            foreach (TaskCompletionSource flush in flushes)
            {
                flush.TrySetResult();
            }

            flushes.Clear();
        }
    }

    private readonly record struct Entry(QuotaAuditRecord Record, TaskCompletionSource? Flush);
}
