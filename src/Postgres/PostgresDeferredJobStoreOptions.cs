using AgentQuotas.Postgres.Internal;
using Npgsql;

namespace AgentQuotas.Postgres;

/// <summary>Options of <see cref="PostgresDeferredJobStore"/>. Validated by <see cref="PostgresDeferredJobStore.OpenAsync"/>.</summary>
public sealed class PostgresDeferredJobStoreOptions
{
    /// <summary>An Npgsql connection string; the store builds and owns its pool. Set this or <see cref="DataSource"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A data source owned by the caller (not disposed by the store). Set this or <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>The schema holding the <c>deferred_jobs</c> table. Default <c>agentquotas</c>; same rules as <see cref="PostgresQuotaStoreOptions.Schema"/>.</summary>
    public string Schema { get; set; } = PostgresSchema.DefaultSchema;

    /// <summary>Whether opening creates or migrates the schema. Default <see langword="true"/>.</summary>
    public bool ApplyMigrations { get; set; } = true;

    internal void Validate() =>
        ConnectionSettings.Validate(ConnectionString, DataSource, Schema, nameof(ConnectionString), nameof(DataSource), nameof(Schema));
}
