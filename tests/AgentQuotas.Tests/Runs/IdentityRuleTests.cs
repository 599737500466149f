using AgentQuotas.Audit;
using AgentQuotas.Testing;

namespace AgentQuotas.Tests.Runs;

/// <summary>
/// One rule for identity strings (tenant, principal, workflow, run name): not empty, at most 256
/// characters, no control characters, well-formed UTF-16 (no lone surrogates). Checked where the string
/// enters (AgentIdentity, BeginRun), with a clear error, so every store and sink can write it faithfully.
/// </summary>
public sealed class IdentityRuleTests
{
    // Not enumerated at discovery: serializing theory data would turn the lone surrogates into U+FFFD.
    public static TheoryData<string, string> BadIds => new()
    {
        { "acme\uD800", "surrogate" },
        { "\uDC00acme", "surrogate" },
        { "ac\0me", "control" },
        { "ac\nme", "control" },
        { new string('a', 257), "256" },
        { " ", "empty" },
    };

    [Theory]
    [MemberData(nameof(BadIds), DisableDiscoveryEnumeration = true)]
    public void A_bad_tenant_is_refused_with_the_reason(string tenant, string reason)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new AgentIdentity(tenant, "user-1"));
        Assert.Equal("tenant", e.ParamName);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadIds), DisableDiscoveryEnumeration = true)]
    public void A_bad_principal_is_refused_with_the_reason(string principal, string reason)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new AgentIdentity("acme", principal));
        Assert.Equal("principal", e.ParamName);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadIds), DisableDiscoveryEnumeration = true)]
    public void A_bad_workflow_is_refused_by_BeginRun_and_TryAcquire(string workflow, string reason)
    {
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), TestTime.Create());
        ArgumentException e = Assert.Throws<ArgumentException>(() => gate.BeginRun(new AgentIdentity("acme", "u"), workflow: workflow));
        Assert.Equal("workflow", e.ParamName);
        Assert.Contains(reason, e.Message);
        Assert.Null(AgentRun.Current);
        Assert.Throws<ArgumentException>(() => gate.TryAcquire(new QuotaRequest(new AgentIdentity("acme", "u"), new QuotaTool("t", "search"), 1, workflow: workflow)));
    }

    [Fact]
    public void Well_formed_identities_with_any_script_and_paired_surrogates_are_accepted()
    {
        var identity = new AgentIdentity("テナント-😀", "ユーザー\u00e9");
        Assert.Equal("テナント-😀", identity.Tenant);
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), TestTime.Create());
        using AgentRun run = gate.BeginRun(identity, workflow: new string('w', 256));
        Assert.True(run.Acquire(new QuotaTool("t", "search"), 1).IsAdmitted);
    }

    [Fact]
    public async Task The_json_lines_sink_keeps_distinct_identities_distinct()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("aq-jsonl").FullName, "audit.jsonl");
        try
        {
            await using (var sink = new JsonLinesAuditSink(path))
            {
                // Records that did not come through AgentIdentity (written to the sink directly).
                Assert.True(sink.TryWrite(Record("acme\uD800")));
                Assert.True(sink.TryWrite(Record("acme\uD801")));
                Assert.True(sink.TryWrite(Record("acme")));
                await sink.FlushAsync();
            }

            List<QuotaAuditRecord> read = [.. JsonLinesAuditReader.ReadAll(path)];
            Assert.Equal(3, read.Count);
            Assert.Equal(3, read.Select(r => r.Tenant).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal("acme", read[2].Tenant);
            Assert.All(read.Take(2), r => Assert.Contains("quarantined", r.Detail));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static QuotaAuditRecord Record(string tenant) => new()
    {
        Timestamp = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        Tenant = tenant,
        Principal = "p",
        WorkloadClass = WorkloadClass.Standard,
        Tool = "t",
        Category = "c",
        PlannedCost = 1,
        Decision = AuditDecision.Admitted,
        PolicyVersion = "v1",
    };
}
