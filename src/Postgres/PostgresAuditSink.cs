using System.Threading.Channels;
using AgentQuotas.Audit;
using AgentQuotas.Postgres.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace AgentQuotas.Postgres;

/// <summary>
/// Writes audit records to the <c>audit</c> table in batches. <see cref="TryWrite"/> never blocks: records wait
/// in a bounded queue and a background writer inserts them, many per statement. A batch that fails is kept
/// and retried with growing delays (without limit while the server is unreachable), so an outage loses
/// nothing that fits in the queue; each record carries an id made when it was accepted, so a retry never
/// inserts it twice. Records refused because the queue is full, or given up after
/// <see cref="PostgresAuditSinkOptions.MaxAttempts"/> rejections, are counted in <see cref="DroppedCount"/>
/// and reported (log and metric): no loss is silent.
/// </summary>
public sealed class PostgresAuditSink : IQuotaAuditSink, IAsyncDisposable
{
    private static readonly (string Table, string Privileges)[] NeededRights = [("audit", "INSERT")];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresAuditSinkOptions _options;
    private readonly ILogger _logger;
    private readonly string _target;
    private readonly string _insertSql;
    private readonly Channel<Entry> _queue;
    private readonly AuditDropReporter _drops;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private long _written;
    private long _retries;
    private long _queued;
    private long _quarantined;
    private int _disposed;

    private PostgresAuditSink(NpgsqlDataSource dataSource, bool ownsDataSource, PostgresAuditSinkOptions options, ILogger logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _logger = logger;
        _target = ConnectionSettings.Describe(dataSource);
        _drops = new AuditDropReporter(nameof(PostgresAuditSink) + ":" + _target, logger);
        _insertSql = $"""
            INSERT INTO {ConnectionSettings.Quote(options.Schema)}.audit
                (id, recorded_at, tenant, principal, workflow, run_id, workload_class, tool, category, planned_cost,
                 actual_cost, decision, reason, mode, queue_wait_ms, policy_version, detail, policy_hash, host)
            SELECT u.*, $17 FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::text[], $14::text[],
                                      $15::float8[], $16::text[], $18::text[], $19::text[]) AS u
            ON CONFLICT (id) DO NOTHING
            """;
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails (and counts) instead of dropping silently
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records written to the table so far.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <inheritdoc/>
    public long DroppedCount => _drops.Dropped;

    /// <summary>
    /// Records the table could not hold as they were (a NUL or a lone surrogate in their text), written with that
    /// text escaped (<c>\uXXXX</c>) and a detail that starts with <c>quarantined:</c>. Their batch was written
    /// without them; each is also logged.
    /// </summary>
    public long QuarantinedCount => Interlocked.Read(ref _quarantined);

    /// <summary>Failed batch attempts that were retried.</summary>
    public long RetriedBatchCount => Interlocked.Read(ref _retries);

    /// <summary>Records accepted and not yet written.</summary>
    public long PendingCount => Interlocked.Read(ref _queued);

    /// <summary>Validates the options, connects, creates or migrates the schema (unless turned off), checks the INSERT right, and starts the writer.</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">Where the sink logs; nowhere when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="PostgresStoreException">The server cannot be reached, the login is refused, the role lacks a right, or the schema has another version.</exception>
    public static async Task<PostgresAuditSink> OpenAsync(PostgresAuditSinkOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool owns = options.DataSource is null;
        NpgsqlDataSource dataSource = options.DataSource ?? ConnectionSettings.Build(options.ConnectionString!, "AgentQuotas audit");
        try
        {
            await PostgresSchema.EnsureReadyAsync(dataSource, options.Schema, options.ApplyMigrations, NeededRights, cancellationToken).ConfigureAwait(false);
            ILogger logger = loggerFactory?.CreateLogger<PostgresAuditSink>() ?? (ILogger)NullLogger.Instance;
            var sink = new PostgresAuditSink(dataSource, owns, options, logger);
            Log.AuditSinkOpened(logger, sink._target, options.Schema);
            return sink;
        }
        catch
        {
            if (owns)
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public bool TryWrite(in QuotaAuditRecord record)
    {
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(new Entry(Guid.CreateVersion7(record.Timestamp), record, null)))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        _drops.Report(1, Volatile.Read(ref _disposed) != 0 ? "the sink is disposed" : $"the write queue is full ({_options.QueueCapacity} records wait)");
        return false;
    }

    /// <inheritdoc/>
    /// <remarks>While the server is unreachable this waits for it (records are retried, not dropped); cancel to stop waiting.</remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(default, default, done), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false); // disposing: it writes what it can
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting records and waits up to <see cref="PostgresAuditSinkOptions.DisposeTimeout"/> for the
    /// waiting ones to be written; any still waiting then are counted as dropped. Closes the pool it owns.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(_options.DisposeTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _writer.ConfigureAwait(false);
        }

        _stop.Dispose();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Entry>(_options.BatchSize);
        var flushes = new List<TaskCompletionSource>();
        CancellationToken stop = _stop.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out Entry entry))
                {
                    if (entry.Flush is not null)
                    {
                        flushes.Add(entry.Flush);
                    }
                    else
                    {
                        batch.Add(entry);
                    }
                }

                if (batch.Count > 0)
                {
                    await WriteWithRetriesAsync(batch, stop).ConfigureAwait(false);
                    Interlocked.Add(ref _queued, -batch.Count);
                    batch.Clear();
                }

                foreach (TaskCompletionSource flush in flushes)
                {
                    flush.TrySetResult();
                }

                flushes.Clear();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Dispose gave up waiting: count what is left, so nothing is lost silently.
            long left = batch.Count;
            while (_queue.Reader.TryRead(out Entry entry))
            {
                if (entry.Flush is null)
                {
                    left++;
                }
                else
                {
                    flushes.Add(entry.Flush);
                }
            }

            Interlocked.Add(ref _queued, -left);
            _drops.Report(left, "the sink was disposed while the server could not take them");
            foreach (TaskCompletionSource flush in flushes)
            {
                flush.TrySetResult();
            }
        }
    }

    private async Task WriteWithRetriesAsync(List<Entry> batch, CancellationToken stop)
    {
        TimeSpan delay = _options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await InsertAsync(batch, stop).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                PostgresTelemetry.AuditWritten.Add(batch.Count);
                if (attempt > 1)
                {
                    Log.AuditBatchRecovered(_logger, _target, batch.Count, attempt);
                }

                return;
            }
            catch (Exception e) when (IsRecordProblem(e))
            {
                // Some record of the batch cannot be written as it is: find it, so its neighbours are not lost.
                await IsolateAsync(batch, e, stop).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
            {
                stop.ThrowIfCancellationRequested(); // disposing gave up waiting: the loop counts this batch as dropped
                if (!IsOutage(e) && attempt >= _options.MaxAttempts)
                {
                    _drops.Report(batch.Count, $"the server rejected a batch {attempt} times: {PostgresErrors.Reason(e)}");
                    return;
                }

                Interlocked.Increment(ref _retries);
                PostgresTelemetry.AuditRetries.Add(1);
                if ((attempt & (attempt - 1)) == 0)
                {
                    Log.AuditBatchRetrying(_logger, _target, batch.Count, attempt, PostgresErrors.Reason(e), delay);
                }

                if (attempt == 1)
                {
                    _dataSource.Clear(); // pooled connections to a restarted server are dead
                }

                await Task.Delay(delay, _options.TimeProvider, stop).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Neither the data nor the server (a bug): the writer must go on; count the loss.
                _drops.Report(batch.Count, $"the batch could not be sent: {e.GetType().Name}: {e.Message}");
                return;
            }
        }
    }

    // A batch that fails for the data of some record is split in halves, each written on its own (with the
    // usual retries), until the record is alone; that record is then quarantined: written with the text the
    // table cannot hold escaped (\uXXXX) and its detail saying so, or, if even that fails, counted as dropped.
    private async Task IsolateAsync(List<Entry> batch, Exception problem, CancellationToken stop)
    {
        if (batch.Count > 1)
        {
            int half = batch.Count / 2;
            await WriteWithRetriesAsync(batch.GetRange(0, half), stop).ConfigureAwait(false);
            await WriteWithRetriesAsync(batch.GetRange(half, batch.Count - half), stop).ConfigureAwait(false);
            return;
        }

        Entry entry = batch[0];
        string why = problem is PostgresException pg ? PostgresErrors.Reason(pg) : problem.GetType().Name + ": " + problem.Message;
        if (!AuditQuarantine.IsNeeded(entry.Record))
        {
            _drops.Report(1, $"the server refused record {entry.Id}: {why}");
            return;
        }

        try
        {
            await InsertAsync([entry with { Record = AuditQuarantine.Escape(entry.Record, why) }], stop).ConfigureAwait(false);
            Interlocked.Increment(ref _written);
            Interlocked.Increment(ref _quarantined);
            PostgresTelemetry.AuditWritten.Add(1);
            Log.AuditRecordQuarantined(_logger, _target, entry.Id, why);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _drops.Report(1, $"record {entry.Id} could not be written even quarantined: {e.GetType().Name}: {e.Message}");
        }
    }

    // The data of a record, not the server: a value PostgreSQL refuses (SQLSTATE 22/23: a NUL in text, say) or
    // one the driver cannot encode (a lone surrogate).
    private static bool IsRecordProblem(Exception e) =>
        e is PostgresException pg ? PostgresErrors.IsRequestError(pg) : e is System.Text.EncoderFallbackException or ArgumentException or InvalidCastException;

    private async Task InsertAsync(List<Entry> batch, CancellationToken cancellationToken)
    {
        int n = batch.Count;
        var ids = new Guid[n];
        var times = new DateTime[n];
        var tenants = new string[n];
        var principals = new string[n];
        var workflows = new string?[n];
        var runIds = new string?[n];
        var classes = new string[n];
        var tools = new string[n];
        var categories = new string[n];
        var planned = new double[n];
        var actual = new double?[n];
        var decisions = new string[n];
        var reasons = new string[n];
        var modes = new string[n];
        var waits = new double[n];
        var versions = new string[n];
        var details = new string?[n];
        var hashes = new string?[n];
        for (int i = 0; i < n; i++)
        {
            QuotaAuditRecord r = batch[i].Record;
            ids[i] = batch[i].Id;
            times[i] = r.Timestamp.UtcDateTime;
            tenants[i] = r.Tenant ?? "";
            principals[i] = r.Principal ?? "";
            workflows[i] = r.Workflow;
            runIds[i] = r.RunId;
            classes[i] = r.WorkloadClass.ToString();
            tools[i] = r.Tool ?? "";
            categories[i] = r.Category ?? "";
            planned[i] = r.PlannedCost;
            actual[i] = r.ActualCost;
            decisions[i] = r.Decision.ToString();
            reasons[i] = r.Reason.ToString();
            modes[i] = r.Mode.ToString();
            waits[i] = r.QueueWait.TotalMilliseconds;
            versions[i] = r.PolicyVersion ?? "";
            details[i] = r.Detail;
            hashes[i] = r.PolicyHash;
        }

        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = connection.CreateCommand();
        command.CommandText = _insertSql;
        NpgsqlParameterCollection p = command.Parameters;
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = ids });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = times });
        p.Add(Texts(tenants));
        p.Add(Texts(principals));
        p.Add(Texts(workflows));
        p.Add(Texts(runIds));
        p.Add(Texts(classes));
        p.Add(Texts(tools));
        p.Add(Texts(categories));
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = planned });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = actual });
        p.Add(Texts(decisions));
        p.Add(Texts(reasons));
        p.Add(Texts(modes));
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = waits });
        p.Add(Texts(versions));
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)_options.HostName ?? DBNull.Value });
        p.Add(Texts(details));
        p.Add(Texts(hashes));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        static NpgsqlParameter Texts(string?[] values) => new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values };
    }

    // Unreachable, restarting, overloaded or a transient conflict: worth retrying without limit.
    private static bool IsOutage(Exception e) =>
        e is not PostgresException pg
        || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
        || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
        || pg.SqlState.StartsWith("40", StringComparison.Ordinal);

    private readonly record struct Entry(Guid Id, QuotaAuditRecord Record, TaskCompletionSource? Flush);
}
