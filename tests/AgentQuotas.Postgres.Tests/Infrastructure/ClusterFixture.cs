using AgentQuotas.Testing;

namespace AgentQuotas.Postgres.Tests.Infrastructure;

/// <summary>One throwaway cluster per test collection; each test class asks for its own fresh database.</summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public Task<string> CreateDatabaseAsync(string prefix) => Cluster.CreateDatabaseAsync(prefix);
}

/// <summary>The cluster shared by test classes that never stop the server.</summary>
public sealed class SharedClusterFixture : ClusterFixture
{
}

/// <summary>A second cluster for tests that stop and start the server, so they never disturb the others.</summary>
public sealed class OutageClusterFixture : ClusterFixture
{
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<SharedClusterFixture>
{
    public const string Name = "postgres";
}

[CollectionDefinition(Name)]
public sealed class PostgresOutageCollection : ICollectionFixture<OutageClusterFixture>
{
    public const string Name = "postgres-outage";
}
