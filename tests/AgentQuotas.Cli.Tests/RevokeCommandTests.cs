using AgentQuotas.Policy;
using AgentQuotas.Testing;
using AgentQuotas.Trust;

namespace AgentQuotas.Cli.Tests;

public class RevokeCommandTests
{
    [Fact]
    public async Task Revoke_and_unrevoke_edit_the_file_a_gate_reloads()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "revoked.json");
        RevocationFile file = RevocationFile.Open(path);
        QuotaPolicy policy = QuotaPolicy.Parse("""{ "version": "v1", "tiers": { "t": { "categories": { "search": { "capacity": 100, "refillPerSecond": 1 } } } }, "defaultTier": "t" }""");
        using var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = TestTime.Create(), Revocations = file });
        var search = new QuotaTool("search_kb", "search");

        var (exit, output, error) = await CliHarness.RunAsync("revoke", path, "--tenant", "acme", "--principal", "alice");
        Assert.Equal((ExitCodes.Success, string.Empty), (exit, error));
        Assert.Contains("revoked principal 'alice' of tenant 'acme'", output);
        Assert.Null(file.Reload());
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(new AgentIdentity("acme", "alice"), search, 1)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("acme", "bob"), search, 1)).IsAdmitted);

        (exit, output, _) = await CliHarness.RunAsync("revoke", path, "--tenant", "globex");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Null(file.Reload());
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(new AgentIdentity("globex", "carol"), search, 1)).Reason);

        (exit, output, _) = await CliHarness.RunAsync("unrevoke", path, "--tenant", "acme", "--principal", "alice");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("unrevoked principal 'alice' of tenant 'acme'", output);
        Assert.Null(file.Reload());
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("acme", "alice"), search, 1)).IsAdmitted);
        Assert.True(file.Current.IsTenantRevoked("globex"));
    }

    [Fact]
    public async Task Revoking_twice_changes_nothing()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "revoked.json");
        await CliHarness.RunAsync("revoke", path, "--tenant", "acme");
        string before = File.ReadAllText(path);

        var (exit, output, _) = await CliHarness.RunAsync("revoke", path, "--tenant", "acme");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("already revoked", output);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public async Task An_invalid_file_or_identity_is_refused_and_the_file_is_left_alone()
    {
        using var dir = new TempDir();
        string broken = dir.File("revoked.json", "{ \"tenant\": [\"acme\"] }");

        var (exit, _, error) = await CliHarness.RunAsync("revoke", broken, "--tenant", "globex");
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("(1,3): error: UnknownField at $.tenant", error);
        Assert.Equal("{ \"tenant\": [\"acme\"] }", File.ReadAllText(broken));

        string fresh = Path.Combine(dir.Path, "fresh.json");
        (exit, _, error) = await CliHarness.RunAsync("revoke", fresh, "--tenant", "acme", "--principal", "bad\u0001id");
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("principal", error);
        Assert.False(File.Exists(fresh));
    }

    [Fact]
    public async Task The_tenant_is_required()
    {
        using var dir = new TempDir();
        var (exit, _, _) = await CliHarness.RunAsync("revoke", Path.Combine(dir.Path, "r.json"));
        Assert.NotEqual(ExitCodes.Success, exit);
    }
}
