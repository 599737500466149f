using AgentQuotas.Hosting;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Postgres.Tests;

/// <summary>
/// AddAgentQuotas(configuration) with AddAgentQuotasPostgres(): the store is chosen and configured from the
/// "AgentQuotas:Store" section, checked on start, and its reachability is the gate's health. These tests stop the
/// server, so they run on the outage cluster.
/// </summary>
[Collection(PostgresOutageCollection.Name)]
public sealed class HostingTests(OutageClusterFixture fixture) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aq-pg-hosting").FullName;
    private readonly FakeTimeProvider _time = TestTime.Create();
    private string _db = "";

    private string PolicyPath => Path.Combine(_dir, "agentquotas.json");

    public async Task InitializeAsync()
    {
        _db = await fixture.CreateDatabaseAsync("hosting");
        File.WriteAllText(PolicyPath, """
            { "version": "v1", "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } }, "defaultTier": "t",
              "degradation": ["Full"] }
            """);
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        if (!fixture.Cluster.IsRunning)
        {
            await fixture.Cluster.StartServerAsync(); // a failed test never leaves the next one without a server
        }
    }

    private ServiceProvider Build(params (string Key, string? Value)[] store)
    {
        var values = new Dictionary<string, string?>
        {
            ["AgentQuotas:PolicyPath"] = PolicyPath,
            ["AgentQuotas:WatchPolicyFile"] = "false",
            ["AgentQuotas:Store:Kind"] = "Postgres",
            ["AgentQuotas:Store:ConnectionString"] = _db,
        };
        foreach ((string key, string? value) in store)
        {
            values["AgentQuotas:Store:" + key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddAgentQuotas(configuration.GetSection("AgentQuotas"))
            .AddAgentQuotasPostgres()
            .BuildServiceProvider();
    }

    private static void Start(ServiceProvider services) => services.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public async Task The_store_section_selects_and_configures_the_postgres_store_which_opens_on_start()
    {
        await using ServiceProvider services = Build(("FailureMode", "LocalFallback"), ("ExpectedHosts", "2"), ("Schema", "quotas_hosted"));

        Start(services);

        QuotaGate gate = services.GetRequiredService<QuotaGate>();
        PostgresQuotaStore store = Assert.IsType<PostgresQuotaStore>(gate.Store);
        Assert.Equal(StoreFailureMode.LocalFallback, store.FailureMode);
        Assert.Equal("quotas_hosted", store.Schema);
        using (AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u")))
        {
            Assert.True(run.Acquire(new QuotaTool("search_kb", "search"), 4).IsAdmitted);
        }

        Assert.Equal(4, store.GetSpend("acme").ThisMonth);         // the durable ledger, exact (the bucket refills on the database clock)
        AgentQuotasHealthReport health = await services.GetRequiredService<AgentQuotasHealthProbe>().CheckAsync();
        Assert.Equal(AgentQuotasHealthStatus.Healthy, health.Status);
        Assert.Equal("LocalFallback", health.Data["failureMode"]);
        Assert.Equal(nameof(PostgresQuotaStore), health.Data["store"]);
    }

    [Fact]
    public void Bad_store_settings_stop_the_start_naming_each_key()
    {
        using ServiceProvider services = Build(("FailureMode", "Sometimes"), ("ExpectedHosts", "many"), ("ConectionString", "typo"));

        var e = Assert.Throws<OptionsValidationException>(() => Start(services));

        Assert.Contains("AgentQuotas:Store:FailureMode is 'Sometimes', which is not one of FailClosed, FailOpen, LocalFallback", e.Message);
        Assert.Contains("AgentQuotas:Store:ExpectedHosts is 'many', which is not a whole number", e.Message);
        Assert.Contains("AgentQuotas:Store:ConectionString is not a known setting", e.Message);
    }

    [Fact]
    public void A_store_setting_out_of_range_is_refused_with_the_stores_own_rule()
    {
        using ServiceProvider services = Build(("ConnectionString", null), ("ExpectedHosts", "0"));

        var e = Assert.Throws<OptionsValidationException>(() => Start(services));

        Assert.Contains("AgentQuotas:Store:ConnectionString: Set ConnectionString", e.Message);
    }

    [Theory]
    [InlineData(StoreFailureMode.FailClosed, AgentQuotasHealthStatus.Unhealthy)]
    [InlineData(StoreFailureMode.FailOpen, AgentQuotasHealthStatus.Degraded)]
    [InlineData(StoreFailureMode.LocalFallback, AgentQuotasHealthStatus.Degraded)]
    public async Task A_stopped_server_is_unhealthy_when_failing_closed_degraded_when_deciding_locally_and_healthy_again_once_back(
        StoreFailureMode mode, AgentQuotasHealthStatus whileDown)
    {
        await using ServiceProvider services = Build(("FailureMode", mode.ToString()), ("RetryInterval", "00:00:01"));
        Start(services);
        AgentQuotasHealthProbe probe = services.GetRequiredService<AgentQuotasHealthProbe>();
        PostgresQuotaStore store = (PostgresQuotaStore)services.GetRequiredService<QuotaGate>().Store;
        Assert.Equal(AgentQuotasHealthStatus.Healthy, (await probe.CheckAsync()).Status);

        await fixture.Cluster.StopServerAsync();
        AgentQuotasHealthReport down = await probe.CheckAsync();   // its round trip finds the server gone

        Assert.Equal(whileDown, down.Status);
        Assert.False(store.IsAvailable);
        Assert.Equal(mode.ToString(), down.Data["failureMode"]);
        Assert.Contains("cannot be reached", down.Description);
        Assert.True(down.Data.ContainsKey("reason"));
        Assert.Equal(whileDown, (await probe.CheckAsync()).Status); // not due for a retry: the known state, no wait

        await fixture.Cluster.StartServerAsync();
        _time.Advance(TimeSpan.FromSeconds(1));                     // the next check is the store's retry
        AgentQuotasHealthReport back = await probe.CheckAsync();

        Assert.Equal(AgentQuotasHealthStatus.Healthy, back.Status);
        Assert.True(store.IsAvailable);
    }
}
