using System.Globalization;
using AgentQuotas.Cli.Commands;
using AgentQuotas.Cli.Reporting.Charts;
using AgentQuotas.Simulation;

namespace AgentQuotas.Cli.Reporting;

/// <summary>Renders a <see cref="SimulationReport"/> as a self-contained HTML page with SVG charts.</summary>
internal static class SimulationHtml
{
    // One colour per workload class, in enum order (Critical, High, Standard, Batch).
    internal static readonly string[] ClassColors = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4"];

    private static readonly string[] PoolColors = ["#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Render(SimulationReport report)
    {
        SimulationOptions o = report.Options;
        var html = new HtmlReport("AgentQuotas fairness simulation")
            .Paragraph(string.Format(
                CultureInfo.InvariantCulture,
                "{0} tenants of equal weight offered {1:0.##}x their refill rate for {2} of virtual time (seed {3}, policy {4}); {5:#,0} events.",
                o.Tenants, o.OverloadFactor, CheckCommand.Duration(o.Duration), o.Seed, report.PolicyVersion, report.Events))
            .Heading("Key figures")
            .Table(
                ["measure", "value"],
                [
                    ["Jain's fairness index across tenants", report.JainIndex.ToString("0.0000", CultureInfo.InvariantCulture)],
                    ["over-admission (units / pool slots)", $"{report.OverAdmission.ToString("0.###", CultureInfo.InvariantCulture)} / {report.PoolOverAdmission}"],
                    ["Critical p99 queue wait", SimulateCommand.S(report[WorkloadClass.Critical].QueueWaitP99)],
                    ["time to refill one Critical request", SimulateCommand.S(report.CriticalRefillTime)],
                    ["Batch share of capacity (reserved)", $"{SimulateCommand.P(report[WorkloadClass.Batch].ShareOfCapacity)} ({SimulateCommand.P(report.BatchReservedShare)})"],
                    ["circuit breaker openings", report.CircuitOpenings.ToString(CultureInfo.InvariantCulture)],
                    ["requests still waiting at the end", SimulateCommand.N(report.Unfinished)],
                    ["refused by reason", report.DenialsByReason.Count == 0 ? "none" : string.Join(", ", report.DenialsByReason.Select(r => $"{r.Key} {r.Value:#,0}"))],
                ])
            .Heading("Per class")
            .Table(
                ["class", "offered", "admitted", "queued", "degraded", "denied", "completion", "share of capacity", "wait p50", "wait p95", "wait p99", "wait max"],
                report.Classes.Select(c => (IReadOnlyList<string>)
                [
                    c.Class.ToString(), SimulateCommand.N(c.Offered), SimulateCommand.N(c.Admitted), SimulateCommand.N(c.Queued),
                    SimulateCommand.N(c.Degraded), SimulateCommand.N(c.Denied), SimulateCommand.P(c.CompletionRate), SimulateCommand.P(c.ShareOfCapacity),
                    SimulateCommand.S(c.QueueWaitP50), SimulateCommand.S(c.QueueWaitP95), SimulateCommand.S(c.QueueWaitP99), SimulateCommand.S(c.QueueWaitMax),
                ]))
            .Heading("Charts");

        IReadOnlyList<SimulationSample> series = report.Series;
        double[] xs = series.Select(s => s.Start.TotalSeconds).ToArray();
        html.Chart(SvgChart.Lines(
            "Queue wait per class (p95 of each interval)", "simulated time (s)", "wait (s)",
            Enum.GetValues<WorkloadClass>().Select(c => new ChartSeries(
                c.ToString(),
                series.Where(s => double.IsFinite(s.QueueWaitP95Seconds[(int)c])).Select(s => (s.Start.TotalSeconds, s.QueueWaitP95Seconds[(int)c])).ToList(),
                ClassColors[(int)c])).ToList()));
        html.Chart(SvgChart.StackedBars(
            "Admitted per interval, by class", "simulated time (s)", "requests", xs,
            Enum.GetValues<WorkloadClass>().Select(c => (c.ToString(), ClassColors[(int)c], (IReadOnlyList<double>)series.Select(s => (double)s.Admitted[(int)c]).ToList())).ToList()));
        html.Chart(SvgChart.StackedBars(
            "Degraded (served by a fallback) and refused per interval", "simulated time (s)", "requests", xs,
            [
                ("degraded", "#bcbd22", series.Select(s => (double)s.Degraded).ToList()),
                ("refused", "#7f7f7f", series.Select(s => (double)s.Denied).ToList()),
            ]));
        html.Chart(SvgChart.Lines(
            "Mean bucket level and requests waiting", "simulated time (s)", "units / requests",
            [
                new ChartSeries("mean bucket level", series.Select(s => (s.Start.TotalSeconds, s.MeanBucketLevel)).ToList(), "#17becf"),
                new ChartSeries("waiting", series.Select(s => (s.Start.TotalSeconds, (double)s.Waiting)).ToList(), "#9467bd"),
            ]));
        if (report.PoolNames.Count > 0)
        {
            html.Chart(SvgChart.Lines(
                "Compute-pool slots in use", "simulated time (s)", "slots",
                report.PoolNames.Select((name, i) => new ChartSeries(
                    name, series.Select(s => (s.Start.TotalSeconds, (double)s.PoolInUse[i])).ToList(), PoolColors[i % PoolColors.Length])).ToList()));
        }

        html.Heading("Per tenant")
            .Table(
                ["tenant", "bursting", "offered", "admitted", "served units", "degraded", "denied"],
                report.Tenants.Select(t => (IReadOnlyList<string>)
                [
                    t.Tenant, t.Bursting ? "yes" : "no", SimulateCommand.N(t.Offered), SimulateCommand.N(t.Admitted),
                    t.ServedUnits.ToString("#,0.#", CultureInfo.InvariantCulture), SimulateCommand.N(t.Degraded), SimulateCommand.N(t.Denied),
                ]));
        return html.Render();
    }
}
