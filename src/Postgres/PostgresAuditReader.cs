using System.Runtime.CompilerServices;
using AgentQuotas.Audit;
using AgentQuotas.Postgres.Internal;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>Reads back the audit records <see cref="PostgresAuditSink"/> wrote, oldest first.</summary>
public static class PostgresAuditReader
{
    /// <summary>Streams audit records in time order, optionally for one tenant and from a point in time.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the <c>audit</c> table. Default <c>agentquotas</c>.</param>
    /// <param name="tenant">Only this tenant's records, or <see langword="null"/> for all.</param>
    /// <param name="since">Only records at or after this time, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The records.</returns>
    /// <exception cref="ArgumentException">The connection string or schema name is not valid.</exception>
    /// <exception cref="PostgresStoreException">The server cannot be reached, the login or SELECT on the audit table is refused, or the table does not exist.</exception>
    public static async IAsyncEnumerable<QuotaAuditRecord> ReadAsync(
        string connectionString,
        string schema = PostgresSchema.DefaultSchema,
        string? tenant = null,
        DateTimeOffset? since = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ConnectionSettings.Validate(connectionString, null, schema, nameof(connectionString), "dataSource", nameof(schema));
        await using NpgsqlDataSource dataSource = ConnectionSettings.Build(connectionString, "AgentQuotas audit reader");
        string target = ConnectionSettings.Describe(dataSource);
        NpgsqlConnection connection;
        NpgsqlDataReader reader;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
        {
            throw PostgresErrors.Opening(e, target, "connecting");
        }

        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(
                $"""
                SELECT recorded_at, tenant, principal, workflow, run_id, workload_class, tool, category, planned_cost,
                       actual_cost, decision, reason, mode, queue_wait_ms, policy_version, detail, policy_hash
                FROM {ConnectionSettings.Quote(schema)}.audit
                WHERE ($1::text IS NULL OR tenant = $1) AND ($2::timestamptz IS NULL OR recorded_at >= $2)
                ORDER BY recorded_at, id
                """,
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)since?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            try
            {
                reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                throw new PostgresStoreException(
                    $"There is no audit table in schema '{schema}' at {target}: nothing has been recorded there by PostgresAuditSink (check the schema name).", e);
            }
            catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
            {
                throw PostgresErrors.Opening(e, target, $"reading {schema}.audit");
            }

            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return new QuotaAuditRecord
                    {
                        Timestamp = new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero),
                        Tenant = reader.GetString(1),
                        Principal = reader.GetString(2),
                        Workflow = reader.IsDBNull(3) ? null : reader.GetString(3),
                        RunId = reader.IsDBNull(4) ? null : reader.GetString(4),
                        WorkloadClass = ParseName<WorkloadClass>(reader.GetString(5), "workload_class"),
                        Tool = reader.GetString(6),
                        Category = reader.GetString(7),
                        PlannedCost = reader.GetDouble(8),
                        ActualCost = reader.IsDBNull(9) ? null : reader.GetDouble(9),
                        Decision = ParseName<AuditDecision>(reader.GetString(10), "decision"),
                        Reason = ParseName<QuotaReason>(reader.GetString(11), "reason"),
                        Mode = ParseName<DegradationMode>(reader.GetString(12), "mode"),
                        QueueWait = TimeSpan.FromMilliseconds(reader.GetDouble(13)),
                        PolicyVersion = reader.GetString(14),
                        Detail = reader.IsDBNull(15) ? null : reader.GetString(15),
                        PolicyHash = reader.IsDBNull(16) ? null : reader.GetString(16),
                    };
                }
            }
        }
    }

    private static T ParseName<T>(string value, string column)
        where T : struct, Enum =>
        Enum.TryParse(value, ignoreCase: false, out T parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new FormatException($"The audit table holds '{value}' in column {column}, which this version of AgentQuotas does not know; upgrade the reader.");
}
