using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;

namespace AgentQuotas.Cli.Tests;

public class AuditCommandTests
{
    private static async Task<string> WriteAuditAsync(TempDir dir)
    {
        string path = Path.Combine(dir.Path, "audit.jsonl");
        var time = TestTime.Create();
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "v7", "tiers": { "t": { "categories": {
                "search": { "capacity": 10, "refillPerSecond": 1 },
                "payments": { "capacity": 5, "refillPerSecond": 1 } } } }, "defaultTier": "t" }
            """);
        await using var sink = new JsonLinesAuditSink(path);
        await using (var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = time, AuditSink = sink }))
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

        return path;
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

    private static string[] Cells(string row) =>
        row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
}
