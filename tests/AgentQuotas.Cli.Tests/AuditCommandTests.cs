using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Cli.Tests;

public class AuditCommandTests
{
    private static async Task<string> WriteAuditAsync(TempDir dir, bool endsInPlace = false)
    {
        string path = Path.Combine(dir.Path, endsInPlace ? "folded.jsonl" : "audit.jsonl");
        var time = TestTime.Create();
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v7", "tiers": { "t": { "categories": {
                "search": { "capacity": 10, "refillPerSecond": 1 },
                "payments": { "capacity": 5, "refillPerSecond": 1 } } } }, "defaultTier": "t" }
            """);
        await using var file = new JsonLinesAuditSink(path);
        var memory = new InMemoryAuditSink { EndsInPlace = true }; // the default sink's shape, exported to the file below
        await using (var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = time, AuditSink = endsInPlace ? memory : file }))
        {
            using (AgentRun run = gate.BeginRun(new AgentIdentity("acme", "alice")))
            {
                run.Acquire(new QuotaTool("search_kb", "search"), 6).Complete(actualCost: 4);
                run.Acquire(new QuotaTool("search_kb", "search"), 6).Complete();
                run.Acquire(new QuotaTool("search_kb", "search"), 6);                               // denied: 2 left
                run.Acquire(new QuotaTool("refund", "payments", requiresApproval: true, hasFallback: true), 1); // degraded
            }

            using (AgentRun run = gate.BeginRun(new AgentIdentity("globex", "bob")))
            {
                run.Acquire(new QuotaTool("search_kb", "search"), 3).Fail(new TimeoutException());
            }
        }

        foreach (QuotaAuditRecord record in endsInPlace ? memory.Snapshot() : [])
        {
            Assert.True(file.TryWrite(record));
        }

        return path;
    }

    [Fact]
    public async Task Ends_written_into_admission_records_are_summarised_as_their_own_records_would_be()
    {
        using var dir = new TempDir();
        string twoRecords = await WriteAuditAsync(dir);
        string oneRecord = await WriteAuditAsync(dir, endsInPlace: true);

        var (_, expected, _) = await CliHarness.RunAsync("audit", twoRecords);
        var (exit, output, error) = await CliHarness.RunAsync("audit", oneRecord);

        Assert.Equal((ExitCodes.Success, string.Empty), (exit, error));
        Assert.Contains("5 records", output); // three ends written into their admissions
        Assert.Contains("\"outcome\":\"Failed\"", await File.ReadAllTextAsync(oneRecord));
        foreach (string tenant in new[] { "│ acme", "│ globex" })
        {
            Assert.Equal(Cells(expected.Split('\n').First(l => l.Contains(tenant))), Cells(output.Split('\n').First(l => l.Contains(tenant))));
        }
    }

    [Fact]
    public async Task An_audit_file_is_summarised_per_tenant()
    {
        using var dir = new TempDir();
        string path = await WriteAuditAsync(dir);

        var (exit, output, error) = await CliHarness.RunAsync("audit", path);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("8 records", output);
        Assert.Contains("policy version(s): v7", output);
        string acme = output.Split('\n').First(l => l.Contains("│ acme"));
        Assert.Equal(["acme", "1", "2", "2", "0", "0", "1", "1", "10", "-", "0"], Cells(acme));   // cost 6 - 2 refund + 6
        string globex = output.Split('\n').First(l => l.Contains("│ globex"));
        Assert.Equal(["globex", "1", "1", "0", "1", "0", "0", "0", "3", "-", "0"], Cells(globex));
        Assert.Contains("acme: denied [BucketExhausted x1] degraded [DraftOnly x1]", output);
    }

    [Fact]
    public async Task Filters_narrow_the_summary()
    {
        using var dir = new TempDir();
        string path = await WriteAuditAsync(dir);
        var (exit, output, _) = await CliHarness.RunAsync("audit", path, "--tenant", "globex");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("2 records", output);
        Assert.DoesNotContain("│ acme", output);

        var (_, later, _) = await CliHarness.RunAsync("audit", path, "--since", "2030-01-01T00:00:00Z");
        Assert.Contains("no audit records matched", later);
    }

    [Fact]
    public async Task A_malformed_line_is_named_and_fails_the_command()
    {
        using var dir = new TempDir();
        string path = await WriteAuditAsync(dir);
        List<string> lines = File.ReadAllLines(path).ToList();
        lines.Insert(2, "{ \"tenant\": \"acme\", \"decision\": ");
        File.WriteAllLines(path, lines);

        var (exit, output, error) = await CliHarness.RunAsync("audit", path);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith(path + "(3): not an audit record", error);
    }

    [Fact]
    public async Task A_record_without_required_fields_is_refused()
    {
        using var dir = new TempDir();
        string path = dir.File("audit.jsonl", "{ \"tenant\": \"acme\", \"decision\": \"Admitted\" }\n");
        var (exit, _, error) = await CliHarness.RunAsync("audit", path);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("(1): not an audit record: the required field 'principal' is missing", error);
    }

    [Fact]
    public async Task Group_by_hash_shows_which_policy_content_decided_what()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "audit.jsonl");
        var time = TestTime.Create();
        const string Text = """{ "version": "v7", "allowSameVersionEdits": true, "tiers": { "t": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } }, "defaultTier": "t" }""";
        string policyPath = dir.File("agentquotas.json", Text);
        QuotaPolicy first;
        QuotaPolicy second;
        await using (var sink = new JsonLinesAuditSink(path))
        {
            using var provider = QuotaPolicyProvider.FromFile(policyPath);
            await using var gate = new QuotaGate(provider, new QuotaGateOptions { TimeProvider = time, AuditSink = sink });
            first = provider.Current;
            using (AgentRun run = gate.BeginRun(new AgentIdentity("acme", "alice")))
            {
                run.Acquire(new QuotaTool("search_kb", "search"), 1);
                run.Acquire(new QuotaTool("search_kb", "search"), 1);
            }

            File.WriteAllText(policyPath, Text.Replace("\"capacity\": 10", "\"capacity\": 20", StringComparison.Ordinal));
            Assert.True(provider.Reload().Succeeded);   // a same-version edit the policy allows
            second = provider.Current;
            using (AgentRun run = gate.BeginRun(new AgentIdentity("globex", "bob")))
            {
                run.Acquire(new QuotaTool("search_kb", "search"), 1);
            }
        }

        var (exit, output, error) = await CliHarness.RunAsync("audit", path, "--group-by", "hash");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        string[] firstRow = Cells(output.Split('\n').First(l => l.Contains(first.ContentHash, StringComparison.Ordinal)));
        Assert.Equal(["v7", first.ContentHash, "2", "2", "0", "1"], firstRow[..6]);
        string[] secondRow = Cells(output.Split('\n').First(l => l.Contains(second.ContentHash, StringComparison.Ordinal)));
        Assert.Equal(["v7", second.ContentHash, "1", "1", "0", "1"], secondRow[..6]);
        Assert.Contains("policy version v7 decided with 2 different contents", output);
    }

    [Fact]
    public async Task Group_by_accepts_only_tenant_or_hash()
    {
        using var dir = new TempDir();
        string path = await WriteAuditAsync(dir);

        var (exit, _, _) = await CliHarness.RunAsync("audit", path, "--group-by", "colour");

        Assert.NotEqual(ExitCodes.Success, exit);
    }

    private static string[] Cells(string row) =>
        row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
}
