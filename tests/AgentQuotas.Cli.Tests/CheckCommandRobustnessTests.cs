using System.Text.RegularExpressions;

namespace AgentQuotas.Cli.Tests;

/// <summary>Whatever the policy holds, <c>check</c> answers with one-line located errors and an exit code, never a stack trace.</summary>
public sealed partial class CheckCommandRobustnessTests
{
    [GeneratedRegex(@"^.+\(\d+,\d+\): error AQ0008: \w+ at \S.*$")]
    private static partial Regex ErrorLine();

    private static void AssertOnlyErrorLines(string error, int errors)
    {
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(errors + 1, lines.Length);
        Assert.All(lines[..^1], l => Assert.Matches(ErrorLine(), l));
        Assert.EndsWith("the policy was not accepted.", lines[^1]);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Exception", error);
    }

    [Fact]
    public async Task A_shape_that_only_construction_used_to_refuse_is_a_located_error_not_a_stack_trace()
    {
        using var dir = new TempDir();
        string path = dir.File("agentquotas.json", """
            {
              "version": "v1",
              "tiers": { "standard": {
                "categories": { "search": { "capacity": 100000000, "refillPerSecond": 1 } },
                "burst": { "multiplier": 1000, "maxSeconds": 31536000 }
              } },
              "defaultTier": "standard"
            }
            """);

        var (exit, output, error) = await CliHarness.RunAsync("check", path);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Equal(string.Empty, output);
        AssertOnlyErrorLines(error, errors: 1);
    }

    [Fact]
    public async Task Names_with_line_breaks_keep_every_error_on_one_line()
    {
        using var dir = new TempDir();
        string path = dir.File("agentquotas.json", """
            {
              "version": "v1",
              "tiers": { "stan\ndard": { "categories": { "sea\r\nrch": { "capacity": -1, "refillPerSecond": 1 } } } },
              "defaultTier": "nope\u2028x",
              "bogus\nfield": 1
            }
            """);

        var (exit, _, error) = await CliHarness.RunAsync("check", path);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.DoesNotContain('\r', error);
        Assert.DoesNotContain('\u2028', error);
        int errors = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        Assert.True(errors >= 3, error);
        AssertOnlyErrorLines(error, errors);
    }

    [Fact]
    public async Task The_json_output_of_a_valid_policy_is_itself_a_valid_policy()
    {
        using var dir = new TempDir();
        string path = dir.File("agentquotas.json", """
            {
              "version": "v1",
              "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } } },
              "defaultTier": "standard",
              "anomaly": { "factor": 2, "window": "00:00:00.0000001" }
            }
            """);

        var (exit, json, _) = await CliHarness.RunAsync("check", path, "--json");
        if (exit != ExitCodes.Success)
        {
            return; // refusing the window outright is as good as round-tripping it
        }

        string again = dir.File("normalized.json", json);
        var (exitAgain, _, errorAgain) = await CliHarness.RunAsync("check", again);
        Assert.True(exitAgain == ExitCodes.Success, errorAgain);
    }
}
