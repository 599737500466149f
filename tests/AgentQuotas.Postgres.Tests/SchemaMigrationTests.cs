using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaMigrationTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("migrations");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Migrating_creates_the_schema_at_the_latest_version_and_running_again_changes_nothing()
    {
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(_db);
        Assert.Equal(0, await PostgresSchema.GetVersionAsync(dataSource, "first"));

        int before = await PostgresSchema.MigrateAsync(dataSource, "first");
        Assert.Equal(0, before);
        Assert.Equal(PostgresSchema.LatestVersion, await PostgresSchema.GetVersionAsync(dataSource, "first"));

        int again = await PostgresSchema.MigrateAsync(dataSource, "first");
        Assert.Equal(PostgresSchema.LatestVersion, again);
        Assert.Equal(PostgresSchema.LatestVersion, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM first.schema_migrations"));
        long tables = await PostgresCluster.ScalarAsync<long>(_db,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'first' AND tablename IN ('buckets', 'spend', 'audit', 'schema_migrations')");
        Assert.Equal(4, tables);
    }

    [Fact]
    public async Task Hosts_starting_together_apply_the_migrations_once()
    {
        NpgsqlDataSource[] sources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(_db)).ToArray();
        try
        {
            int[] before = await Task.WhenAll(sources.Select(s => PostgresSchema.MigrateAsync(s, "together")));

            // The advisory lock serialises them: exactly one saw an empty schema.
            Assert.Equal(1, before.Count(v => v == 0));
            Assert.Equal(5, before.Count(v => v == PostgresSchema.LatestVersion));
            Assert.Equal(PostgresSchema.LatestVersion, await PostgresCluster.ScalarAsync<long>(_db, "SELECT count(*) FROM together.schema_migrations"));
        }
        finally
        {
            foreach (NpgsqlDataSource source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_schema_newer_than_the_library_is_refused_with_a_clear_message()
    {
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(_db);
        await PostgresSchema.MigrateAsync(dataSource, "newer");
        await PostgresCluster.ExecuteAsync(_db, $"INSERT INTO newer.schema_migrations (version, description) VALUES ({PostgresSchema.LatestVersion + 1}, 'from the future')");

        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresSchema.MigrateAsync(dataSource, "newer"));
        Assert.Contains($"version {PostgresSchema.LatestVersion + 1}, newer than this library knows ({PostgresSchema.LatestVersion})", e.Message);
        Assert.Contains("Upgrade AgentQuotas.Postgres", e.Message);
    }

    [Fact]
    public async Task With_migrations_off_an_unmigrated_schema_fails_at_open_saying_what_to_run()
    {
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(_db, o =>
        {
            o.Schema = "never_migrated";
            o.ApplyMigrations = false;
        }));
        Assert.Contains("Schema 'never_migrated'", e.Message);
        Assert.Contains($"is at version 0; this library needs version {PostgresSchema.LatestVersion}", e.Message);
        Assert.Contains("PostgresSchema.MigrateAsync", e.Message);
    }
}
