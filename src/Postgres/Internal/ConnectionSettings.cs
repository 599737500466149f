using System.Text.RegularExpressions;
using Npgsql;

namespace AgentQuotas.Postgres.Internal;

/// <summary>Validates connection settings shared by the store and the audit sink, and builds data sources.</summary>
internal static partial class ConnectionSettings
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();

    public static void Validate(string? connectionString, NpgsqlDataSource? dataSource, string? schema, string connectionStringName, string dataSourceName, string schemaName)
    {
        if (connectionString is null && dataSource is null)
        {
            throw new ArgumentException($"Set {connectionStringName} (an Npgsql connection string such as 'Host=localhost;Database=app;Username=quotas') or {dataSourceName}.", connectionStringName);
        }

        if (connectionString is not null && dataSource is not null)
        {
            throw new ArgumentException($"Set {connectionStringName} or {dataSourceName}, not both.", connectionStringName);
        }

        if (connectionString is not null)
        {
            NpgsqlConnectionStringBuilder parsed = Parse(connectionString, connectionStringName);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                throw new ArgumentException($"The connection string has no Host: name the PostgreSQL server (for example 'Host=localhost;...').", connectionStringName);
            }
        }

        if (schema is null || !SchemaName().IsMatch(schema) || schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The schema name '{schema}' is not valid: use a lower-case identifier of letters, digits and underscores, at most 63 characters, not starting with a digit or 'pg_'.",
                schemaName);
        }
    }

    public static NpgsqlConnectionStringBuilder Parse(string connectionString, string parameterName)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"The connection string is not valid: {e.Message}", parameterName, e);
        }
    }

    /// <summary>Builds a pool from a validated connection string, with statement auto-preparation on unless configured.</summary>
    public static NpgsqlDataSource Build(string connectionString, string applicationName)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        NpgsqlConnectionStringBuilder settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 16; // the same few statements run all day: let the server plan them once
        }

        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = applicationName;
        }

        return builder.Build();
    }

    /// <summary>"host:port/database as user" for messages; never includes the password.</summary>
    public static string Describe(NpgsqlDataSource dataSource)
    {
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return $"{settings.Host}:{settings.Port}/{settings.Database ?? settings.Username} as '{settings.Username}'";
    }

    /// <summary>The schema name quoted for SQL (validated names need no escaping, but quoting keeps it exact).</summary>
    public static string Quote(string schema) => "\"" + schema + "\"";
}
