using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Policy;

public sealed class QuotaPolicyProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aq-reload").FullName;

    private string PolicyPath => Path.Combine(_dir, "agentquotas.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string PolicyText(string version, double capacity) => $$"""
        { "version": "{{version}}", "tiers": { "t": { "categories": { "search": { "capacity": {{capacity}}, "refillPerSecond": 1 } } } }, "defaultTier": "t" }
        """;

    [Fact]
    public void A_bad_file_keeps_the_old_policy_in_force_and_says_why()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);
        QuotaPolicy v1 = provider.Current;

        string broken = PolicyText("v2", -1);
        File.WriteAllText(PolicyPath, broken);
        PolicyReloadResult result = provider.Reload();

        Assert.False(result.Succeeded);
        Assert.Same(v1, provider.Current);
        Assert.Same(v1, result.InForce);
        PolicyError error = Assert.Single(result.Errors);
        Assert.Equal(PolicyErrorKind.InvalidValue, error.Kind);
        Assert.Equal(TestPolicies.Locate(broken, "-1"), (error.Line, error.Column));
        Assert.Contains("capacity", result.Failure);
        Assert.Same(result, provider.LastReload);
    }

    [Fact]
    public void A_valid_file_applies_as_a_whole()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);
        QuotaPolicy v1 = provider.Current;

        File.WriteAllText(PolicyPath, PolicyText("v2", 50));
        PolicyReloadResult result = provider.Reload();

        Assert.True(result.Succeeded);
        Assert.Same(v1, result.Previous);
        Assert.Equal("v2", provider.Current.Version);
        Assert.Equal(50, provider.Current.Tiers["t"].Categories["search"].Capacity);
    }

    [Fact]
    public void A_missing_file_keeps_the_old_policy()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);
        File.Delete(PolicyPath);

        PolicyReloadResult result = provider.Reload();

        Assert.False(result.Succeeded);
        Assert.Equal("v1", provider.Current.Version);
        Assert.Contains("could not be read", result.Failure);
    }

    [Fact]
    public void Gate_decisions_use_the_reloaded_policy_and_keep_bucket_levels()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        var time = TestTime.Create();
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);
        using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = time });
        var identity = new AgentIdentity("acme", "u1");
        var tool = new QuotaTool("search_kb", "search");

        Assert.Equal("v1", gate.TryAcquire(new QuotaRequest(identity, tool, 8)).PolicyVersion);

        File.WriteAllText(PolicyPath, PolicyText("v2", 100));
        Assert.True(provider.Reload().Succeeded);

        // 2 units were left under v1; the new capacity does not refill the bucket by itself.
        QuotaDecision denied = gate.TryAcquire(new QuotaRequest(identity, tool, 5));
        Assert.False(denied.IsAdmitted);
        Assert.Equal("v2", denied.PolicyVersion);
        Assert.Equal(2, denied.Remaining, 6);

        time.Advance(90);
        Assert.True(gate.TryAcquire(new QuotaRequest(identity, tool, 92)).IsAdmitted); // grows to the new capacity
    }

    [Fact]
    public async Task Watching_reloads_when_the_file_changes()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        var reloaded = new TaskCompletionSource<PolicyReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath, new QuotaPolicyProviderOptions
        {
            WatchForChanges = true,
            DebounceDelay = TimeSpan.FromMilliseconds(20),
            OnReloaded = r =>
            {
                if (r.InForce.Version == "v2")
                {
                    reloaded.TrySetResult(r);
                }

                return ValueTask.CompletedTask;
            },
        });

        File.WriteAllText(PolicyPath, PolicyText("v2", 20));

        // Waits for the event, bounded so a broken watcher fails the test instead of hanging it.
        PolicyReloadResult result = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded);
        Assert.Equal("v2", provider.Current.Version);
    }

    [Fact]
    public void A_fixed_provider_cannot_reload_from_disk()
    {
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromPolicy(TestPolicies.Simple());
        Assert.Throws<InvalidOperationException>(() => provider.Reload());
        Assert.True(provider.Apply(TestPolicies.Simple(version: "v9")).Succeeded);
        Assert.Equal("v9", provider.Current.Version);
    }
}
