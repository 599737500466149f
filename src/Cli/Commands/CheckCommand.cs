using System.CommandLine;
using System.Globalization;
using AgentQuotas.Policy;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary><c>agentquotas check &lt;policy&gt;</c>: validates a policy and prints the effective limits per tier.</summary>
internal static class CheckCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var policyArgument = new Argument<FileInfo>("policy") { Description = "Path to agentquotas.json." };
        var jsonOption = new Option<bool>("--json") { Description = "Print the validated policy as normalized JSON instead of tables." };
        var command = new Command("check", "Validate a policy file; print every error with line and column, or the effective limits per tier.")
        {
            policyArgument,
            jsonOption,
        };
        command.SetAction(parse => Run(console, error, parse.GetRequiredValue(policyArgument), parse.GetValue(jsonOption)));
        return command;
    }

    private static int Run(IAnsiConsole console, TextWriter error, FileInfo file, bool json)
    {
        QuotaPolicy policy;
        try
        {
            policy = QuotaPolicy.Load(file.FullName);
        }
        catch (PolicyValidationException e)
        {
            foreach (PolicyError e2 in e.Errors)
            {
                error.WriteLine($"{file.FullName}({e2.Line},{e2.Column}): error AQ0008: {e2.Kind} at {e2.Path}: {e2.Message}");
            }

            error.WriteLine($"{e.Errors.Count} error{(e.Errors.Count == 1 ? string.Empty : "s")}; the policy was not accepted.");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot read '{file.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not expected (validation refuses what cannot be built), but a command line answers with a message, never a stack trace.
            error.WriteLine($"{file.FullName}(1,1): error AQ0008: the policy could not be loaded: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            error.WriteLine("1 error; the policy was not accepted.");
            return ExitCodes.InvalidInput;
        }

        if (json)
        {
            console.Profile.Out.Writer.WriteLine(policy.ToJson());
            return ExitCodes.Success;
        }

        Print(console, policy);
        return ExitCodes.Success;
    }

    private static void Print(IAnsiConsole console, QuotaPolicy policy)
    {
        console.MarkupLineInterpolated($"[green]valid[/] policy [bold]{policy.Version}[/], {policy.Tiers.Count} tier(s)");
        console.MarkupLineInterpolated($"sha256 {policy.ContentHash} (canonical form: comments, whitespace and member order do not count)");
        foreach (TierPolicy tier in policy.Tiers.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            string[] tenants = policy.Tenants.Where(t => ReferenceEquals(t.Value, tier)).Select(t => t.Key).Order(StringComparer.Ordinal).ToArray();
            string who = tenants.Length == 0 ? "no tenants listed" : string.Join(", ", tenants);
            if (ReferenceEquals(policy.DefaultTier, tier))
            {
                who += " (and every unlisted tenant: default tier)";
            }

            console.WriteLine();
            console.MarkupLineInterpolated($"[bold]tier {tier.Name}[/]: {who}");
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("category").AddColumn("capacity", c => c.RightAligned()).AddColumn("refill/s", c => c.RightAligned())
                .AddColumn("empty->full", c => c.RightAligned()).AddColumn("burst credits", c => c.RightAligned())
                .AddColumn("largest call", c => c.RightAligned()).AddColumn("emergency debt", c => c.RightAligned())
                .AddColumn("sustained/day", c => c.RightAligned());
            foreach (CategoryBudget budget in tier.Categories.Values.OrderBy(b => b.Category, StringComparer.Ordinal))
            {
                double perDay = budget.RefillPerSecond * 86_400;
                if (tier.Limits.MaxCostPerDay is double dayCeiling)
                {
                    perDay = Math.Min(perDay, dayCeiling);
                }

                string debt = tier.Emergency is null ? "-" : $"{Num(budget.Limits.EmergencyDebt)} ({string.Join("/", tier.Emergency.Classes)})";
                table.AddRow(
                    Markup.Escape(budget.Category),
                    Num(budget.Capacity),
                    Num(budget.RefillPerSecond),
                    Markup.Escape(Duration(TimeSpan.FromSeconds(budget.Capacity / budget.RefillPerSecond))),
                    budget.Limits.BurstCredits > 0 ? Num(budget.Limits.BurstCredits) : "-",
                    Num(budget.Limits.MaxAdmissibleCost(allowEmergency: false)),
                    Markup.Escape(debt),
                    Num(perDay));
            }

            console.Write(table);
            TierLimits l = tier.Limits;
            console.MarkupLineInterpolated(
                $"  per run: iterations {Opt(l.MaxIterations)}, tool calls {Opt(l.MaxToolCalls)}, cost {Opt(l.MaxCostPerRun)}; per tenant: {Opt(l.MaxCostPerDay)} a day, {Opt(l.MaxCostPerMonth)} a month");
            if (tier.Burst is BurstPolicy burst)
            {
                console.MarkupLineInterpolated($"  burst: up to {Num(burst.Multiplier)}x the refill rate for {Num(burst.MaxSeconds)} s from banked credits");
            }
        }

        console.WriteLine();
        var classes = new Table().Border(TableBorder.Rounded)
            .AddColumn("class").AddColumn("reserved share", c => c.RightAligned()).AddColumn("max queue wait", c => c.RightAligned()).AddColumn("queue limit", c => c.RightAligned());
        foreach (WorkloadClass c in Enum.GetValues<WorkloadClass>())
        {
            ClassPolicy cp = policy.GetClass(c);
            classes.AddRow(c.ToString(), cp.ReservedShare.ToString("P0", CultureInfo.InvariantCulture), cp.MaxQueueWait is TimeSpan w ? Duration(w) : Duration(cp.EffectiveMaxQueueWait) + " (default)", cp.QueueLimit?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }

        console.Write(classes);
        if (policy.Pools.Count > 0)
        {
            console.MarkupLineInterpolated($"pools: {string.Join("; ", policy.Pools.Select(p => $"{p.Name} x{p.Concurrency} ({(p.Classes is null ? "all classes" : string.Join("/", p.Classes))})"))}");
        }

        console.MarkupLineInterpolated($"aging: {(policy.Aging is null ? "off" : "promote one class every " + Duration(policy.Aging.PromoteAfter))}");
        console.MarkupLineInterpolated($"degradation ladder: {string.Join(" -> ", policy.DegradationLadder)}");
        console.MarkupLineInterpolated($"anomaly: {(policy.Anomaly is null ? "off" : $"flag at {Num(policy.Anomaly.Factor)}x baseline over {Duration(policy.Anomaly.Window)}" + (policy.Anomaly.QuarantineTier is null ? string.Empty : ", quarantine tier " + policy.Anomaly.QuarantineTier))}");
    }

    private static string Num(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);

    private static string Opt(int? value) => value?.ToString("#,0", CultureInfo.InvariantCulture) ?? "unlimited";

    private static string Opt(double? value) => value is double v ? Num(v) : "unlimited";

    internal static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 120 => span.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s",
        < 7200 => span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min",
        < 172_800 => span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h",
        _ => span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + " d",
    };
}
