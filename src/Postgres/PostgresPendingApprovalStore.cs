using AgentQuotas.Postgres.Internal;
using Npgsql;
using NpgsqlTypes;

namespace AgentQuotas.Postgres;

/// <summary>
/// Pending approvals in PostgreSQL (table <c>pending_approvals</c>, schema version 6), shared by every host and the
/// <c>agentquotas approvals</c> command. Each change is one <c>UPDATE</c> guarded by the state it changes from and by
/// <c>expires_at</c>: of two operators approving at once, or two hosts resuming with one approval, exactly one succeeds.
/// Run <see cref="PostgresSchema.MigrateAsync"/> first.
/// </summary>
public sealed class PostgresPendingApprovalStore : IPendingApprovalStore, IAsyncDisposable
{
    private const string Columns =
        "id, tenant, principal, tool, category, arguments_digest, cost, run_id, requested_at, expires_at, state, decided_by, decision_reason, decided_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _table;
    private readonly string _target;

    /// <summary>Creates a store over a connection string.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema. Default <c>agentquotas</c>.</param>
    /// <exception cref="ArgumentException">The connection string or schema name is not valid.</exception>
    public PostgresPendingApprovalStore(string connectionString, string schema = PostgresSchema.DefaultSchema)
    {
        ConnectionSettings.Validate(connectionString, null, schema, nameof(connectionString), "dataSource", nameof(schema));
        _dataSource = ConnectionSettings.Build(connectionString, "AgentQuotas approvals");
        _ownsDataSource = true;
        _table = ConnectionSettings.Quote(schema) + ".pending_approvals";
        _target = ConnectionSettings.Describe(_dataSource);
    }

    /// <summary>Creates a store over a data source the caller owns.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="schema">The schema. Default <c>agentquotas</c>.</param>
    public PostgresPendingApprovalStore(NpgsqlDataSource dataSource, string schema = PostgresSchema.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ConnectionSettings.Validate(null, dataSource, schema, "connectionString", nameof(dataSource), nameof(schema));
        _dataSource = dataSource;
        _table = ConnectionSettings.Quote(schema) + ".pending_approvals";
        _target = ConnectionSettings.Describe(_dataSource);
    }

    /// <inheritdoc/>
    public async ValueTask AddAsync(PendingApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        await using NpgsqlConnection connection = await OpenAsync("filing an approval", cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {_table} ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", connection);
        command.Parameters.Add(Text(approval.Id));
        command.Parameters.Add(Text(approval.Tenant));
        command.Parameters.Add(Text(approval.Principal));
        command.Parameters.Add(Text(approval.Tool));
        command.Parameters.Add(Text(approval.Category));
        command.Parameters.Add(Text(approval.ArgumentsDigest));
        command.Parameters.Add(new NpgsqlParameter { Value = approval.Cost, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(Text(approval.RunId));
        command.Parameters.Add(Time(approval.RequestedAt));
        command.Parameters.Add(Time(approval.ExpiresAt));
        command.Parameters.Add(new NpgsqlParameter { Value = (short)approval.State, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(Text(approval.DecidedBy));
        command.Parameters.Add(Text(approval.DecisionReason));
        command.Parameters.Add(Time(approval.DecidedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"An approval with id '{approval.Id}' is already filed.", e);
        }
        catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
        {
            throw PostgresErrors.Opening(e, _target, "filing an approval");
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PendingApproval?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using NpgsqlConnection connection = await OpenAsync("reading an approval", cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<PendingApproval>> ListAsync(string? tenant, bool includeClosed, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using NpgsqlConnection connection = await OpenAsync("listing approvals", cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM {_table} WHERE ($1::text IS NULL OR tenant = $1) AND ($2 OR state = 0) ORDER BY requested_at, id LIMIT $3", connection);
        command.Parameters.Add(Text(tenant));
        command.Parameters.Add(new NpgsqlParameter { Value = includeClosed, NpgsqlDbType = NpgsqlDbType.Boolean });
        command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        return await ReadAllAsync(command, "listing approvals", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ApprovalTransition> DecideAsync(string id, bool approve, string decidedBy, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        return await ChangeAsync(id, PendingApprovalState.Pending, approve ? PendingApprovalState.Approved : PendingApprovalState.Denied, decidedBy, reason, now, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<ApprovalTransition> UseAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ChangeAsync(id, PendingApprovalState.Approved, PendingApprovalState.Used, null, null, now, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<ApprovalTransition> ChangeAsync(string id, PendingApprovalState from, PendingApprovalState to, string? decidedBy, string? reason, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        const string What = "changing an approval";
        await using NpgsqlConnection connection = await OpenAsync(What, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {_table}
            SET state = $3,
                decided_by = COALESCE($4, decided_by),
                decision_reason = COALESCE($5, decision_reason),
                decided_at = CASE WHEN $4::text IS NULL THEN decided_at ELSE $6 END
            WHERE id = $1 AND state = $2 AND expires_at > $6
            RETURNING {Columns}
            """,
            connection);
        command.Parameters.Add(Text(id));
        command.Parameters.Add(new NpgsqlParameter { Value = (short)from, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)to, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(Text(decidedBy));
        command.Parameters.Add(Text(reason));
        command.Parameters.Add(Time(now));
        IReadOnlyList<PendingApproval> changed = await ReadAllAsync(command, What, cancellationToken).ConfigureAwait(false);
        if (changed.Count == 1)
        {
            return new(ApprovalTransitionOutcome.Applied, changed[0]);
        }

        // Not changed: say why from the row as it stands now.
        PendingApproval? current = await FindAsync(connection, id, cancellationToken).ConfigureAwait(false);
        return current is null ? new(ApprovalTransitionOutcome.NotFound, null)
            : current.State != from ? new(ApprovalTransitionOutcome.Conflict, current)
            : new(ApprovalTransitionOutcome.Expired, current);
    }

    private async ValueTask<PendingApproval?> FindAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM {_table} WHERE id = $1", connection);
        command.Parameters.Add(Text(id));
        IReadOnlyList<PendingApproval> found = await ReadAllAsync(command, "reading an approval", cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
        {
            throw PostgresErrors.Opening(e, _target, what);
        }
    }

    private async ValueTask<IReadOnlyList<PendingApproval>> ReadAllAsync(NpgsqlCommand command, string what, CancellationToken cancellationToken)
    {
        var found = new List<PendingApproval>();
        try
        {
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(new PendingApproval(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    Utc(reader.GetFieldValue<DateTime>(8)), Utc(reader.GetFieldValue<DateTime>(9)), (PendingApprovalState)reader.GetInt16(10),
                    reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12),
                    reader.IsDBNull(13) ? null : Utc(reader.GetFieldValue<DateTime>(13))));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new PostgresStoreException(
                $"There is no pending_approvals table at {_target}: migrate the schema to version 6 or later (PostgresSchema.MigrateAsync) first.", e);
        }
        catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
        {
            throw PostgresErrors.Opening(e, _target, what);
        }

        return found;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { Value = (object?)value?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
