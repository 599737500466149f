using System.CommandLine;
using System.Globalization;
using AgentQuotas.Cli.Reporting;
using AgentQuotas.Policy;
using AgentQuotas.Simulation;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary>
/// <c>agentquotas simulate</c>: runs the fairness simulation on virtual time against the real gate and
/// writes a self-contained HTML report with charts, plus a summary on the console.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var policy = new Option<FileInfo?>("--policy") { Description = "Policy to simulate (its default tier serves every simulated tenant). Default: a built-in policy with reserved shares, aging, pools and breakers." };
        var category = new Option<string?>("--category") { Description = "Category the simulated calls spend from (default: the default tier's only category, or 'work' for the built-in policy)." };
        var tenants = new Option<int>("--tenants") { Description = "Tenants of equal weight.", DefaultValueFactory = _ => 8 };
        var duration = new Option<TimeSpan>("--duration") { Description = "Simulated time, e.g. 00:10:00.", DefaultValueFactory = _ => TimeSpan.FromMinutes(10) };
        var overload = new Option<double>("--overload") { Description = "Offered load as a multiple of each tenant's refill rate.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random draw: the same options give the same report.", DefaultValueFactory = _ => 42 };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the HTML report.", DefaultValueFactory = _ => new FileInfo("agentquotas-simulation.html") };
        var scenario = new Option<string>("--scenario")
        {
            Description = "fairness (default): the fairness simulation. routing: the premium model's pool saturates; p95 wait and cost with and without queue-aware model routing (docs/routing.md; uses --duration and --seed).",
            DefaultValueFactory = _ => "fairness",
        };
        scenario.AcceptOnlyFromAmong("fairness", "routing");
        var command = new Command("simulate", "Run the fairness simulation (sustained overload, bursts, worker failures) on virtual time; print a summary and write an HTML report.")
        {
            policy, category, tenants, duration, overload, seed, output, scenario,
        };
        command.SetAction(parse => parse.GetValue(scenario) == "routing"
            ? RunRouting(console, error, parse.GetValue(duration), parse.GetValue(seed))
            : Run(
            console,
            error,
            parse.GetValue(policy),
            parse.GetValue(category),
            parse.GetValue(tenants),
            parse.GetValue(duration),
            parse.GetValue(overload),
            parse.GetValue(seed),
            parse.GetRequiredValue(output)));
        return command;
    }

    private static int Run(IAnsiConsole console, TextWriter error, FileInfo? policyFile, string? category, int tenants, TimeSpan duration, double overload, int seed, FileInfo output)
    {
        var options = new SimulationOptions { Tenants = tenants, Duration = duration, OverloadFactor = overload, Seed = seed };
        if (policyFile is not null)
        {
            if (!TryLoadPolicy(error, policyFile, category, out QuotaPolicy? loaded, out string? chosen, out int exit))
            {
                return exit;
            }

            options.Policy = loaded;
            options.Category = chosen!;
        }
        else if (category is not null)
        {
            options.Category = category;
        }

        SimulationReport report;
        try
        {
            report = FairnessSimulation.Run(options);
        }
        catch (ArgumentException e)
        {
            error.WriteLine("Cannot simulate: " + e.Message);
            return ExitCodes.InvalidInput;
        }

        PrintSummary(console, report);
        try
        {
            File.WriteAllText(output.FullName, SimulationHtml.Render(report));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot write the report to '{output.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        console.MarkupLineInterpolated($"report written to {output.FullName}");
        return ExitCodes.Success;
    }

    // The routing scenario (issue 17): both arms on the same turns, printed as a table.
    private static int RunRouting(IAnsiConsole console, TextWriter error, TimeSpan duration, int seed)
    {
        RoutingSimulationReport report;
        try
        {
            report = RoutingSimulation.Run(new RoutingSimulationOptions { Duration = duration, Seed = seed });
        }
        catch (ArgumentException e)
        {
            error.WriteLine("Cannot simulate: " + e.Message);
            return ExitCodes.InvalidInput;
        }

        console.Write(new Text(report.ToString()));
        return ExitCodes.Success;
    }

    private static bool TryLoadPolicy(TextWriter error, FileInfo file, string? category, out QuotaPolicy? policy, out string? chosen, out int exit)
    {
        policy = null;
        chosen = null;
        exit = ExitCodes.Success;
        try
        {
            policy = QuotaPolicy.Load(file.FullName);
        }
        catch (PolicyValidationException e)
        {
            foreach (PolicyError problem in e.Errors)
            {
                error.WriteLine($"{file.FullName}({problem.Line},{problem.Column}): error AQ0008: {problem.Kind} at {problem.Path}: {problem.Message}");
            }

            exit = ExitCodes.InvalidInput;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot read '{file.FullName}': {e.Message}");
            exit = ExitCodes.Unavailable;
            return false;
        }

        if (policy.DefaultTier is not TierPolicy tier)
        {
            error.WriteLine($"'{file.FullName}' has no defaultTier; the simulated tenants are not listed in it, so add \"defaultTier\" to simulate it.");
            exit = ExitCodes.InvalidInput;
            return false;
        }

        if (category is null)
        {
            if (tier.Categories.Count != 1)
            {
                error.WriteLine($"Tier '{tier.Name}' budgets {tier.Categories.Count} categories ({string.Join(", ", tier.Categories.Keys.Order(StringComparer.Ordinal))}); choose one with --category.");
                exit = ExitCodes.InvalidInput;
                return false;
            }

            category = tier.Categories.Keys.Single();
        }
        else if (!tier.Categories.ContainsKey(category))
        {
            error.WriteLine($"Tier '{tier.Name}' has no budget for category '{category}'; it budgets {string.Join(", ", tier.Categories.Keys.Order(StringComparer.Ordinal))}.");
            exit = ExitCodes.InvalidInput;
            return false;
        }

        chosen = category;
        return true;
    }

    private static void PrintSummary(IAnsiConsole console, SimulationReport report)
    {
        SimulationOptions o = report.Options;
        console.MarkupLineInterpolated(
            $"simulated {CheckCommand.Duration(o.Duration)} of {o.Tenants} tenants at {o.OverloadFactor:0.##}x their refill rate (seed {o.Seed}, policy {report.PolicyVersion}, {report.Events:#,0} events)");
        var classes = new Table().Border(TableBorder.Rounded)
            .AddColumn("class").AddColumn("offered", Right).AddColumn("admitted", Right).AddColumn("queued", Right)
            .AddColumn("degraded", Right).AddColumn("denied", Right).AddColumn("completion", Right).AddColumn("share of capacity", Right)
            .AddColumn("wait p50", Right).AddColumn("wait p95", Right).AddColumn("wait p99", Right);
        foreach (SimulationClassReport c in report.Classes)
        {
            classes.AddRow(
                c.Class.ToString(), N(c.Offered), N(c.Admitted), N(c.Queued), N(c.Degraded), N(c.Denied),
                P(c.CompletionRate), P(c.ShareOfCapacity), S(c.QueueWaitP50), S(c.QueueWaitP95), S(c.QueueWaitP99));
        }

        console.Write(classes);
        console.MarkupLineInterpolated(
            $"Jain's fairness index across tenants: {report.JainIndex:0.0000}; over-admission: {report.OverAdmission:0.###} units, {report.PoolOverAdmission} pool slots; circuit openings: {report.CircuitOpenings}");
        console.MarkupLineInterpolated(
            $"Critical p99 wait {S(report[WorkloadClass.Critical].QueueWaitP99)} (one Critical request refills in {S(report.CriticalRefillTime)}); Batch share {P(report[WorkloadClass.Batch].ShareOfCapacity)} (reserved {P(report.BatchReservedShare)})");
        if (report.DenialsByReason.Count > 0)
        {
            console.MarkupLineInterpolated($"refused by reason: {string.Join(", ", report.DenialsByReason.Select(r => $"{r.Key} {r.Value:#,0}"))}");
        }
    }

    private static void Right(TableColumn column) => column.RightAligned();

    internal static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    internal static string P(double value) => value.ToString("0.0%", CultureInfo.InvariantCulture);

    internal static string S(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
