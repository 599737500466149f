using AgentQuotas.Hosting;
using AgentQuotas.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentQuotas.Tests.Hosting;

public sealed class HealthTests : IDisposable
{
    private readonly HostingFixture _files = new(HostingFixture.PolicyText("v1"));

    public void Dispose() => _files.Dispose();

    private ServiceProvider Build(IQuotaStore? store = null)
    {
        var services = new ServiceCollection().AddLogging().AddAgentQuotas(_files.Section(("WatchPolicyFile", "false")));
        if (store is not null)
        {
            services.AddAgentQuotasStore("Test", _ => store);
        }

        services.AddHealthChecks().AddAgentQuotasHealthChecks(tags: ["ready"]);
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider services)
    {
        HealthReport report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        HealthReportEntry entry = report.Entries["agentquotas"];
        Assert.Contains("ready", entry.Tags);
        return entry;
    }

    [Fact]
    public async Task A_loaded_policy_and_an_in_process_store_are_healthy_with_the_policy_in_the_data()
    {
        using ServiceProvider services = Build();

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("v1", entry.Data["policyVersion"]);
        Assert.Equal(services.GetRequiredService<QuotaGate>().Policy.ContentHash, entry.Data["policyHash"]);
        Assert.Equal(_files.PolicyPath, entry.Data["policySource"]);
        Assert.Equal(nameof(InMemoryQuotaStore), entry.Data["store"]);
        Assert.Equal("Quota policy v1 is in force; the store (InMemoryQuotaStore) is reachable.", entry.Description);
    }

    [Fact]
    public async Task No_policy_in_force_is_unhealthy_with_the_reason()
    {
        File.Delete(_files.PolicyPath);
        using ServiceProvider services = Build();

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("No quota policy is in force", entry.Description);
        Assert.Contains("AgentQuotas:PolicyPath", entry.Description);
        Assert.NotNull(entry.Exception);
    }

    [Theory]
    [InlineData(QuotaStoreHealthStatus.Reachable, HealthStatus.Healthy)]
    [InlineData(QuotaStoreHealthStatus.DecidingLocally, HealthStatus.Degraded)]
    [InlineData(QuotaStoreHealthStatus.Unreachable, HealthStatus.Unhealthy)]
    public async Task The_stores_own_health_decides_reachability(QuotaStoreHealthStatus storeStatus, HealthStatus expected)
    {
        var store = new CheckableStore { Health = new QuotaStoreHealth(storeStatus, "said the store", new Dictionary<string, object> { ["failureMode"] = "Test" }) };
        using ServiceProvider services = Build(store);

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(expected, entry.Status);
        Assert.Equal(nameof(CheckableStore), entry.Data["store"]);
        Assert.Equal(storeStatus.ToString(), entry.Data["storeStatus"]);
        Assert.Equal("Test", entry.Data["failureMode"]);
        if (expected != HealthStatus.Healthy)
        {
            Assert.Contains("said the store", entry.Description);
        }
    }

    [Fact]
    public async Task A_store_whose_check_throws_counts_as_unreachable()
    {
        var store = new CheckableStore { Failure = new InvalidOperationException("boom") };
        using ServiceProvider services = Build(store);

        HealthReportEntry entry = await CheckAsync(services);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("boom", entry.Description);
    }

    [Fact]
    public async Task An_unhealthy_result_takes_the_registrations_failure_status()
    {
        File.Delete(_files.PolicyPath);
        var services = new ServiceCollection().AddLogging().AddAgentQuotas(_files.Section());
        services.AddHealthChecks().AddAgentQuotasHealthChecks("quotas", failureStatus: HealthStatus.Degraded);
        using ServiceProvider provider = services.BuildServiceProvider();

        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Entries["quotas"].Status);
    }

    [Fact]
    public async Task Without_AddAgentQuotas_the_check_says_what_is_missing()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddAgentQuotasHealthChecks();
        using ServiceProvider provider = services.BuildServiceProvider();

        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        HealthReportEntry entry = report.Entries["agentquotas"];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("call services.AddAgentQuotas", entry.Exception!.Message);
    }

    private sealed class CheckableStore : IQuotaStore, IQuotaStoreHealth
    {
        private readonly InMemoryQuotaStore _inner = new();

        public QuotaStoreHealth? Health { get; init; }

        public Exception? Failure { get; init; }

        public ValueTask<QuotaStoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default) =>
            Failure is null ? new(Health!) : ValueTask.FromException<QuotaStoreHealth>(Failure);

        public QuotaStoreResult TryAcquire(in QuotaStoreRequest request) => _inner.TryAcquire(in request);

        public void Settle(in BucketKey key, BucketLimits limits, double delta) => _inner.Settle(in key, limits, delta);

        public BucketSnapshot Peek(in BucketKey key, BucketLimits limits) => _inner.Peek(in key, limits);

        public SpendSnapshot GetSpend(string tenant) => _inner.GetSpend(tenant);
    }
}
