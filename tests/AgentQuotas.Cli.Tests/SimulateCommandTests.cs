namespace AgentQuotas.Cli.Tests;

public class SimulateCommandTests
{
    [Fact]
    public async Task The_routing_scenario_prints_wait_and_cost_with_and_without_routing()
    {
        var (exit, output, error) = await CliHarness.RunAsync("simulate", "--scenario", "routing");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("High class wait budget 5 s; seed 42.", output);
        Assert.Contains("with routing          696     696        0        19      528    168      0.0 s      2.5 s", output); // docs/routing.md
        Assert.Contains("without routing       696     696        0         0      696      0      8.9 s     19.8 s", output);
        Assert.Contains("cost saved by routing: 2062.05 (21.9% of the cost without routing)", output);
    }

    [Fact]
    public async Task An_unknown_scenario_is_a_usage_error()
    {
        var (exit, _, error) = await CliHarness.RunAsync("simulate", "--scenario", "nope");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("nope", error);
    }

    [Fact]
    public async Task The_simulation_prints_a_summary_and_writes_a_report_whose_charts_render()
    {
        using var dir = new TempDir();
        string html = Path.Combine(dir.Path, "report.html");

        var (exit, output, error) = await CliHarness.RunAsync("simulate", "--duration", "00:02:00", "--tenants", "4", "--seed", "7", "--out", html);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("simulated 2 min of 4 tenants at 5x their refill rate (seed 7", output);
        foreach (string c in new[] { "Critical", "High", "Standard", "Batch" })
        {
            Assert.Contains("│ " + c, output);
        }

        Assert.Contains("over-admission: 0 units, 0 pool slots", output);
        Assert.Contains("report written to " + html, output);

        string page = await File.ReadAllTextAsync(html);
        Assert.Contains("Queue wait per class", page);
        Assert.Equal(5, page.Split("<svg ").Length - 1);              // five charts, pools included

        PngImage shot = await HeadlessBrowser.ScreenshotAsync(html, 1100, 2600);
        int[] classPixels = new int[4];
        (byte R, byte G, byte B)[] classColours = [(0xd6, 0x27, 0x28), (0xff, 0x7f, 0x0e), (0x2c, 0xa0, 0x2c), (0x1f, 0x77, 0xb4)];
        for (int y = 0; y < shot.Height; y++)
        {
            for (int x = 0; x < shot.Width; x++)
            {
                var (r, g, b) = shot[x, y];
                for (int c = 0; c < 4; c++)
                {
                    if (Math.Abs(r - classColours[c].R) < 12 && Math.Abs(g - classColours[c].G) < 12 && Math.Abs(b - classColours[c].B) < 12)
                    {
                        classPixels[c]++;
                    }
                }
            }
        }

        // Every class shows up in the charts (legend swatches alone are 4 x 144 pixels; series add far more).
        Assert.All(classPixels, count => Assert.True(count > 1_000, $"class colours drawn: {string.Join(", ", classPixels)}"));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_report()
    {
        using var dir = new TempDir();
        var first = await CliHarness.RunAsync("simulate", "--duration", "00:01:00", "--tenants", "3", "--seed", "11", "--out", Path.Combine(dir.Path, "a.html"));
        var second = await CliHarness.RunAsync("simulate", "--duration", "00:01:00", "--tenants", "3", "--seed", "11", "--out", Path.Combine(dir.Path, "b.html"));
        Assert.Equal(first.Out.Replace("a.html", "x"), second.Out.Replace("b.html", "x"));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir.Path, "a.html")), await File.ReadAllTextAsync(Path.Combine(dir.Path, "b.html")));
    }

    [Fact]
    public async Task A_user_policy_is_simulated_with_its_default_tier()
    {
        using var dir = new TempDir();
        string policy = dir.File("agentquotas.json", """
            { "version": "mine-3", "tiers": { "t": { "categories": { "llm": { "capacity": 50, "refillPerSecond": 5 } } } }, "defaultTier": "t",
              "classes": { "Batch": { "reservedShare": 0.2 } } }
            """);
        var (exit, output, error) = await CliHarness.RunAsync("simulate", "--policy", policy, "--duration", "00:01:00", "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("policy mine-3", output);
        Assert.Contains("(reserved 20.0%)", output);
    }

    [Fact]
    public async Task Policies_the_simulation_cannot_use_are_explained()
    {
        using var dir = new TempDir();
        string noDefault = dir.File("a.json", """{ "version": "1", "tiers": { "t": { "categories": { "x": { "capacity": 5, "refillPerSecond": 1 } } } } }""");
        string twoCategories = dir.File("b.json", """{ "version": "1", "tiers": { "t": { "categories": { "x": { "capacity": 5, "refillPerSecond": 1 }, "y": { "capacity": 5, "refillPerSecond": 1 } } } }, "defaultTier": "t" }""");
        string invalid = dir.File("c.json", """{ "version": "1", "tiers": { "t": { "categories": { "x": { "capacity": 0, "refillPerSecond": 1 } } } } }""");

        var a = await CliHarness.RunAsync("simulate", "--policy", noDefault, "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.InvalidInput, a.Exit);
        Assert.Contains("has no defaultTier", a.Err);

        var b = await CliHarness.RunAsync("simulate", "--policy", twoCategories, "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.InvalidInput, b.Exit);
        Assert.Contains("budgets 2 categories (x, y); choose one with --category", b.Err);

        var c = await CliHarness.RunAsync("simulate", "--policy", twoCategories, "--category", "z", "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.InvalidInput, c.Exit);
        Assert.Contains("no budget for category 'z'", c.Err);

        var d = await CliHarness.RunAsync("simulate", "--policy", invalid, "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.InvalidInput, d.Exit);
        Assert.Contains("error AQ0008: InvalidValue at $.tiers.t.categories.x.capacity", d.Err);
        Assert.False(File.Exists(Path.Combine(dir.Path, "r.html")));
    }

    [Theory]
    [InlineData("--tenants", "0")]
    [InlineData("--overload", "-1")]
    [InlineData("--duration", "00:00:00")]
    public async Task Out_of_range_options_are_refused(string option, string value)
    {
        using var dir = new TempDir();
        var (exit, _, error) = await CliHarness.RunAsync("simulate", option, value, "--out", Path.Combine(dir.Path, "r.html"));
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("Cannot simulate:", error);
    }

    [Fact]
    public async Task An_unwritable_report_path_is_reported()
    {
        using var dir = new TempDir();
        string target = Path.Combine(dir.Path, "missing-dir", "r.html");
        var (exit, _, error) = await CliHarness.RunAsync("simulate", "--duration", "00:00:10", "--out", target);
        Assert.Equal(ExitCodes.Unavailable, exit);
        Assert.Contains($"Cannot write the report to '{target}'", error);
    }
}
