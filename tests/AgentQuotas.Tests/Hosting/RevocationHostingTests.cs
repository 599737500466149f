using AgentQuotas.Hosting;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using AgentQuotas.Trust;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentQuotas.Tests.Hosting;

/// <summary>
/// The revocation file named by RevocationPath is given to the gate and reloaded when it changes, like the policy file;
/// changes arrive when the test fires the provider's tokens.
/// </summary>
public sealed class RevocationHostingTests : IDisposable
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly AgentIdentity Alice = new("acme", "alice");
    private static readonly AgentIdentity Bob = new("acme", "bob");

    private readonly HostingFixture _files = new(HostingFixture.PolicyText("v1", capacity: 100));
    private readonly ManualFileProvider _watcher = new();

    public void Dispose() => _files.Dispose();

    private string RevocationPath => Path.Combine(_files.Directory, "revoked.json");

    private ServiceProvider Build(params (string Key, string? Value)[] settings) =>
        new ServiceCollection()
            .AddSingleton<TimeProvider>(TestTime.Create())
            .AddAgentQuotas(_files.Section([("RevocationPath", RevocationPath), .. settings]))
            .Configure<AgentQuotasOptions>(o => o.RevocationFileProvider = _watcher)
            .BuildServiceProvider();

    [Fact]
    public void A_revocation_written_by_an_operator_applies_when_the_file_changes_and_a_bad_file_keeps_the_list()
    {
        using ServiceProvider services = Build();
        QuotaGate gate = services.GetRequiredService<QuotaGate>();
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);   // no file yet: nobody revoked
        Assert.Equal(["revoked.json"], _watcher.Watched);

        RevocationFile.Write(RevocationPath, RevocationList.Empty.With("acme", "alice"));
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);   // not seen before the change event
        _watcher.Change();
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(Bob, Search, 1)).IsAdmitted);

        File.WriteAllText(RevocationPath, "{ \"tenants\": [ 42 ] }");
        _watcher.Change();
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);

        RevocationFile.Write(RevocationPath, RevocationList.Empty);
        _watcher.Change();
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);
        Assert.Equal(4, _watcher.Watched.Count);                                        // the watch is renewed after each change
    }

    [Fact]
    public void Without_watching_the_file_is_read_once_at_start()
    {
        RevocationFile.Write(RevocationPath, RevocationList.Empty.With("acme", "alice"));
        using ServiceProvider services = Build(("WatchPolicyFile", "false"));
        QuotaGate gate = services.GetRequiredService<QuotaGate>();

        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);
        Assert.Empty(_watcher.Watched);
    }

    [Fact]
    public void An_invalid_revocation_file_fails_the_start_naming_the_key()
    {
        File.WriteAllText(RevocationPath, "{ \"tenants\": [ 42 ] }");
        using ServiceProvider services = Build();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AgentQuotasOptions>>().Value);
        Assert.Contains("AgentQuotas:RevocationPath: the revocation file", e.Message);
        Assert.Contains("expected a string", e.Message);
    }
}
