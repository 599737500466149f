using System.Net;
using System.Net.Sockets;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ConnectionErrorTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await fixture.CreateDatabaseAsync("errors");

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("Hots=localhost;Database=x", "The connection string is not valid", "hots")]
    [InlineData("Host=localhost;Port=eighty", "The connection string is not valid", "")]
    [InlineData("Database=app;Username=quotas", "The connection string has no Host", "")]
    public async Task A_malformed_connection_string_is_rejected_before_any_connection(string connectionString, string message, string names)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => TestSupport.OpenStoreAsync(connectionString));
        Assert.Equal(nameof(PostgresQuotaStoreOptions.ConnectionString), e.ParamName);
        Assert.Contains(message, e.Message);
        Assert.Contains(names, e.Message, StringComparison.OrdinalIgnoreCase);

        var audit = await Assert.ThrowsAsync<ArgumentException>(() => PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = connectionString }));
        Assert.Contains(message, audit.Message);
    }

    [Fact]
    public async Task Options_are_validated_with_the_option_named()
    {
        await using NpgsqlDataSource source = NpgsqlDataSource.Create(_db);
        Assert.Contains("Set ConnectionString", (await Assert.ThrowsAsync<ArgumentException>(() => PostgresQuotaStore.OpenAsync(new PostgresQuotaStoreOptions()))).Message);
        Assert.Contains("not both", (await Assert.ThrowsAsync<ArgumentException>(() => TestSupport.OpenStoreAsync(_db, o => o.DataSource = source))).Message);
        var schema = await Assert.ThrowsAsync<ArgumentException>(() => TestSupport.OpenStoreAsync(_db, o => o.Schema = "Bad-Name"));
        Assert.Equal("Schema", schema.ParamName);
        Assert.Contains("'Bad-Name' is not valid", schema.Message);
        Assert.Equal("ExpectedHosts", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestSupport.OpenStoreAsync(_db, o => o.ExpectedHosts = 0))).ParamName);
        Assert.Equal("LeaseFraction", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestSupport.OpenStoreAsync(_db, o => o.LeaseFraction = 1.5))).ParamName);
        Assert.Equal("MaxRetryInterval", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestSupport.OpenStoreAsync(_db, o => o.MaxRetryInterval = TimeSpan.FromMilliseconds(1)))).ParamName);
        Assert.Equal("FailureMode", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TestSupport.OpenStoreAsync(_db, o => o.FailureMode = (StoreFailureMode)9))).ParamName);
        Assert.Equal("BatchSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = _db, BatchSize = 0 }))).ParamName);
    }

    [Fact]
    public async Task An_unreachable_server_fails_at_open_naming_host_and_port()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync($"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=3"));
        Assert.Contains($"Cannot reach PostgreSQL at 127.0.0.1:{closedPort}", e.Message);
        Assert.Contains("ConnectionRefused", e.Message);
        Assert.Contains("Check Host and Port", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task A_missing_database_fails_at_open_saying_so()
    {
        string missing = new NpgsqlConnectionStringBuilder(_db) { Database = "no_such_db" }.ConnectionString;
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(missing));
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("no_such_db", e.Message);
    }

    [Fact]
    public async Task A_role_without_CREATE_on_the_database_is_told_which_right_creates_the_schema()
    {
        await PostgresCluster.ExecuteAsync(_db, "CREATE ROLE no_create LOGIN");
        string asRole = new NpgsqlConnectionStringBuilder(_db) { Username = "no_create" }.ConnectionString;

        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_a"));
        Assert.Contains("Role 'no_create' cannot create schema 'quotas_a'", e.Message);
        Assert.Contains("lacks the CREATE privilege on the database", e.Message);
        Assert.Contains("GRANT CREATE ON DATABASE", e.Message);
    }

    [Fact]
    public async Task A_role_without_USAGE_on_an_existing_schema_is_told_so()
    {
        await TestSupport.OpenStoreAsync(_db, o => o.Schema = "quotas_b").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        await PostgresCluster.ExecuteAsync(_db, "CREATE ROLE no_usage LOGIN");
        string asRole = new NpgsqlConnectionStringBuilder(_db) { Username = "no_usage" }.ConnectionString;

        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_b"));
        Assert.Contains("Role 'no_usage' lacks the USAGE privilege on schema 'quotas_b'", e.Message);
        Assert.Contains("GRANT USAGE ON SCHEMA \"quotas_b\" TO \"no_usage\"", e.Message);

        var audit = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = asRole, Schema = "quotas_b" }));
        Assert.Contains("lacks the USAGE privilege", audit.Message);
    }

    [Fact]
    public async Task A_role_that_may_use_but_not_change_the_schema_works_once_migrated_and_is_told_when_a_migration_is_needed()
    {
        await TestSupport.OpenStoreAsync(_db, o => o.Schema = "quotas_c").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        await PostgresCluster.ExecuteAsync(_db, """
            CREATE ROLE app_user LOGIN;
            GRANT USAGE ON SCHEMA quotas_c TO app_user;
            GRANT SELECT, INSERT, UPDATE ON quotas_c.buckets, quotas_c.spend TO app_user;
            GRANT SELECT ON quotas_c.schema_migrations TO app_user;
            """);
        string asRole = new NpgsqlConnectionStringBuilder(_db) { Username = "app_user" }.ConnectionString;

        // Up to date: no CREATE needed; the store works.
        await using (PostgresQuotaStore store = await TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_c"))
        {
            var policy = TestSupport.Policy();
            Assert.True((await store.TryAcquireAsync(new Stores.QuotaStoreRequest(new("acme", "search"), TestSupport.Limits(policy), 1))).IsAdmitted);
        }

        // The audit table needs INSERT, which this role lacks: named at open.
        var audit = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = asRole, Schema = "quotas_c" }));
        Assert.Contains("Role 'app_user' lacks INSERT on table quotas_c.audit", audit.Message);
        Assert.Contains("GRANT INSERT ON \"quotas_c\".audit TO \"app_user\"", audit.Message);

        // A pending migration needs CREATE on the schema: named too.
        await PostgresCluster.ExecuteAsync(_db, "DELETE FROM quotas_c.schema_migrations");
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_c"));
        Assert.Contains($"Role 'app_user' cannot migrate schema 'quotas_c' from version 0 to {PostgresSchema.LatestVersion}", e.Message);
        Assert.Contains("lacks the CREATE privilege on schema 'quotas_c'", e.Message);
    }

    [Fact]
    public async Task A_role_without_table_rights_is_told_which_table_and_privilege()
    {
        await TestSupport.OpenStoreAsync(_db, o => o.Schema = "quotas_d").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        await PostgresCluster.ExecuteAsync(_db, """
            CREATE ROLE reader LOGIN;
            GRANT USAGE ON SCHEMA quotas_d TO reader;
            """);
        string asRole = new NpgsqlConnectionStringBuilder(_db) { Username = "reader" }.ConnectionString;
        var version = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_d"));
        Assert.Contains("Role 'reader' lacks SELECT on table quotas_d.schema_migrations", version.Message);

        await PostgresCluster.ExecuteAsync(_db, "GRANT SELECT ON ALL TABLES IN SCHEMA quotas_d TO reader");

        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => TestSupport.OpenStoreAsync(asRole, o => o.Schema = "quotas_d"));
        Assert.Contains("Role 'reader' lacks INSERT on table quotas_d.buckets", e.Message);
        Assert.Contains("GRANT SELECT, INSERT, UPDATE ON \"quotas_d\".buckets TO \"reader\"", e.Message);
    }
}
