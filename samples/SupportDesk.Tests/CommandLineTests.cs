using AgentQuotas.Audit;
using SupportDesk.Cli;

namespace SupportDesk.Tests;

/// <summary>The program's options: a clear message and a non-zero exit for bad input; a plain report when output is redirected.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("--tenants 0", "--tenants must be 1 to 12, not 0.")]
    [InlineData("--tenants 13", "--tenants must be 1 to 12, not 13.")]
    [InlineData("--duration soon", "--duration 'soon' is not a duration. Use hh:mm:ss (00:02:00) or a number with a unit: 90s, 2m, 1h.")]
    [InlineData("--duration 0s", "--duration must be positive, not '0s'.")]
    [InlineData("--duration 2h", "--duration must be at most 1:00:00 with --store memory, not 2:00:00.")]
    [InlineData("--store mongo", "Argument 'mongo' not recognized. Must be one of:")]
    [InlineData("--store postgres", "--store postgres needs --connection \"Host=...;Username=...;Password=...;Database=...\".")]
    [InlineData("--store postgres --connection Host=db --duration 11m", "--duration must be at most 0:10:00 with --store postgres, not 0:11:00.")]
    [InlineData("--connection Host=db", "--connection only applies to --store postgres.")]
    [InlineData("--seed many", "Cannot parse argument 'many' for option '--seed'")]
    [InlineData("--tenant 3", "Unrecognized command or argument '--tenant'.")]
    public async Task Bad_input_is_refused_with_a_message_that_says_what_is_wrong(string arguments, string message)
    {
        (int exit, string output, string error) = await RunAsync(arguments.Split(' '));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Per tenant", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_without_a_stack_trace()
    {
        (int exit, _, string error) = await RunAsync(["--store", "postgres", "--connection", "Host=127.0.0.1;Port=1;Username=postgres;Database=postgres;Timeout=3"]);

        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains("Cannot reach PostgreSQL at 127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_file_that_cannot_be_written_is_reported()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-directory-" + Guid.NewGuid().ToString("N"), "audit.jsonl");
        (int exit, _, string error) = await RunAsync(["--duration", "10s", "--audit", missing]);

        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.StartsWith($"Cannot write the audit file '{missing}': ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_option()
    {
        (int exit, string output, _) = await RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Success, exit);
        foreach (string option in (string[])["--duration", "--tenants", "--seed", "--store <memory|postgres>", "--connection", "--audit", "--no-live"])
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }

        Assert.Contains("20 seconds of real time with --store postgres", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirected_output_gets_plain_progress_lines_then_the_report_and_the_audit_file()
    {
        string audit = Path.Combine(Path.GetTempPath(), "supportdesk-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            (int exit, string output, string error) = await RunAsync(["--duration", "45s", "--tenants", "3", "--seed", "5", "--audit", audit]);

            Assert.Equal(ExitCodes.Success, exit);
            Assert.Equal(string.Empty, error);
            Assert.Contains("AgentQuotas SupportDesk: 3 tenants, 0:00:45 of traffic in simulated time (memory store), seed 5.", output, StringComparison.Ordinal);
            Assert.Contains("[00:00/00:45] conversations 0 started", output, StringComparison.Ordinal);
            Assert.Contains("[00:30/00:45] conversations", output, StringComparison.Ordinal);
            Assert.Contains("Per tenant", output, StringComparison.Ordinal);
            Assert.Contains("What happened", output, StringComparison.Ordinal);
            Assert.Contains("Same seed, same report: dotnet run --project samples/SupportDesk -- --seed 5", output, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);

            // Every decision is in the file, readable by the agentquotas audit command's reader.
            IReadOnlyList<QuotaAuditRecord> records = [.. JsonLinesAuditReader.ReadAll(audit)];
            Assert.Contains($"{records.Count:#,0} audit records under policy 2026-11-21.1", output, StringComparison.Ordinal);
            Assert.Equal(["acme", "globex", "umbrella"], records.Select(r => r.Tenant).Distinct().Order(StringComparer.Ordinal));
            Assert.All(records, r => Assert.Equal("2026-11-21.1", r.PolicyVersion));
        }
        finally
        {
            File.Delete(audit);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await SupportDeskCommand.InvokeAsync(arguments, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
