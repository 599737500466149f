using AgentQuotas.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentQuotas.Tests.AuditSinks;

// A sink that loses records says so: the metric every time, the log at the first loss and at each power of
// two. Losses reported one batch at a time add up in Dropped; a sink that counts itself keeps the count.
public class AuditDropReporterTests
{
    [Fact]
    public void Reported_losses_add_up_and_are_logged_at_the_first_and_at_each_power_of_two()
    {
        var logger = new FakeLogger();
        var reporter = new AuditDropReporter("test", logger);

        reporter.Report(0, "nothing");
        reporter.Report(-3, "nothing");
        Assert.Equal(0, reporter.Dropped);
        Assert.Equal(0, logger.Collector.Count);

        for (int i = 0; i < 10; i++)
        {
            reporter.Report(1, "full");
        }

        Assert.Equal(10, reporter.Dropped);
        Assert.Equal(4, logger.Collector.Count); // totals 1, 2, 4, 8
        reporter.Report(7, "full");      // 10 -> 17 passes 16
        Assert.Equal(17, reporter.Dropped);
        Assert.Equal(5, logger.Collector.Count);
        IReadOnlyList<FakeLogRecord> records = logger.Collector.GetSnapshot();
        Assert.Equal(["1", "2", "4", "8", "17"], records.Select(r => r.GetStructuredStateValue("Total")));
        Assert.All(records, r => Assert.Equal(LogLevel.Warning, r.Level));
    }

    [Fact]
    public void Losses_a_sink_counts_itself_are_logged_at_powers_of_two_and_stay_out_of_the_reporters_total()
    {
        var logger = new FakeLogger();
        var reporter = new AuditDropReporter("test", logger);

        for (long total = 1; total <= 9; total++)
        {
            reporter.ReportCounted(total, "overwrote");
        }

        Assert.Equal(4, logger.Collector.Count); // totals 1, 2, 4 and 8
        Assert.Equal(0, reporter.Dropped); // the sink's own count is the authority

        reporter.Report(2, "full");
        Assert.Equal(2, reporter.Dropped);
    }
}
