using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Scheduling;

// Issue 17 item 3: pools.<name>.privileged steers privileged tools to reserved pools, and keeps other work out of them.
public class PrivilegedPoolTests
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly QuotaTool Wire = new("wire_funds", "search", isPrivileged: true);
    private const string Pools = """
        "pools": {
          "vault": { "concurrency": 1, "privileged": true },
          "shared": { "concurrency": 1 }
        }
        """;

    private readonly FakeTimeProvider _time = TestTime.Create();

    private QuotaGate Gate(string pools = Pools) =>
        PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 1000, refill: 100, extra: pools), _time);

    private static int InUse(QuotaGate gate, string pool) => gate.GetPoolStatistics().Single(p => p.Name == pool).InUse;

    [Fact]
    public void Privileged_tools_run_only_in_privileged_pools_and_other_tools_never_do()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"), WorkloadClass.Critical);

        QuotaTicket wire = run.Acquire(Wire, 1);
        QuotaTicket secondWire = run.Acquire(Wire, 1);       // the shared pool is free, but not for privileged work
        QuotaTicket search = run.Acquire(Search, 1);
        QuotaTicket secondSearch = run.Acquire(Search, 1);   // the vault is not for ordinary work, even for Critical

        Assert.True(wire.IsAdmitted);
        Assert.Equal(QuotaReason.PoolExhausted, secondWire.Decision.Reason);
        Assert.Contains("'vault' 1/1", secondWire.Decision.Detail);
        Assert.DoesNotContain("shared", secondWire.Decision.Detail);
        Assert.True(search.IsAdmitted);
        Assert.Equal(QuotaReason.PoolExhausted, secondSearch.Decision.Reason);
        Assert.Contains("'shared' 1/1", secondSearch.Decision.Detail);
        Assert.Equal((1, 1), (InUse(gate, "vault"), InUse(gate, "shared")));
    }

    [Fact]
    public async Task A_waiting_privileged_call_is_served_by_a_freed_privileged_slot_only()
    {
        using QuotaGate gate = Gate();
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket holder = run.Acquire(Wire, 1);
        QuotaTicket ordinary = run.Acquire(Search, 1);
        ValueTask<QuotaTicket> waitingWire = run.AcquireAsync(Wire, 1);
        ValueTask<QuotaTicket> waitingSearch = run.AcquireAsync(Search, 1);
        Assert.Equal(2, gate.QueuedCount);

        ordinary.Complete();                                 // a shared slot frees: the ordinary waiter gets it
        QuotaTicket search = await waitingSearch;
        Assert.True(search.IsAdmitted);
        Assert.False(waitingWire.IsCompleted);

        holder.Complete();                                   // the vault frees: now the privileged waiter runs
        QuotaTicket wire = await waitingWire;
        Assert.True(wire.IsAdmitted);
        Assert.Contains("pool 'vault'", wire.Decision.Detail);
    }

    [Fact]
    public void Without_a_privileged_pool_privileged_tools_use_the_ordinary_pools()
    {
        using QuotaGate gate = Gate("\"pools\": { \"shared\": { \"concurrency\": 1 } }");
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        Assert.True(run.Acquire(Wire, 1).IsAdmitted);
        Assert.Equal(1, InUse(gate, "shared"));
    }

    [Fact]
    public void A_privileged_pool_that_does_not_serve_the_class_refuses_and_says_why()
    {
        using QuotaGate gate = Gate("""
            "pools": { "vault": { "concurrency": 1, "privileged": true, "classes": ["Critical"] }, "shared": { "concurrency": 4 } }
            """);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"), WorkloadClass.Standard);
        QuotaTicket wire = run.Acquire(Wire, 1);
        Assert.Equal(QuotaReason.PoolExhausted, wire.Decision.Reason);
        Assert.Contains("No privileged compute pool serves the Standard class", wire.Decision.Detail);
    }

    [Fact]
    public void The_policy_reads_privileged_and_reports_bad_values_where_they_are()
    {
        QuotaPolicy policy = QuotaPolicy.Parse(With(Pools));
        Assert.Equal([true, false], policy.Pools.Select(p => p.IsPrivileged));

        string notBoolean = With("\"pools\": { \"vault\": { \"concurrency\": 1, \"privileged\": \"yes\" }, \"shared\": { \"concurrency\": 1 } }");
        PolicyError error = Single(notBoolean);
        Assert.Equal("$.pools.vault.privileged", error.Path);
        (int line, int column) = TestPolicies.Locate(notBoolean, "\"yes\"");
        Assert.Equal((line, column), (error.Line, error.Column));

        string allPrivileged = With("\"pools\": { \"vault\": { \"concurrency\": 1, \"privileged\": true } }");
        PolicyError only = Single(allPrivileged);
        Assert.Equal((PolicyErrorKind.InvalidValue, "$.pools"), (only.Kind, only.Path));
        Assert.Contains("every pool is privileged", only.Message);

        Assert.Contains("privileged", Single(With("\"pools\": { \"vault\": { \"concurrency\": 1, \"privilege\": true }, \"shared\": { \"concurrency\": 1 } }")).Message);
    }

    private static string With(string fields) => $$"""
        {
          "version": "1",
          "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } },
          "defaultTier": "t",
          {{fields}}
        }
        """;

    private static PolicyError Single(string json)
    {
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(json, "agentquotas.json"));
        return Assert.Single(e.Errors);
    }
}
