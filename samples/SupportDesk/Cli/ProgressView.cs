using System.Globalization;
using Spectre.Console;
using SupportDesk.Hosting;
using SupportDesk.Reporting;

namespace SupportDesk.Cli;

/// <summary>Shows a run's progress: a live table per tenant on an interactive terminal, one plain line per interval otherwise (CI logs, tests).</summary>
internal static class ProgressView
{
    /// <summary>A line that sums up the run so far.</summary>
    public static string Line(ProgressSnapshot s)
    {
        int started = s.Tenants.Sum(t => t.Started), ended = s.Tenants.Sum(t => t.Ended);
        string flagged = string.Join(", ", s.Tenants.Where(t => t.Flagged).Select(t => t.Tenant));
        string time = ReportRenderer.Clock(s.Elapsed) + (s.Draining ? " draining" : "/" + ReportRenderer.Clock(s.Duration));
        string anomaly = flagged.Length == 0 ? string.Empty : " | anomaly: " + flagged;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{time}] conversations {started} started, {ended} ended | tool calls {s.Tenants.Sum(t => t.Admitted)} admitted, {s.Tenants.Sum(t => t.Queued)} queued, {s.Tenants.Sum(t => t.Degraded)} degraded, {s.Tenants.Sum(t => t.Denied)} denied | waiting now {s.WaitingNow} | pool slots {s.SlotsInUse}/{s.Slots}{anomaly}");
    }

    /// <summary>The live table's empty shape.</summary>
    public static Table NewLiveTable()
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in (string[])["tenant", "tier", "conversations", "admitted", "queued", "degraded", "denied", "cost", ""])
        {
            table.AddColumn(new TableColumn(column) { Alignment = column == "tenant" ? Justify.Left : Justify.Right });
        }

        return table;
    }

    /// <summary>Fills the live table with <paramref name="s"/>.</summary>
    public static void Update(Table table, ProgressSnapshot s)
    {
        table.Rows.Clear();
        foreach (TenantProgress t in s.Tenants)
        {
            table.AddRow(
                Markup.Escape(t.Tenant),
                Markup.Escape(t.Tier),
                $"{t.Ended}/{t.Started}",
                N(t.Admitted),
                N(t.Queued),
                t.Degraded == 0 ? "0" : $"[yellow]{N(t.Degraded)}[/]",
                t.Denied == 0 ? "0" : $"[red]{N(t.Denied)}[/]",
                t.Cost.ToString("#,0", CultureInfo.InvariantCulture),
                t.Flagged ? "[red bold]anomaly: quarantined[/]" : string.Empty);
        }

        double done = s.Duration <= TimeSpan.Zero ? 1 : Math.Min(1, s.Elapsed / s.Duration);
        int width = 30, filled = (int)Math.Round(done * width);
        string time = ReportRenderer.Clock(s.Elapsed) + (s.Draining ? " (finishing the last conversations)" : " of " + ReportRenderer.Clock(s.Duration));
        table.Caption(new TableTitle(string.Create(CultureInfo.InvariantCulture,
            $"{new string('#', filled)}{new string('.', width - filled)} {time}  |  waiting in queues: {s.WaitingNow}  |  pool slots in use: {s.SlotsInUse}/{s.Slots}")));
    }

    private static string N(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
