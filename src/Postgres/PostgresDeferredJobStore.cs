using AgentQuotas.Deferred;
using AgentQuotas.Postgres.Internal;
using Npgsql;
using NpgsqlTypes;

namespace AgentQuotas.Postgres;

/// <summary>
/// Deferred jobs in PostgreSQL (table <c>deferred_jobs</c>, schema version 5), shared by every host of a deployment and
/// kept across restarts. A claim is one statement that takes the oldest due row <c>FOR UPDATE SKIP LOCKED</c> and
/// gives it a new lease token, so two hosts never claim one job at once; starting and finishing a job name that token,
/// so a host whose claim ran out can no longer start or finish it. See <see cref="IDeferredJobStore"/>.
/// </summary>
public sealed class PostgresDeferredJobStore : IDeferredJobStore, IAsyncDisposable
{
    private const string Columns =
        "id, kind, payload, tenant, principal, workload_class, workflow, tool, category, cost, state, attempts, created_at, not_before, lease_until, finished_at, result, error";

    private static readonly (string Table, string Privileges)[] NeededRights = [("deferred_jobs", "SELECT,INSERT,UPDATE")];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _target;
    private readonly string _insertSql;
    private readonly string _getSql;
    private readonly string _claimSql;
    private readonly string _startSql;
    private readonly string _releaseSql;
    private readonly string _finishSql;

    private PostgresDeferredJobStore(NpgsqlDataSource dataSource, bool ownsDataSource, string schema)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _target = ConnectionSettings.Describe(dataSource);
        string table = ConnectionSettings.Quote(schema) + ".deferred_jobs";
        _insertSql = $"""
            INSERT INTO {table} (id, kind, payload, tenant, principal, workload_class, workflow, tool, category, cost, state, attempts, created_at, not_before)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, $11, $12)
            """;
        _getSql = $"SELECT {Columns} FROM {table} WHERE id = $1";

        // One statement: fail running jobs whose lease ran out, then claim the oldest due job no other host holds.
        _claimSql = $"""
            WITH lost AS (
                UPDATE {table} SET state = 4, error = $3, finished_at = $1, lease_token = NULL, lease_until = NULL
                WHERE state = 2 AND lease_until <= $1
            ), next AS (
                SELECT id FROM {table}
                WHERE (state = 0 AND not_before <= $1) OR (state = 1 AND lease_until <= $1)
                ORDER BY not_before, created_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE {table} AS j SET state = 1, lease_token = $2, lease_until = $4, attempts = j.attempts + 1
            FROM next WHERE j.id = next.id
            RETURNING {string.Join(", ", Columns.Split(", ").Select(c => "j." + c))}
            """;
        _startSql = $"UPDATE {table} SET state = 2, lease_until = $4 WHERE id = $1 AND lease_token = $2 AND state = 1 AND lease_until > $3";
        _releaseSql = $"UPDATE {table} SET state = 0, lease_token = NULL, lease_until = NULL, not_before = $3 WHERE id = $1 AND lease_token = $2 AND state = 1";
        _finishSql = $"UPDATE {table} SET state = $3, result = $4, error = $5, finished_at = $6, lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2 AND state IN (1, 2)";
    }

    /// <summary>Validates the options, connects, creates or migrates the schema (unless turned off) and checks the rights on <c>deferred_jobs</c>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="PostgresStoreException">The server cannot be reached, the login is refused, the role lacks a right, or the schema has another version.</exception>
    public static async Task<PostgresDeferredJobStore> OpenAsync(PostgresDeferredJobStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool owns = options.DataSource is null;
        NpgsqlDataSource dataSource = options.DataSource ?? ConnectionSettings.Build(options.ConnectionString!, "AgentQuotas deferred jobs");
        try
        {
            await PostgresSchema.EnsureReadyAsync(dataSource, options.Schema, options.ApplyMigrations, NeededRights, cancellationToken).ConfigureAwait(false);
            return new PostgresDeferredJobStore(dataSource, owns, options.Schema);
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
    public async ValueTask AddAsync(DeferredJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            await ExecuteAsync(_insertSql, cancellationToken,
                Uuid(job.Id), Text(job.Kind), Text(job.Payload), Text(job.Tenant), Text(job.Principal), Small((short)job.WorkloadClass), Text(job.Workflow),
                Text(job.Tool), Text(job.Category), Float(job.Cost), Time(job.CreatedAt), Time(job.NotBefore)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"A deferred job with id {job.Id} is already stored.", e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DeferredJob?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        await ReadOneAsync(_getSql, cancellationToken, Uuid(id)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<DeferredJobClaim?> TryClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        Guid token = Guid.NewGuid();
        DeferredJob? job = await ReadOneAsync(_claimSql, cancellationToken,
            Time(now), Uuid(token), Text(InMemoryDeferredJobStore.LostWhileRunning), Time(now + lease)).ConfigureAwait(false);
        return job is null ? null : new DeferredJobClaim(job, token);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryStartAsync(Guid id, Guid token, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(_startSql, cancellationToken, Uuid(id), Uuid(token), Time(now), Time(now + lease)).ConfigureAwait(false) == 1;

    /// <inheritdoc/>
    public async ValueTask<bool> TryReleaseAsync(Guid id, Guid token, DateTimeOffset notBefore, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(_releaseSql, cancellationToken, Uuid(id), Uuid(token), Time(notBefore)).ConfigureAwait(false) == 1;

    /// <inheritdoc/>
    public async ValueTask<bool> TryFinishAsync(Guid id, Guid token, DeferredJobState outcome, string? result, string? error, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (outcome is not (DeferredJobState.Succeeded or DeferredJobState.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A job finishes as Succeeded or Failed.");
        }

        return await ExecuteAsync(_finishSql, cancellationToken, Uuid(id), Uuid(token), Small((short)outcome), Text(result), Text(error), Time(now)).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Small(short value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Smallint };

    private static NpgsqlParameter Float(double value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Double };

    private static NpgsqlParameter Time(DateTimeOffset value) => new() { Value = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) => new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static DeferredJob Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Kind = reader.GetString(1),
        Payload = reader.IsDBNull(2) ? null : reader.GetString(2),
        Tenant = reader.GetString(3),
        Principal = reader.GetString(4),
        WorkloadClass = (WorkloadClass)reader.GetInt16(5),
        Workflow = reader.IsDBNull(6) ? null : reader.GetString(6),
        Tool = reader.GetString(7),
        Category = reader.GetString(8),
        Cost = reader.GetDouble(9),
        State = (DeferredJobState)reader.GetInt16(10),
        Attempts = reader.GetInt32(11),
        CreatedAt = ReadTime(reader, 12),
        NotBefore = ReadTime(reader, 13),
        LeaseUntil = reader.IsDBNull(14) ? null : ReadTime(reader, 14),
        FinishedAt = reader.IsDBNull(15) ? null : ReadTime(reader, 15),
        Result = reader.IsDBNull(16) ? null : reader.GetString(16),
        Error = reader.IsDBNull(17) ? null : reader.GetString(17),
    };

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
            command.Parameters.AddRange(parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && PostgresErrors.IsStoreFailure(e))
        {
            throw new PostgresStoreException($"The deferred job store at {_target} failed: {PostgresErrors.Reason(e)}", e);
        }
    }

    private async Task<DeferredJob?> ReadOneAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
            command.Parameters.AddRange(parameters);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
        }
        catch (Exception e) when (e is not OperationCanceledException && PostgresErrors.IsStoreFailure(e))
        {
            throw new PostgresStoreException($"The deferred job store at {_target} failed: {PostgresErrors.Reason(e)}", e);
        }
    }
}
