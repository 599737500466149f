using System.Collections.Concurrent;
using System.Diagnostics;
using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>
/// An <see cref="IQuotaStore"/> in PostgreSQL, shared by any number of hosts. Each acquisition is one
/// round trip: a function call that, in one transaction, locks the bucket row and the tenant's spend
/// rows, brings the bucket to the database clock's now, decides, and writes both, with the same exact
/// integer-tick arithmetic as <see cref="InMemoryQuotaStore"/>. So hosts never take more than
/// capacity + burst credits + refill x elapsed from one bucket together, nor push a tenant past its
/// daily or monthly ceiling, whatever their own clocks say.
/// </summary>
/// <remarks>
/// Open with <see cref="OpenAsync"/>. While the server is unreachable, requests are decided by
/// <see cref="PostgresQuotaStoreOptions.FailureMode"/> without waiting; one request per retry interval
/// tries the server, and once it answers, corrections made meanwhile are replayed. Optional leasing
/// (<see cref="PostgresQuotaStoreOptions.EnableLeasing"/>) serves small requests from a local slice.
/// See docs/postgres.md.
/// </remarks>
public sealed partial class PostgresQuotaStore : IQuotaStore, IAsyncDisposable, IDisposable
{
    private static readonly (string Table, string Privileges)[] NeededRights =
    [
        ("buckets", "SELECT,INSERT,UPDATE"),
        ("spend", "SELECT,INSERT,UPDATE"),
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresQuotaStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _target;
    private readonly string _acquireSql;
    private readonly string _acquireManySql;
    private readonly string _acquireBatchSql;
    private readonly string _settleSql;
    private readonly string _peekSql;
    private readonly string _spendSql;
    private readonly int _commandTimeoutSeconds;
    private readonly StoreAvailability _availability;
    private readonly PendingCorrections _pending;
    private readonly ConcurrentDictionary<BucketKey, LocalLease> _leases = new();
    private readonly ConcurrentDictionary<string, KnownSpend> _knownSpend = new(StringComparer.Ordinal);
    private readonly ITimer? _leaseSweep;
    private long _roundTrips;
    private long _leasedAdmissions;
    private long _localRefusals;
    private long _unavailableDecisions;
    private long _lostCorrections;
    private int _sweeping;
    private int _disposed;

    private PostgresQuotaStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgresQuotaStoreOptions options, ILogger logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _logger = logger;
        _time = options.TimeProvider;
        _target = ConnectionSettings.Describe(dataSource);
        string s = ConnectionSettings.Quote(options.Schema);
        _acquireSql = "SELECT outcome, taken_ticks, taken_units, remaining_ticks, retry_ticks, used_burst, used_emergency, now_ticks, next_day_ticks, day_spent, month_spent " +
                      $"FROM {s}.acquire($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
        _acquireManySql = "SELECT ordinal, outcome, taken_ticks, taken_units, remaining_ticks, retry_ticks, used_burst, used_emergency, now_ticks, next_day_ticks, day_spent, month_spent " +
                           $"FROM {s}.acquire_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ORDER BY ordinal";
        _acquireBatchSql = "SELECT ordinal, outcome, taken_ticks, taken_units, remaining_ticks, retry_ticks, used_burst, used_emergency, now_ticks, next_day_ticks, day_spent, month_spent " +
                           $"FROM {s}.acquire_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ORDER BY ordinal";
        _settleSql = $"SELECT remaining_ticks FROM {s}.settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        _peekSql = $"SELECT bucket_found, level_units, credit_units FROM {s}.peek($1, $2, $3, $4)";
        _spendSql = $"SELECT day_spent, month_spent FROM {s}.current_spend($1)";
        _commandTimeoutSeconds = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        _availability = new StoreAvailability(_time, options.RetryInterval, options.MaxRetryInterval, OnAvailabilityChanged);
        _pending = new PendingCorrections(options.MaxPendingCorrections);
        if (options.EnableLeasing)
        {
            // Sweeping at half the lifetime returns an expired slice at most 1.5 lifetimes after it was taken.
            TimeSpan sweep = options.LeaseDuration / 2;
            _leaseSweep = _time.CreateTimer(static s => ((PostgresQuotaStore)s!).OnLeaseSweep(), this, sweep, sweep);
        }
    }

    /// <summary>Whether the server answered the last time it was asked.</summary>
    public bool IsAvailable => _availability.IsAvailable;

    /// <summary>The failure mode in force.</summary>
    public StoreFailureMode FailureMode => _options.FailureMode;

    /// <summary>The schema in use.</summary>
    public string Schema => _options.Schema;

    /// <summary>Counters since the store was opened.</summary>
    public PostgresQuotaStoreStatistics Statistics => new(
        Interlocked.Read(ref _roundTrips),
        Interlocked.Read(ref _leasedAdmissions),
        Interlocked.Read(ref _localRefusals),
        Interlocked.Read(ref _unavailableDecisions),
        _pending.Count,
        Interlocked.Read(ref _lostCorrections));

    /// <summary>
    /// Validates the options, connects, creates or migrates the schema (unless turned off) and checks the
    /// role's rights, then returns a ready store.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">Where the store logs; nowhere when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="ArgumentException">An option is invalid, for example a malformed connection string.</exception>
    /// <exception cref="PostgresStoreException">The server cannot be reached, the login is refused, the role lacks a right, or the schema has another version.</exception>
    public static async Task<PostgresQuotaStore> OpenAsync(PostgresQuotaStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool owns = options.DataSource is null;
        NpgsqlDataSource dataSource = options.DataSource ?? ConnectionSettings.Build(options.ConnectionString!, "AgentQuotas");
        try
        {
            await PostgresSchema.EnsureReadyAsync(dataSource, options.Schema, options.ApplyMigrations, NeededRights, cancellationToken).ConfigureAwait(false);
            ILogger logger = loggerFactory?.CreateLogger<PostgresQuotaStore>() ?? (ILogger)NullLogger.Instance;
            var store = new PostgresQuotaStore(dataSource, owns, options, logger);
            Log.StoreOpened(logger, store._target, options.Schema, PostgresSchema.LatestVersion, options.FailureMode, options.EnableLeasing);
            return store;
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
    public QuotaStoreResult TryAcquire(in QuotaStoreRequest request)
    {
        ThrowIfDisposed();
        ValueTask<QuotaStoreResult> result = AcquireCoreAsync(request, async: false, CancellationToken.None);
        Debug.Assert(result.IsCompleted, "the synchronous path completes synchronously");
        return result.GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public ValueTask<QuotaStoreResult> TryAcquireAsync(QuotaStoreRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return AcquireCoreAsync(request, async: true, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Never throws for an unreachable server: the correction waits and is replayed when it returns.</remarks>
    public void Settle(in BucketKey key, BucketLimits limits, double delta)
    {
        ThrowIfDisposed();
        ValidateSettle(key, limits, delta);
        ValueTask done = SettleCoreAsync(key, limits, delta, async: false, CancellationToken.None);
        Debug.Assert(done.IsCompleted, "the synchronous path completes synchronously");
        done.GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    /// <remarks>Never throws for an unreachable server: the correction waits and is replayed when it returns.</remarks>
    public ValueTask SettleAsync(BucketKey key, BucketLimits limits, double delta, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ValidateSettle(key, limits, delta);
        return SettleCoreAsync(key, limits, delta, async: true, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Reads the shared bucket; units leased by hosts are not in it.</remarks>
    /// <exception cref="PostgresStoreException">The server cannot be reached.</exception>
    public BucketSnapshot Peek(in BucketKey key, BucketLimits limits)
    {
        ThrowIfDisposed();
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(limits);
        ValueTask<BucketSnapshot> result = PeekCoreAsync(key, limits, async: false, CancellationToken.None);
        Debug.Assert(result.IsCompleted, "the synchronous path completes synchronously");
        return result.GetAwaiter().GetResult();
    }

    /// <summary>Asynchronous <see cref="Peek"/>.</summary>
    /// <param name="key">The bucket.</param>
    /// <param name="limits">The bucket's limits.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="PostgresStoreException">The server cannot be reached.</exception>
    public ValueTask<BucketSnapshot> PeekAsync(BucketKey key, BucketLimits limits, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(limits);
        return PeekCoreAsync(key, limits, async: true, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Reads the durable ledger for the database clock's UTC day and month; leased units count as spent until returned.</remarks>
    /// <exception cref="PostgresStoreException">The server cannot be reached.</exception>
    public SpendSnapshot GetSpend(string tenant)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tenant);
        ValueTask<SpendSnapshot> result = GetSpendCoreAsync(tenant, async: false, CancellationToken.None);
        Debug.Assert(result.IsCompleted, "the synchronous path completes synchronously");
        return result.GetAwaiter().GetResult();
    }

    /// <summary>Asynchronous <see cref="GetSpend"/>.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="PostgresStoreException">The server cannot be reached.</exception>
    public ValueTask<SpendSnapshot> GetSpendAsync(string tenant, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(tenant);
        return GetSpendCoreAsync(tenant, async: true, cancellationToken);
    }

    /// <summary>
    /// Returns every local lease's unused units to the shared buckets and sends waiting corrections, if the
    /// server can be reached. Called on dispose; call it before a planned shutdown or to measure exactly.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask ReturnLeasesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await ReturnAllLeasesAsync(async: true, cancellationToken).ConfigureAwait(false);
        await ReplayPendingAsync(async: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns leases and sends waiting corrections (when the server answers), then closes the pool it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_leaseSweep is not null)
        {
            await _leaseSweep.DisposeAsync().ConfigureAwait(false);
        }

        await ReturnAllLeasesAsync(async: true, CancellationToken.None).ConfigureAwait(false);
        await ReplayPendingAsync(async: true, CancellationToken.None).ConfigureAwait(false);
        DisposeFallback();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _leaseSweep?.Dispose();
        ReturnAllLeasesAsync(async: false, CancellationToken.None).GetAwaiter().GetResult();
        ReplayPendingAsync(async: false, CancellationToken.None).GetAwaiter().GetResult();
        DisposeFallback();
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    // Keys follow the identity rule (AgentIdentity, QuotaTool): PostgreSQL text cannot hold a NUL, nor the driver
    // encode a lone surrogate, so such a key is refused here, clearly, rather than by the server or the encoder.
    private static void ValidateKey(in BucketKey key)
    {
        ArgumentNullException.ThrowIfNull(key.Tenant, nameof(key));
        ArgumentNullException.ThrowIfNull(key.Category, nameof(key));
        if (AgentQuotas.Policy.Schema.IdentityText.Problem(key.Tenant) is string tenant)
        {
            throw new ArgumentException($"The bucket's tenant '{AgentQuotas.Policy.Schema.IdentityText.Escape(key.Tenant)}' {tenant}.", nameof(key));
        }

        if (AgentQuotas.Policy.Schema.IdentityText.Problem(key.Category) is string category)
        {
            throw new ArgumentException($"The bucket's category '{AgentQuotas.Policy.Schema.IdentityText.Escape(key.Category)}' {category}.", nameof(key));
        }
    }

    private static void ValidateSettle(in BucketKey key, BucketLimits limits, double delta)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(limits);
        if (!double.IsFinite(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The correction must be a finite number.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>The last spend the server reported for a tenant, for conservative fallback ceilings.</summary>
    private readonly record struct KnownSpend(DateOnly Day, decimal DaySpent, decimal MonthSpent);
}
