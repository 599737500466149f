using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Stores;
using AgentQuotas.Testing;
using AgentQuotas.Trust;

namespace AgentQuotas.Tests.Trust;

public sealed class RevocationAndPrincipalTests : IDisposable
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private static readonly QuotaTool Drafting = new("search_kb", "search", hasFallback: true);
    private static readonly AgentIdentity Alice = new("acme", "alice");
    private static readonly AgentIdentity Bob = new("acme", "bob");
    private static readonly AgentIdentity Carol = new("globex", "carol");

    private readonly string _dir = Directory.CreateTempSubdirectory("aq-revoke").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_principal_revoked_by_the_policy_is_refused_and_audited_while_the_tenants_other_principals_run()
    {
        var audit = new InMemoryAuditSink();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 100, extra: "\"revoked\": { \"principals\": { \"acme\": [\"alice\"] } }");
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create(), o => o.AuditSink = audit);

        QuotaDecision alice = gate.TryAcquire(new QuotaRequest(Alice, Drafting, 1));
        QuotaDecision bob = gate.TryAcquire(new QuotaRequest(Bob, Search, 1));

        Assert.False(alice.IsAdmitted);
        Assert.Equal(QuotaReason.Revoked, alice.Reason);
        Assert.Equal(DegradationMode.Rejected, alice.Mode);          // no draft for a revoked principal
        Assert.Contains("other principals are not affected", alice.Detail);
        Assert.True(bob.IsAdmitted);
        QuotaAuditRecord record = audit.Snapshot()[0];
        Assert.Equal((AuditDecision.Denied, QuotaReason.Revoked, "alice"), (record.Decision, record.Reason, record.Principal));
        Assert.Equal(100, gate.Store.Peek(new("acme", "search"), policy.Tiers["standard"].Categories["search"].Limits).Available + 1); // only bob's unit taken
    }

    [Fact]
    public void A_revoked_tenant_refuses_every_principal_and_its_runs_iterations()
    {
        QuotaPolicy policy = TestPolicies.Simple(extra: "\"revoked\": { \"tenants\": [\"acme\"] }");
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create());

        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Bob, Search, 1)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(Carol, Search, 1)).IsAdmitted);
        using AgentRun run = gate.BeginRun(Alice);
        Assert.Equal(QuotaReason.Revoked, run.TryBeginIteration().Reason);
    }

    [Fact]
    public void The_revocation_file_applies_atomically_on_reload_and_unrevoke_restores_the_principal()
    {
        string path = Path.Combine(_dir, "revoked.json");
        RevocationFile file = RevocationFile.Open(path);                 // no file yet: nobody revoked
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 100), TestTime.Create(), o => o.Revocations = file);
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);

        RevocationFile.Write(path, file.Current.With("acme", "alice"));
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);  // not yet reloaded
        Assert.Null(file.Reload());
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(Bob, Search, 1)).IsAdmitted);

        File.WriteAllText(path, "{ \"tenants\": [ 42 ] }");
        Assert.Contains("expected a string", file.Reload());                         // a bad file keeps the list in force
        Assert.Equal(QuotaReason.Revoked, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);

        RevocationFile.Write(path, file.Current.Without("acme", "alice"));
        Assert.Null(file.Reload());
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);
    }

    [Fact]
    public void A_revocation_list_round_trips_through_its_file_format()
    {
        RevocationList list = RevocationList.Empty.With("acme", "alice").With("acme", "bob").With("globex");

        RevocationList back = RevocationList.Parse(list.ToJson());

        Assert.True(back.IsRevoked("acme", "alice"));
        Assert.True(back.IsRevoked("acme", "bob"));
        Assert.False(back.IsRevoked("acme", "carol"));
        Assert.True(back.IsRevoked("globex", "anyone"));
        Assert.Equal(list.ToJson(), back.ToJson());
        Assert.False(back.Without("acme", "bob").IsRevoked("acme", "bob"));
    }

    [Fact]
    public void A_principal_share_throttles_one_principal_while_the_tenants_other_principals_run()
    {
        var audit = new InMemoryAuditSink();
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t", "degradation": ["Full"],
              "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } }, "principal": { "share": 0.3 } } } }
            """);
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.AuditSink = audit);

        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 3)).IsAdmitted);   // alice's own bucket: 3 of 3
        QuotaDecision refused = gate.TryAcquire(new QuotaRequest(Alice, Search, 1));
        Assert.Equal(QuotaReason.PrincipalLimit, refused.Reason);
        Assert.NotNull(refused.RetryAfter);
        Assert.True(gate.TryAcquire(new QuotaRequest(Bob, Search, 3)).IsAdmitted);     // bob has his own
        // The tenant's bucket gave back alice's refused unit: 10 - 3 - 3 = 4 left.
        Assert.Equal(4, gate.Store.Peek(new("acme", "search"), policy.Tiers["t"].Categories["search"].Limits).Available, 9);
        Assert.Equal(QuotaReason.PrincipalLimit, audit.Snapshot()[1].Reason);

        time.Advance(TimeSpan.FromSeconds(4));                                           // alice refills at 0.3/s
        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).IsAdmitted);
    }

    [Fact]
    public void An_actual_cost_corrects_the_principals_bucket_and_daily_spend_like_the_tenants()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t", "degradation": ["Full"],
              "tiers": { "t": { "categories": { "search": { "capacity": 100, "refillPerSecond": 0.001 } },
                                "principal": { "capacity": 10, "refillPerSecond": 0.001, "maxCostPerDay": 50 } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create());
        BucketLimits principalShape = PrincipalLimits.ShapeOf(policy.Tiers["t"].Principal!, policy.Tiers["t"].Categories["search"]);
        Assert.Equal((10, 0.001), (principalShape.Capacity, principalShape.RefillPerSecond));
        double AliceLeft() => gate.Store.Peek(new(PrincipalLimits.KeyOf(Alice), "search"), principalShape).Available;

        using (AgentRun run = gate.BeginRun(Alice))
        {
            QuotaTicket cheap = run.Acquire(Search, 1);             // planned 1 ...
            Assert.True(cheap.IsAdmitted);
            cheap.Complete(8);                                      // ... cost 8: the principal pays 8, not 1
            Assert.Equal(2, AliceLeft(), 6);

            QuotaTicket dear = run.Acquire(Search, 2);              // planned 2 ...
            Assert.True(dear.IsAdmitted);
            dear.Complete(0);                                       // ... cost nothing: both units come back
            Assert.Equal(2, AliceLeft(), 6);
        }

        Assert.Equal(QuotaReason.PrincipalLimit, gate.TryAcquire(new QuotaRequest(Alice, Search, 3)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(Bob, Search, 3)).IsAdmitted);

        using (AgentRun run = gate.BeginRun(Bob))
        {
            Assert.True(run.RecordUsage(Search, 6).IsAdmitted);      // usage already incurred lands on bob's bucket too
        }

        Assert.Equal(1, gate.Store.Peek(new(PrincipalLimits.KeyOf(Bob), "search"), principalShape).Available, 6);
    }

    [Fact]
    public void A_principal_daily_ceiling_stops_one_principal_for_the_day()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v1", "defaultTier": "t",
              "tiers": { "t": { "categories": { "search": { "capacity": 100, "refillPerSecond": 10 } }, "principal": { "maxCostPerDay": 5 } } } }
            """);
        using QuotaGate gate = TestPolicies.Gate(policy, TestTime.Create());

        Assert.True(gate.TryAcquire(new QuotaRequest(Alice, Search, 5)).IsAdmitted);
        Assert.Equal(QuotaReason.PrincipalDailyCostLimit, gate.TryAcquire(new QuotaRequest(Alice, Search, 1)).Reason);
        Assert.True(gate.TryAcquire(new QuotaRequest(Bob, Search, 5)).IsAdmitted);
    }

    [Theory]
    [InlineData("\"principal\": { \"share\": 1.5 }", "$.tiers.t.principal.share")]
    [InlineData("\"principal\": { \"share\": 0.5, \"capacity\": 3 }", "$.tiers.t.principal.share")]
    [InlineData("\"principal\": { \"capacity\": 3 }", "$.tiers.t.principal.refillPerSecond")]
    [InlineData("\"principal\": { }", "$.tiers.t.principal")]
    [InlineData("\"principal\": { \"shares\": 0.5 }", "$.tiers.t.principal.shares")]
    public void A_bad_principal_block_is_reported_where_it_is_written(string block, string path)
    {
        string text = "{ \"version\": \"v1\", \"tiers\": { \"t\": { \"categories\": { \"search\": { \"capacity\": 10, \"refillPerSecond\": 1 } }, " + block + " } } }";

        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(text));

        Assert.Contains(e.Errors, error => error.Path == path);
    }

    [Fact]
    public void A_bad_revoked_entry_is_reported_with_its_location()
    {
        string text = TestPolicies.Design.TrimEnd().TrimEnd('}') + ", \"revoked\": { \"principals\": { \"acme\": [\"ok\", \"bad\\u0001\"] } } }";

        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(text));

        PolicyError error = Assert.Single(e.Errors);
        Assert.Equal("$.revoked.principals.acme[1]", error.Path);
        Assert.Equal(TestPolicies.Locate(text, "\"bad"), (error.Line, error.Column));
    }
}
