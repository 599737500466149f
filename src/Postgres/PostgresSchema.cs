using System.Reflection;
using AgentQuotas.Postgres.Internal;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>
/// Creates and migrates AgentQuotas' schema: tables <c>buckets</c>, <c>spend</c> and <c>audit</c>, the functions
/// that change them, and <c>schema_migrations</c> recording which versions are applied. Migrations are
/// versioned, run in one transaction under an advisory lock (so hosts starting together apply them once),
/// and are idempotent: running them again changes nothing.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The default schema name: <c>agentquotas</c>.</summary>
    public const string DefaultSchema = "agentquotas";

    private const string ResourcePrefix = "AgentQuotas.Postgres.Migrations.";

    private static readonly Version MinimumServerVersion = new(14, 0);

    private static readonly Lazy<IReadOnlyList<Migration>> AllMigrations = new(LoadMigrations);

    /// <summary>The schema version this library needs and creates.</summary>
    public static int LatestVersion => AllMigrations.Value[^1].Version;

    /// <summary>Creates the schema or brings it to <see cref="LatestVersion"/>.</summary>
    /// <param name="dataSource">Where; the role needs CREATE on the database (to create the schema) or on the schema (to migrate it).</param>
    /// <param name="schema">The schema name. Default <see cref="DefaultSchema"/>.</param>
    /// <param name="cancellationToken">Cancels the migration (nothing is applied then).</param>
    /// <returns>The version the schema had before (0 when it did not exist).</returns>
    /// <exception cref="PostgresStoreException">The server cannot be reached, the role lacks a privilege, or the schema is newer than this library.</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string schema = DefaultSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ConnectionSettings.Validate(null, dataSource, schema, nameof(dataSource), nameof(dataSource), nameof(schema));
        string target = ConnectionSettings.Describe(dataSource);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", cancellationToken, "agentquotas.migrations:" + schema).ConfigureAwait(false);

            Rights rights = await ReadRightsAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            string quoted = ConnectionSettings.Quote(schema);
            if (!rights.SchemaExists)
            {
                if (!rights.CreateOnDatabase)
                {
                    throw new PostgresStoreException(
                        $"Role '{rights.Role}' cannot create schema '{schema}' in database '{rights.Database}' at {target}: it lacks the CREATE privilege on the database. " +
                        $"Run 'GRANT CREATE ON DATABASE \"{rights.Database}\" TO \"{rights.Role}\"', or have an administrator run 'CREATE SCHEMA {quoted} AUTHORIZATION \"{rights.Role}\"'.");
                }

                await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {quoted}", cancellationToken).ConfigureAwait(false);
                rights = await ReadRightsAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            }

            if (!rights.UsageOnSchema)
            {
                throw MissingUsage(rights, schema, target);
            }

            if (rights.HasMigrationsTable && !rights.SelectOnMigrations)
            {
                throw MissingVersionRead(rights, schema, target);
            }

            int current = rights.HasMigrationsTable ? await ReadVersionAsync(connection, schema, cancellationToken).ConfigureAwait(false) : 0;
            if (current > LatestVersion)
            {
                throw TooNew(schema, current, target);
            }

            if (current == LatestVersion)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return current;
            }

            if (!rights.CreateOnSchema)
            {
                throw new PostgresStoreException(
                    $"Role '{rights.Role}' cannot migrate schema '{schema}' from version {current} to {LatestVersion} at {target}: it lacks the CREATE privilege on schema '{schema}'. " +
                    $"Run 'GRANT CREATE ON SCHEMA {quoted} TO \"{rights.Role}\"', or run PostgresSchema.MigrateAsync once as the schema's owner and open the store with ApplyMigrations = false.");
            }

            if (!rights.HasMigrationsTable)
            {
                await ExecuteAsync(connection,
                    $"CREATE TABLE {quoted}.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())",
                    cancellationToken).ConfigureAwait(false);
            }

            foreach (Migration migration in AllMigrations.Value)
            {
                if (migration.Version <= current)
                {
                    continue;
                }

                await ExecuteAsync(connection, migration.Sql.Replace("__schema__", quoted, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, $"INSERT INTO {quoted}.schema_migrations (version, description) VALUES ($1, $2)", cancellationToken,
                    migration.Version, migration.Description).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return current;
        }
        catch (Exception e) when (e is not OperationCanceledException && (PostgresErrors.IsStoreFailure(e) || e is PostgresStoreException))
        {
            throw PostgresErrors.Opening(e, target, $"migrating schema '{schema}'");
        }
    }

    /// <summary>Reads the schema's version: 0 when it has not been created.</summary>
    /// <param name="dataSource">Where.</param>
    /// <param name="schema">The schema name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="PostgresStoreException">The server cannot be reached or the role may not read the schema.</exception>
    public static async Task<int> GetVersionAsync(NpgsqlDataSource dataSource, string schema = DefaultSchema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ConnectionSettings.Validate(null, dataSource, schema, nameof(dataSource), nameof(dataSource), nameof(schema));
        string target = ConnectionSettings.Describe(dataSource);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            Rights rights = await ReadRightsAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            if (!rights.SchemaExists)
            {
                return 0;
            }

            if (!rights.UsageOnSchema)
            {
                throw MissingUsage(rights, schema, target);
            }

            if (rights.HasMigrationsTable && !rights.SelectOnMigrations)
            {
                throw MissingVersionRead(rights, schema, target);
            }

            return rights.HasMigrationsTable ? await ReadVersionAsync(connection, schema, cancellationToken).ConfigureAwait(false) : 0;
        }
        catch (Exception e) when (e is not OperationCanceledException && (PostgresErrors.IsStoreFailure(e) || e is PostgresStoreException))
        {
            throw PostgresErrors.Opening(e, target, $"reading the version of schema '{schema}'");
        }
    }

    /// <summary>
    /// Migrates (or checks the version, when migrations are off) and checks that the role may use the
    /// tables it needs, so a missing right fails at startup with a clear message rather than on first use.
    /// </summary>
    internal static async Task EnsureReadyAsync(NpgsqlDataSource dataSource, string schema, bool applyMigrations, IReadOnlyList<(string Table, string Privileges)> needs, CancellationToken cancellationToken)
    {
        string target = ConnectionSettings.Describe(dataSource);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (connection.PostgreSqlVersion < MinimumServerVersion)
            {
                // Older servers return extract(epoch ...) as float8, which cannot hold 100 ns ticks exactly.
                throw new PostgresStoreException(
                    $"PostgreSQL at {target} is version {connection.PostgreSqlVersion}; AgentQuotas.Postgres needs {MinimumServerVersion} or later.");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && (PostgresErrors.IsStoreFailure(e) || e is PostgresStoreException))
        {
            throw PostgresErrors.Opening(e, target, "connecting");
        }

        if (applyMigrations)
        {
            await MigrateAsync(dataSource, schema, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            int version = await GetVersionAsync(dataSource, schema, cancellationToken).ConfigureAwait(false);
            if (version != LatestVersion)
            {
                throw version > LatestVersion
                    ? TooNew(schema, version, target)
                    : new PostgresStoreException(
                        $"Schema '{schema}' at {target} is at version {version}; this library needs version {LatestVersion}. " +
                        "Run PostgresSchema.MigrateAsync with a role that has CREATE on the schema, or open with ApplyMigrations = true.");
            }
        }

        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            foreach ((string table, string privileges) in needs)
            {
                // has_table_privilege is true when ANY listed privilege is held: ask for each one.
                foreach (string privilege in privileges.Split(','))
                {
                    await using NpgsqlCommand command = connection.CreateCommand();
                    command.CommandText = "SELECT current_user::text, has_table_privilege(current_user, $1, $2)";
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ConnectionSettings.Quote(schema) + "." + table });
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = privilege });
                    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    string role = reader.GetString(0);
                    if (!reader.GetBoolean(1))
                    {
                        throw new PostgresStoreException(
                            $"Role '{role}' lacks {privilege} on table {schema}.{table} at {target} (AgentQuotas needs {privileges.Replace(",", ", ", StringComparison.Ordinal)} there). " +
                            $"Run 'GRANT {privileges.Replace(",", ", ", StringComparison.Ordinal)} ON {ConnectionSettings.Quote(schema)}.{table} TO \"{role}\"' (see docs/postgres.md, 'Rights').");
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && (PostgresErrors.IsStoreFailure(e) || e is PostgresStoreException))
        {
            throw PostgresErrors.Opening(e, target, $"checking the rights on schema '{schema}'");
        }
    }

    private static PostgresStoreException MissingUsage(Rights rights, string schema, string target) => new(
        $"Role '{rights.Role}' lacks the USAGE privilege on schema '{schema}' at {target}, so it cannot use AgentQuotas' tables. " +
        $"Run 'GRANT USAGE ON SCHEMA {ConnectionSettings.Quote(schema)} TO \"{rights.Role}\"' (see docs/postgres.md, 'Rights').");

    private static PostgresStoreException MissingVersionRead(Rights rights, string schema, string target) => new(
        $"Role '{rights.Role}' lacks SELECT on table {schema}.schema_migrations at {target}, so it cannot check the schema's version. " +
        $"Run 'GRANT SELECT ON {ConnectionSettings.Quote(schema)}.schema_migrations TO \"{rights.Role}\"' (see docs/postgres.md, 'Rights').");

    private static PostgresStoreException TooNew(string schema, int version, string target) => new(
        $"Schema '{schema}' at {target} is at version {version}, newer than this library knows ({LatestVersion}). Upgrade AgentQuotas.Postgres on this host.");

    private static async Task<Rights> ReadRightsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT current_user::text, current_database()::text,
                   has_database_privilege(current_database(), 'CREATE'),
                   n.oid IS NOT NULL,
                   n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE'),
                   n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE'),
                   m.oid IS NOT NULL,
                   m.oid IS NOT NULL AND has_table_privilege(m.oid, 'SELECT')
              FROM (SELECT 1) one
              LEFT JOIN pg_namespace n ON n.nspname = $1
              LEFT JOIN pg_class m ON m.relnamespace = n.oid AND m.relname = 'schema_migrations'
            """;
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new Rights(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5),
            reader.GetBoolean(6), reader.GetBoolean(7));
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT coalesce(max(version), 0) FROM {ConnectionSettings.Quote(schema)}.schema_migrations";
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using NpgsqlCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (object parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IReadOnlyList<Migration> LoadMigrations()
    {
        Assembly assembly = typeof(PostgresSchema).Assembly;
        var migrations = new List<Migration>();
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            // AgentQuotas.Postgres.Migrations.0001_buckets_spend_audit.sql -> version 1, "buckets spend audit"
            string file = name[ResourcePrefix.Length..^".sql".Length];
            int underscore = file.IndexOf('_', StringComparison.Ordinal);
            int version = int.Parse(file[..underscore], System.Globalization.CultureInfo.InvariantCulture);
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, file[(underscore + 1)..].Replace('_', ' '), reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (int i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migration versions must run 1, 2, 3, ... without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    private sealed record Migration(int Version, string Description, string Sql);

    private readonly record struct Rights(string Role, string Database, bool CreateOnDatabase, bool SchemaExists, bool UsageOnSchema, bool CreateOnSchema,
        bool HasMigrationsTable, bool SelectOnMigrations);
}
