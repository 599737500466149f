using System.Globalization;
using System.Reflection;
using AgentQuotas;
using Spectre.Console;
using SupportDesk.Agent;

namespace SupportDesk.Reporting;

/// <summary>Writes a <see cref="SupportDeskReport"/> as tables and a few plain sentences about what happened.</summary>
internal static class ReportRenderer
{
    public static void Write(IAnsiConsole console, SupportDeskReport report)
    {
        console.WriteLine();
        console.Write(new Rule("[bold]Per tenant[/]").LeftJustified());
        console.Write(TenantTable(report));
        console.MarkupLine("[grey]admitted: tool calls that ran (after waiting, if queued); queued: calls that had to wait for units or a pool slot; " +
            "degraded: refused in full but served by the tool's fallback (a draft); denied: refused with nothing to serve them. " +
            "Waits are over admitted calls. Cost is in policy units and includes model tokens.[/]");

        console.WriteLine();
        console.Write(new Rule("[bold]Why calls were not served in full[/]").LeftJustified());
        console.Write(ReasonTable(report));

        console.WriteLine();
        console.Write(new Rule("[bold]Per class[/]").LeftJustified());
        console.Write(ClassTable(report));

        console.WriteLine();
        console.Write(new Rule("[bold]What happened[/]").LeftJustified());
        foreach (string line in Story(report))
        {
            console.MarkupLine(" - " + Markup.Escape(line));
        }
    }

    private static Table TenantTable(SupportDeskReport report)
    {
        Table table = NewTable("tenant", "tier", "class", "conversations", "admitted", "queued", "degraded", "denied", "queue wait p50 / p95 / p99", "cost", "anomaly");
        foreach (TenantReport t in report.Tenants)
        {
            table.AddRow(
                Markup.Escape(t.Tenant),
                Markup.Escape(t.Tier),
                string.Join(", ", t.Classes),
                Conversations(t.Conversations),
                N(t.Calls.Admitted),
                N(t.Calls.Queued),
                N(t.Calls.DegradedTotal),
                N(t.Calls.DeniedTotal),
                Waits(t.QueueWait),
                Units(t.Cost),
                t.Anomaly is null ? "-" : "flagged at " + Clock(t.Anomaly.At));
        }

        return table;
    }

    private static Table ReasonTable(SupportDeskReport report)
    {
        Table table = NewTable("tenant", "degraded (mode: reasons)", "denied (reasons)", "conversations stopped by", "first denial with RetryAfter");
        foreach (TenantReport t in report.Tenants)
        {
            string degraded = t.Calls.DegradedTotal == 0
                ? "-"
                : string.Join(", ", t.Calls.Degraded.Select(d => $"{d.Key} {d.Value}")) + ": " + Counts(t.Calls.DegradedReasons);
            DenialExample? denial = t.FirstDenialWithRetryAfter;
            table.AddRow(
                Markup.Escape(t.Tenant),
                Markup.Escape(degraded),
                Markup.Escape(Counts(t.Calls.Denied)),
                Markup.Escape(Counts(t.Conversations.StoppedBy)),
                denial is null ? "-" : Markup.Escape($"{denial.Tool}: {denial.Reason}, retry after {Seconds(denial.RetryAfter!.Value)}"));
        }

        return table;
    }

    private static Table ClassTable(SupportDeskReport report)
    {
        Table table = NewTable("class", "tenants", "conversations", "admitted", "queued", "degraded", "denied", "queue wait p50 / p95 / p99", "cost");
        foreach (ClassReport c in report.Classes)
        {
            table.AddRow(
                c.Class.ToString(),
                Markup.Escape(string.Join(", ", c.Tenants)),
                Conversations(c.Conversations),
                N(c.Calls.Admitted),
                N(c.Calls.Queued),
                N(c.Calls.DegradedTotal),
                N(c.Calls.DeniedTotal),
                Waits(c.QueueWait),
                Units(c.Cost));
        }

        return table;
    }

    // Sentences drawn from the figures, in the order a newcomer asks about them.
    private static IEnumerable<string> Story(SupportDeskReport report)
    {
        foreach (TenantReport t in report.Tenants)
        {
            TenantActivityView a = t.Activity;
            var parts = new List<string>();
            if (a.RefundsIssued > 0)
            {
                parts.Add($"{Plural(a.RefundsIssued, "refund")} ran with approval ({a.RefundedAmount.ToString("#,0.00", CultureInfo.InvariantCulture)} USD paid out)");
            }

            if (a.RefundsDrafted > 0)
            {
                parts.Add($"{Plural(a.RefundsDrafted, "refund")} {(a.RefundsDrafted == 1 ? "was" : "were")} drafted instead (DraftOnly: {Counts(t.Calls.DegradedReasons)}); no money moved");
            }

            if (parts.Count > 0)
            {
                yield return $"{t.Tenant}: {string.Join("; ", parts)}.";
            }
        }

        foreach (ClassReport c in report.Classes.Where(c => c.Class == WorkloadClass.Batch))
        {
            yield return $"Batch ({string.Join(", ", c.Tenants)}): {c.Conversations.Answered} of {c.Conversations.Started} digests answered " +
                $"({c.Conversations.AnsweredShare.ToString("0%", CultureInfo.InvariantCulture)}), p95 queue wait {Seconds(c.QueueWait.P95)}: " +
                $"its reserved share ({report.BatchReservedShare.ToString("0%", CultureInfo.InvariantCulture)} of every bucket and pool) keeps it moving while the other classes are busy.";
        }

        AgentLoopAttribute caps = typeof(SupportAgent).GetMethod(nameof(SupportAgent.AnswerAsync))!.GetCustomAttribute<AgentLoopAttribute>()!;
        foreach (TenantReport t in report.Tenants)
        {
            int capped = t.Conversations.StoppedBy.GetValueOrDefault(QuotaReason.RunIterationLimit);
            var parts = new List<string>();
            if (capped > 0)
            {
                parts.Add($"{Plural(capped, "agent loop")} {(capped == 1 ? "was" : "were")} stopped at the {caps.MaxIterations}-turn cap ([AgentLoop(MaxIterations = {caps.MaxIterations})])");
            }

            if (t.Conversations.TurnsWithoutTools > 0)
            {
                parts.Add($"{Plural(t.Conversations.TurnsWithoutTools, "loop")} spent {(t.Conversations.TurnsWithoutTools == 1 ? "its" : "their")} {caps.MaxToolCalls} tool calls ([AgentLoop(MaxToolCalls = {caps.MaxToolCalls})]) and had to answer without tools");
            }

            if (parts.Count > 0)
            {
                yield return $"{t.Tenant}: {string.Join("; ", parts)}.";
            }
        }

        foreach (AnomalyReport anomaly in report.Anomalies)
        {
            yield return $"{anomaly.Tenant}: spend anomaly flagged at {Clock(anomaly.At)}. {anomaly.Detail}";
        }

        foreach (TenantReport t in report.Tenants.Where(t => t.FirstDenialWithRetryAfter is not null).Take(2))
        {
            DenialExample d = t.FirstDenialWithRetryAfter!;
            yield return $"{t.Tenant}: {Plural(t.Conversations.DenialsWithRetryAfter, "refusal")} told the agent when to retry, e.g. {d.Tool}: \"{d.Message}\"";
        }

        if (report.Pools.Count > 0)
        {
            yield return "Compute pools, peak slots in use: " + string.Join(", ", report.Pools.Select(p => $"{p.Pool} {p.PeakInUse}/{p.Concurrency}")) + ".";
        }

        if (report.Models.Count > 0)
        {
            yield return "Model routing: " + string.Join(", ", report.Models.Select(m =>
                $"{m.Model} {Plural((int)m.Turns, "turn")} ({m.Rerouted} moved there from a saturated or slow preferred model, {m.Waited} waited{(m.Refused > 0 ? $", {m.Refused} refused" : string.Empty)})")) + ".";
        }

        yield return $"{report.AuditRecords:#,0} audit records under policy {report.PolicyVersion}; {Clock(report.Elapsed)} of {(report.VirtualTime ? "simulated" : "real")} time.";
    }

    private static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < columns.Length; i++)
        {
            table.AddColumn(new TableColumn(columns[i]) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        }

        return table;
    }

    private static string Conversations(ConversationCounts c) =>
        $"{c.Answered}/{c.Started} answered" + (c.Stopped > 0 ? $", {c.Stopped} stopped" : string.Empty) + (c.CutOff > 0 ? $", {c.CutOff} cut off" : string.Empty);

    private static string Counts<TKey>(IReadOnlyDictionary<TKey, int> counts)
        where TKey : notnull =>
        counts.Count == 0 ? "-" : string.Join(", ", counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));

    private static string Waits(QueueWaitStats w) => w.Calls == 0 ? "-" : $"{Seconds(w.P50)} / {Seconds(w.P95)} / {Seconds(w.P99)}";

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    internal static string Clock(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"mm\:ss", CultureInfo.InvariantCulture);

    private static string Plural(int n, string noun) => n.ToString("#,0", CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? string.Empty : "s");

    private static string N(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Units(double u) => u.ToString("#,0", CultureInfo.InvariantCulture);
}
