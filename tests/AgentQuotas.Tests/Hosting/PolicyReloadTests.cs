using AgentQuotas.Hosting;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Hosting;

/// <summary>
/// The policy file's changes arrive as change tokens of the file provider; here a provider whose tokens fire when the
/// test says, and a fake clock for the reload delay, so every step is deterministic.
/// </summary>
public sealed class PolicyReloadTests : IDisposable
{
    private readonly HostingFixture _files = new(HostingFixture.PolicyText("v1"));
    private readonly ManualFileProvider _watcher = new();
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly ServiceProvider _services;

    public PolicyReloadTests()
    {
        _services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddAgentQuotas(_files.Section(("PolicyReloadDelay", "00:00:00.250")))
            .Configure<AgentQuotasOptions>(o => o.PolicyFileProvider = _watcher)
            .BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _files.Dispose();
    }

    private QuotaGate Gate => _services.GetRequiredService<QuotaGate>();

    [Fact]
    public void A_changed_file_is_reloaded_after_the_delay_once_writes_stop()
    {
        QuotaGate gate = Gate;
        Assert.Equal(["agentquotas.json"], _watcher.Watched);

        File.WriteAllText(_files.PolicyPath, HostingFixture.PolicyText("v2"));
        _watcher.Change();
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("v1", gate.Policy.Version);            // not yet: editors write in bursts

        _watcher.Change();                                  // another write restarts the delay
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("v1", gate.Policy.Version);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal("v2", gate.Policy.Version);
        Assert.True(gate.PolicyProvider.LastReload!.Succeeded);
        Assert.Equal(3, _watcher.Watched.Count);            // the watch is renewed after each change
    }

    [Fact]
    public async Task A_bad_file_keeps_the_old_policy_is_reported_by_health_and_a_fixed_file_recovers()
    {
        QuotaGate gate = Gate;
        AgentQuotasHealthProbe probe = _services.GetRequiredService<AgentQuotasHealthProbe>();

        File.WriteAllText(_files.PolicyPath, HostingFixture.PolicyText("v2", capacity: -1));
        _watcher.Change();
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal("v1", gate.Policy.Version);
        PolicyReloadResult failed = gate.PolicyProvider.LastReload!;
        Assert.False(failed.Succeeded);
        AgentQuotasHealthReport degraded = await probe.CheckAsync();
        Assert.Equal(AgentQuotasHealthStatus.Degraded, degraded.Status);
        Assert.Equal("v1", degraded.Data["policyVersion"]);
        Assert.Contains("capacity", (string)degraded.Data["lastReloadError"]);
        Assert.StartsWith("The last policy reload failed, so policy v1 stays in force", degraded.Description);

        File.WriteAllText(_files.PolicyPath, HostingFixture.PolicyText("v3"));
        _watcher.Change();
        _time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal("v3", gate.Policy.Version);
        AgentQuotasHealthReport healthy = await probe.CheckAsync();
        Assert.Equal(AgentQuotasHealthStatus.Healthy, healthy.Status);
        Assert.False(healthy.Data.ContainsKey("lastReloadError"));
    }

    [Fact]
    public void Without_watching_no_change_is_listened_to()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddAgentQuotas(_files.Section(("WatchPolicyFile", "false")))
            .Configure<AgentQuotasOptions>(o => o.PolicyFileProvider = _watcher)
            .BuildServiceProvider();
        QuotaGate gate = services.GetRequiredService<QuotaGate>();

        File.WriteAllText(_files.PolicyPath, HostingFixture.PolicyText("v2"));
        _watcher.Change();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(_watcher.Watched);
        Assert.Equal("v1", gate.Policy.Version);
    }

    [Fact]
    public void The_default_watcher_is_a_physical_file_provider_disposed_with_the_container()
    {
        // The one test on the real file system's events: it only checks the provider is set up and torn down, without
        // waiting for an event (QuotaPolicyProviderTests.Watching_reloads_when_the_file_changes waits for one).
        var services = new ServiceCollection()
            .AddAgentQuotas(_files.PolicyPath)
            .BuildServiceProvider();
        QuotaPolicyProvider provider = services.GetRequiredService<QuotaPolicyProvider>();
        Assert.Equal("v1", provider.Current.Version);
        services.Dispose();
        provider.Dispose(); // idempotent
    }
}
