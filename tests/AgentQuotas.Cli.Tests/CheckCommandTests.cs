using System.Text.Json;

namespace AgentQuotas.Cli.Tests;

public class CheckCommandTests
{
    private const string Policy = """
        {
          "version": "2026-11-21.1",
          "tiers": {
            "standard": {
              "categories": { "search": { "capacity": 200, "refillPerSecond": 5 }, "payments": { "capacity": 5, "refillPerSecond": 0.05 } },
              "burst": { "multiplier": 2, "maxSeconds": 30 },
              "emergency": { "classes": ["Critical"] },
              "limits": { "maxIterations": 10, "maxToolCalls": 40, "maxCostPerRun": 500, "maxCostPerDay": 20000 }
            },
            "free": { "categories": { "search": { "capacity": 20, "refillPerSecond": 0.5 } } }
          },
          "tenants": { "acme": { "tier": "standard" } },
          "defaultTier": "free",
          "classes": { "Batch": { "reservedShare": 0.05, "maxQueueWait": "00:02:00" } }
        }
        """;

    [Fact]
    public async Task A_valid_policy_prints_the_effective_limits_per_tier()
    {
        using var dir = new TempDir();
        var (exit, output, error) = await CliHarness.RunAsync("check", dir.File("agentquotas.json", Policy));

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("valid policy 2026-11-21.1", output);
        Assert.Contains("sha256 " + AgentQuotas.Policy.QuotaPolicy.Parse(Policy).ContentHash, output);   // the full hash the audit records carry
        Assert.Contains("tier standard: acme", output);
        Assert.Contains("tier free: no tenants listed (and every unlisted tenant: default tier)", output);
        string standard = output[output.IndexOf("tier standard", StringComparison.Ordinal)..];
        string searchRow = standard.Split('\n').First(l => l.Contains("│ search"));
        Assert.Contains("40 s", searchRow);             // empty -> full at 5/s
        Assert.Contains("150", searchRow);              // burst credits (2 - 1) x 5 x 30
        Assert.Contains("350", searchRow);              // largest single call: capacity + credits
        Assert.Contains("200 (Critical)", searchRow);   // emergency debt
        Assert.Contains("20,000", searchRow);           // sustained per day capped by maxCostPerDay
        Assert.Contains("per run: iterations 10, tool calls 40, cost 500; per tenant: 20,000 a day, unlimited a month", output);
        Assert.Contains("Batch", output);
        Assert.Contains("2 min", output);
    }

    [Fact]
    public async Task An_invalid_policy_lists_every_error_with_its_location_and_fails()
    {
        using var dir = new TempDir();
        string text = Policy.Replace("\"capacity\": 200", "\"capacity\": -200").Replace("\"maxQueueWait\": \"00:02:00\"", "\"maxQueueWait\": \"2 min\"");
        string path = dir.File("agentquotas.json", text);

        var (exit, output, error) = await CliHarness.RunAsync("check", path);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Equal(string.Empty, output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(path + At(text, "-200") + ": error AQ0008: InvalidValue at $.tiers.standard.categories.search.capacity", lines[0]);
        Assert.StartsWith(path + At(text, "\"2 min\"") + ": error AQ0008: InvalidDuration at $.classes.Batch.maxQueueWait", lines[1]);
        Assert.Equal("2 errors; the policy was not accepted.", lines[2]);
    }

    [Fact]
    public async Task Json_output_is_the_normalized_policy()
    {
        using var dir = new TempDir();
        var (exit, output, _) = await CliHarness.RunAsync("check", dir.File("agentquotas.json", Policy), "--json");
        Assert.Equal(ExitCodes.Success, exit);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(200, json.RootElement.GetProperty("tiers").GetProperty("standard").GetProperty("categories").GetProperty("search").GetProperty("capacity").GetDouble());
    }

    [Fact]
    public async Task A_missing_file_is_reported_as_unavailable()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "nope.json");
        var (exit, _, error) = await CliHarness.RunAsync("check", missing);
        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains($"Cannot read '{missing}'", error);
    }

    [Fact]
    public async Task Usage_errors_and_help_follow_the_command_line_conventions()
    {
        var (missingArgument, _, error) = await CliHarness.RunAsync("check");
        Assert.Equal(1, missingArgument);
        Assert.Contains("Required argument 'policy' missing", error);

        var (unknown, _, unknownError) = await CliHarness.RunAsync("frobnicate");
        Assert.NotEqual(0, unknown);
        Assert.Contains("frobnicate", unknownError);

        var (help, helpOutput, _) = await CliHarness.RunAsync("check", "--help");
        Assert.Equal(0, help);
        Assert.Contains("Validate a policy file", helpOutput);
        Assert.Contains("--json", helpOutput);
    }

    private static string At(string text, string marker)
    {
        int index = text.IndexOf(marker, StringComparison.Ordinal);
        int line = text[..index].Count(c => c == '\n') + 1;
        int column = index - (text.LastIndexOf('\n', index - 1) + 1) + 1;
        return $"({line},{column})";
    }
}
