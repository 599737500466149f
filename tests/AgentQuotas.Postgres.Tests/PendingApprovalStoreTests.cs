using AgentQuotas.Policy;
using AgentQuotas.Postgres.Tests.Infrastructure;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace AgentQuotas.Postgres.Tests;

// Issue 17 item 3 on PostgreSQL: approvals filed on one host are decided and used from any other, exactly once.
[Collection(PostgresCollection.Name)]
public sealed class PendingApprovalStoreTests(SharedClusterFixture fixture) : IAsyncLifetime
{
    private const string PolicyJson = """
        { "version": "v1", "defaultTier": "standard",
          "tiers": { "standard": { "categories": { "payments": { "capacity": 100, "refillPerSecond": 1 } } } } }
        """;

    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Refund = new("issue_refund", "payments", isPrivileged: true, requiresApproval: true);
    private static readonly Dictionary<string, object?> Args = new() { ["orderId"] = "o-17", ["amount"] = 120.5m };

    private readonly FakeTimeProvider _time = TestTime.Create();
    private string _db = "";
    private NpgsqlDataSource _hostA = null!;
    private NpgsqlDataSource _hostB = null!;

    public async Task InitializeAsync()
    {
        _db = await fixture.CreateDatabaseAsync("approvals");
        _hostA = NpgsqlDataSource.Create(_db);
        _hostB = NpgsqlDataSource.Create(_db);
        await PostgresSchema.MigrateAsync(_hostA);
    }

    public async Task DisposeAsync()
    {
        await _hostA.DisposeAsync();
        await _hostB.DisposeAsync();
    }

    private ApprovalBroker Broker(NpgsqlDataSource host) =>
        new(new PostgresPendingApprovalStore(host), new ApprovalBrokerOptions { TimeProvider = _time, Expiry = TimeSpan.FromMinutes(30) });

    private QuotaGate Gate(ApprovalBroker broker) =>
        new(QuotaPolicy.Parse(PolicyJson), new QuotaGateOptions { TimeProvider = _time, ApprovalService = broker });

    [Fact]
    public async Task An_approval_filed_on_one_host_is_listed_approved_and_used_from_another_and_survives_the_broker()
    {
        ApprovalBroker a = Broker(_hostA);
        PendingApproval handle;
        using (QuotaGate gate = Gate(a))
        using (AgentRun run = gate.BeginRun(Acme))
        {
            handle = (await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.For(Args))).Decision.Approval!;
        }

        ApprovalBroker b = Broker(_hostB); // another host, a fresh broker: the approval lives in PostgreSQL
        PendingApproval listed = Assert.Single(await b.Store.ListAsync("acme", includeClosed: false, 10, default));
        Assert.Equal((handle.Id, handle.Tool, handle.ArgumentsDigest, handle.Tenant, handle.Principal, handle.ExpiresAt),
            (listed.Id, listed.Tool, listed.ArgumentsDigest, listed.Tenant, listed.Principal, listed.ExpiresAt));
        Assert.Equal(ApprovalTransitionOutcome.Applied, (await b.ApproveAsync(handle.Id, "ops-alice", "checked")).Outcome);

        using QuotaGate gateB = Gate(b);
        using AgentRun resumed = gateB.BeginRun(Acme);
        QuotaTicket ticket = await resumed.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
        Assert.True(ticket.IsAdmitted);
        PendingApproval used = (await a.Store.FindAsync(handle.Id, default))!;
        Assert.Equal((PendingApprovalState.Used, "ops-alice", "checked"), (used.State, used.DecidedBy, used.DecisionReason));
        Assert.Empty(await b.Store.ListAsync("acme", includeClosed: false, 10, default));
    }

    [Fact]
    public async Task Two_hosts_racing_to_approve_and_to_resume_each_succeed_exactly_once()
    {
        ApprovalBroker a = Broker(_hostA);
        ApprovalBroker b = Broker(_hostB);
        using QuotaGate gateA = Gate(a);
        using QuotaGate gateB = Gate(b);
        for (int round = 0; round < 5; round++)
        {
            PendingApproval handle;
            using (AgentRun run = gateA.BeginRun(Acme))
            {
                handle = (await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.For(Args))).Decision.Approval!;
            }

            using var start = new Barrier(8);
            ApprovalTransition[] decided = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.SignalAndWait();
                return i % 2 == 0 ? await a.ApproveAsync(handle.Id, "ops-" + i) : await b.ApproveAsync(handle.Id, "ops-" + i);
            })));
            using var resume = new Barrier(8);
            bool[] admitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                using AgentRun run = (i % 2 == 0 ? gateA : gateB).BeginRun(Acme);
                resume.SignalAndWait();
                QuotaTicket ticket = await run.AcquirePrivilegedAsync(Refund, 1, ApprovalBinding.Resume(handle, Args));
                Assert.True(ticket.IsAdmitted || ticket.Decision.Reason == QuotaReason.ApprovalAlreadyUsed, ticket.Decision.ToString());
                return ticket.IsAdmitted;
            })));

            Assert.Single(decided, d => d.Applied);
            Assert.All(decided.Where(d => !d.Applied), d => Assert.Equal(ApprovalTransitionOutcome.Conflict, d.Outcome));
            Assert.Single(admitted, x => x);
        }
    }

    [Fact]
    public async Task Deny_and_expiry_hold_in_the_database()
    {
        var store = new PostgresPendingApprovalStore(_hostA);
        DateTimeOffset now = _time.GetUtcNow();
        var denied = new PendingApproval("p-deny", "acme", "user-42", "issue_refund", "payments", "d1", 1, null, now, now.AddMinutes(5));
        var expiring = new PendingApproval("p-expire", "acme", "user-42", "issue_refund", "payments", "d1", 1, null, now, now.AddMinutes(5));
        await store.AddAsync(denied, default);
        await store.AddAsync(expiring, default);

        ApprovalTransition deny = await store.DecideAsync("p-deny", approve: false, "ops-bob", "no", now, default);
        ApprovalTransition useDenied = await store.UseAsync("p-deny", now, default);
        ApprovalTransition late = await store.DecideAsync("p-expire", approve: true, "ops-bob", null, now.AddMinutes(5), default);
        ApprovalTransition missing = await store.DecideAsync("p-none", approve: true, "ops-bob", null, now, default);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.AddAsync(denied, default));

        Assert.Equal((ApprovalTransitionOutcome.Applied, PendingApprovalState.Denied, "ops-bob"), (deny.Outcome, deny.Approval!.State, deny.Approval.DecidedBy));
        Assert.Equal(ApprovalTransitionOutcome.Conflict, useDenied.Outcome);
        Assert.Equal((ApprovalTransitionOutcome.Expired, PendingApprovalState.Pending), (late.Outcome, late.Approval!.State));
        Assert.Equal(ApprovalTransitionOutcome.NotFound, missing.Outcome);
        Assert.Equal(2, (await store.ListAsync(null, includeClosed: true, 10, default)).Count);
        Assert.Equal("p-expire", Assert.Single(await store.ListAsync(null, includeClosed: false, 10, default)).Id);
    }
}
