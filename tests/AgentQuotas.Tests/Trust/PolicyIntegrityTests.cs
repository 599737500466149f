using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Trust;

public sealed class PolicyIntegrityTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    private readonly string _dir = Directory.CreateTempSubdirectory("aq-integrity").FullName;

    private string PolicyPath => Path.Combine(_dir, "agentquotas.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string PolicyText(string version, double capacity, string? extra = null) => $$"""
        { "version": "{{version}}", "tiers": { "t": { "categories": { "search": { "capacity": {{capacity}}, "refillPerSecond": 1 } } } }, "defaultTier": "t"{{extra}} }
        """;

    [Fact]
    public void The_hash_ignores_layout_comments_member_order_and_number_spelling()
    {
        QuotaPolicy compact = QuotaPolicy.Parse("""{"version":"v1","tiers":{"t":{"categories":{"search":{"capacity":10,"refillPerSecond":1}}}},"defaultTier":"t"}""");
        QuotaPolicy laidOut = QuotaPolicy.Parse("""
            // reviewed in PR 123
            {
              "defaultTier": "t",
              "tiers": { "t": { "categories": { "search": { "refillPerSecond": 1.0, "capacity": 1e1, }, }, }, },
              /* the version last */ "version": "v1"
            }
            """);

        Assert.Equal(compact.ContentHash, laidOut.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", compact.ContentHash);
    }

    [Theory]
    [InlineData("\"capacity\":11")]          // a value
    [InlineData("\"version\":\"v2\"")]       // the version itself
    public void The_hash_changes_with_any_value(string edit)
    {
        const string Original = """{"version":"v1","tiers":{"t":{"categories":{"search":{"capacity":10,"refillPerSecond":1}}}},"defaultTier":"t"}""";
        string edited = Original.Replace(edit.StartsWith("\"capacity", StringComparison.Ordinal) ? "\"capacity\":10" : "\"version\":\"v1\"", edit, StringComparison.Ordinal);

        Assert.NotEqual(QuotaPolicy.Parse(Original).ContentHash, QuotaPolicy.Parse(edited).ContentHash);
    }

    [Fact]
    public void The_hash_changes_with_array_order()
    {
        QuotaPolicy a = TestPolicies.Simple(extra: "\"pools\": { \"p\": { \"concurrency\": 2, \"classes\": [\"Critical\", \"High\"] } }");
        QuotaPolicy b = TestPolicies.Simple(extra: "\"pools\": { \"p\": { \"concurrency\": 2, \"classes\": [\"High\", \"Critical\"] } }");

        Assert.NotEqual(a.ContentHash, b.ContentHash);
    }

    [Fact]
    public void An_edited_policy_under_the_same_version_is_refused_and_the_old_one_stays()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);
        QuotaPolicy v1 = provider.Current;

        File.WriteAllText(PolicyPath, PolicyText("v1", 500));
        PolicyReloadResult result = provider.Reload();

        Assert.False(result.Succeeded);
        Assert.Same(v1, provider.Current);
        Assert.Contains("version stayed 'v1'", result.Failure);
        Assert.Contains("new version", result.Failure);
        Assert.Equal(10, provider.Current.Tiers["t"].Categories["search"].Capacity);
    }

    [Fact]
    public void A_same_version_file_with_only_layout_changes_is_the_same_policy()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);

        File.WriteAllText(PolicyPath, "// reformatted\n" + PolicyText("v1", 10).Replace(" ", "\n  ", StringComparison.Ordinal));
        PolicyReloadResult result = provider.Reload();

        Assert.True(result.Succeeded);
        Assert.Null(result.Warning);
    }

    [Fact]
    public void Apply_replaces_unconditionally_and_the_hash_still_tells_the_contents_apart()
    {
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromPolicy(QuotaPolicy.Parse(PolicyText("v1", 10)));
        string before = provider.Current.ContentHash;

        Assert.True(provider.Apply(QuotaPolicy.Parse(PolicyText("v1", 20))).Succeeded);
        Assert.NotEqual(before, provider.Current.ContentHash);
    }

    [Fact]
    public void AllowSameVersionEdits_in_the_policy_in_force_applies_the_edit_with_a_warning()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10, ", \"allowSameVersionEdits\": true"));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);

        File.WriteAllText(PolicyPath, PolicyText("v1", 500, ", \"allowSameVersionEdits\": true"));
        PolicyReloadResult result = provider.Reload();

        Assert.True(result.Succeeded);
        Assert.Equal(500, provider.Current.Tiers["t"].Categories["search"].Capacity);
        Assert.Contains("allowSameVersionEdits", result.Warning);
    }

    [Fact]
    public void An_edit_cannot_grant_itself_the_permission()
    {
        File.WriteAllText(PolicyPath, PolicyText("v1", 10));
        using QuotaPolicyProvider provider = QuotaPolicyProvider.FromFile(PolicyPath);

        File.WriteAllText(PolicyPath, PolicyText("v1", 500, ", \"allowSameVersionEdits\": true"));

        Assert.False(provider.Reload().Succeeded);
    }

    [Fact]
    public void AllowSameVersionEdits_must_be_a_boolean_with_its_location()
    {
        string text = PolicyText("v1", 10, ", \"allowSameVersionEdits\": \"yes\"");

        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => QuotaPolicy.Parse(text));

        PolicyError error = Assert.Single(e.Errors);
        Assert.Equal("$.allowSameVersionEdits", error.Path);
        Assert.Equal(TestPolicies.Locate(text, "\"yes\""), (error.Line, error.Column));
    }

    [Fact]
    public void Every_audit_record_carries_the_version_and_hash_of_the_deciding_policy()
    {
        var time = TestTime.Create();
        var audit = new InMemoryAuditSink();
        QuotaPolicy v1 = TestPolicies.Simple(capacity: 10, refill: 1, version: "v1");
        using var provider = QuotaPolicyProvider.FromPolicy(v1);
        using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = time, AuditSink = audit });
        using (AgentRun run = gate.BeginRun(Acme, WorkloadClass.High, "support"))
        {
            run.BeginIteration();
            QuotaTicket admitted = run.Acquire(Search, 8);
            QuotaPolicy v2 = TestPolicies.Simple(capacity: 20, refill: 1, version: "v2");
            Assert.True(provider.Apply(v2).Succeeded);
            admitted.Complete(actualCost: 6);                 // settled under v2, decided under v1
            run.Acquire(Search, 30);                           // denied under v2
            gate.TryAcquire(new QuotaRequest(Acme, new QuotaTool("mail", "email"), 1)); // unknown category under v2
        }

        IReadOnlyList<QuotaAuditRecord> records = audit.Snapshot();
        Assert.True(records.Count >= 5);
        Assert.All(records, r => Assert.Matches("^[0-9a-f]{64}$", r.PolicyHash));
        Assert.All(records.Take(3), r => Assert.Equal(("v1", v1.ContentHash), (r.PolicyVersion, r.PolicyHash)));
        Assert.All(records.Skip(3), r => Assert.Equal(("v2", provider.Current.ContentHash), (r.PolicyVersion, r.PolicyHash)));
    }

    [Fact]
    public async Task The_json_lines_sink_writes_and_reads_back_the_hash()
    {
        var time = TestTime.Create();
        string file = Path.Combine(_dir, "audit.jsonl");
        QuotaPolicy policy = TestPolicies.Simple(version: "v7");
        await using (var sink = new JsonLinesAuditSink(file))
        {
            await using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.AuditSink = sink);
            using AgentRun run = gate.BeginRun(Acme);
            run.Acquire(Search, 1).Complete();
        }

        QuotaAuditRecord[] records = JsonLinesAuditReader.ReadAll(file).ToArray();
        Assert.Equal(2, records.Length);
        Assert.All(records, r => Assert.Equal(policy.ContentHash, r.PolicyHash));
        Assert.Contains("\"policyHash\":\"" + policy.ContentHash + "\"", File.ReadAllText(file));
    }
}
