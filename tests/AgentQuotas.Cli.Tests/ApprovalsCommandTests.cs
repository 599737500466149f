using AgentQuotas.Postgres;
using AgentQuotas.Testing;
using Npgsql;

namespace AgentQuotas.Cli.Tests;

/// <summary>One throwaway PostgreSQL cluster for the class; each test gets its own database.</summary>
public sealed class ApprovalsClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

// `agentquotas approvals list|approve|deny` against a throwaway PostgreSQL cluster.
public sealed class ApprovalsCommandTests(ApprovalsClusterFixture fixture) : IAsyncLifetime, IClassFixture<ApprovalsClusterFixture>
{
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await fixture.Cluster.CreateDatabaseAsync("cli_approvals");
        await using NpgsqlDataSource source = NpgsqlDataSource.Create(_db);
        await PostgresSchema.MigrateAsync(source);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<PendingApproval> FileAsync(string id, string tenant = "acme", TimeSpan? expiresIn = null)
    {
        await using var store = new PostgresPendingApprovalStore(_db);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var approval = new PendingApproval(id, tenant, "user-42", "issue_refund", "payments", "0123456789abcdef", 2, "run-1",
            now - TimeSpan.FromMinutes(1), now + (expiresIn ?? TimeSpan.FromHours(1)));
        await store.AddAsync(approval, default);
        return approval;
    }

    private async Task<PendingApproval> ReadAsync(string id)
    {
        await using var store = new PostgresPendingApprovalStore(_db);
        return (await store.FindAsync(id, default))!;
    }

    [Fact]
    public async Task List_shows_pending_approvals_and_filters_by_tenant()
    {
        await FileAsync("ap-1");
        await FileAsync("ap-2", tenant: "globex");

        (int exit, string output, string err) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db);
        (int exitAcme, string acme, _) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db, "--tenant", "acme");

        Assert.Equal((0, ""), (exit, err));
        Assert.Contains("ap-1", output);
        Assert.Contains("ap-2", output);
        Assert.Contains("issue_refund", output);
        Assert.Contains("0123456789ab", output);
        Assert.Contains("Pending", output);
        Assert.Equal(0, exitAcme);
        Assert.Contains("ap-1", acme);
        Assert.DoesNotContain("ap-2", acme);
    }

    [Fact]
    public async Task Approve_records_the_operator_once_and_a_second_approver_is_told_it_is_decided()
    {
        await FileAsync("ap-approve");

        (int exit, string output, _) = await CliHarness.RunAsync("approvals", "approve", "ap-approve", "--postgres", _db, "--operator", "ops-alice", "--reason", "checked");
        (int again, _, string err) = await CliHarness.RunAsync("approvals", "approve", "ap-approve", "--postgres", _db, "--operator", "ops-bob");
        (_, string pending, _) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db);
        (_, string everything, _) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db, "--all");

        Assert.Equal(0, exit);
        Assert.Contains("approved ap-approve: issue_refund for acme/user-42 as ops-alice", output);
        Assert.Equal(1, again);
        Assert.Contains("Approval 'ap-approve' is already approved by ops-alice; nothing changed.", err);
        PendingApproval stored = await ReadAsync("ap-approve");
        Assert.Equal((PendingApprovalState.Approved, "ops-alice", "checked"), (stored.State, stored.DecidedBy, stored.DecisionReason));
        Assert.Contains("no pending approvals", pending);
        Assert.Contains("ops-alice", everything);
    }

    [Fact]
    public async Task Deny_needs_a_reason_and_records_it()
    {
        await FileAsync("ap-deny");

        (int noReason, _, string err) = await CliHarness.RunAsync("approvals", "deny", "ap-deny", "--postgres", _db, "--operator", "ops-bob");
        (int exit, string output, _) = await CliHarness.RunAsync("approvals", "deny", "ap-deny", "--postgres", _db, "--operator", "ops-bob", "--reason", "over the limit");

        Assert.NotEqual(0, noReason);
        Assert.Contains("--reason", err);
        Assert.Equal(0, exit);
        Assert.Contains("denied ap-deny", output);
        PendingApproval stored = await ReadAsync("ap-deny");
        Assert.Equal((PendingApprovalState.Denied, "ops-bob", "over the limit"), (stored.State, stored.DecidedBy, stored.DecisionReason));
    }

    [Fact]
    public async Task Unknown_and_expired_approvals_are_refused_with_a_reason()
    {
        await FileAsync("ap-old", expiresIn: TimeSpan.FromSeconds(-30));

        (int missing, _, string missingErr) = await CliHarness.RunAsync("approvals", "approve", "ap-none", "--postgres", _db, "--operator", "ops-alice");
        (int expired, _, string expiredErr) = await CliHarness.RunAsync("approvals", "approve", "ap-old", "--postgres", _db, "--operator", "ops-alice");
        (_, string listed, _) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db);
        (int badLimit, _, string limitErr) = await CliHarness.RunAsync("approvals", "list", "--postgres", _db, "--limit", "0");

        Assert.Equal((1, "There is no approval 'ap-none'."), (missing, missingErr.Trim()));
        Assert.Equal(1, expired);
        Assert.Contains("expired at", expiredErr);
        Assert.Contains("The caller must ask again.", expiredErr);
        Assert.Contains("Expired", listed);
        Assert.Equal(1, badLimit);
        Assert.Contains("--limit must be between 1 and 10000", limitErr);
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_as_unavailable()
    {
        (int exit, _, string err) = await CliHarness.RunAsync("approvals", "list", "--postgres", "Host=127.0.0.1;Port=1;Username=x;Timeout=2");
        Assert.Equal(2, exit);
        Assert.Contains("127.0.0.1:1", err);
    }
}
