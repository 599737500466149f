using AgentQuotas.Audit;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Tests.AuditSinks;

// A sink that loses records says so: the metric every time, the log at the first loss and at each power of
// two. Losses reported one batch at a time add up in Dropped; a sink that counts itself keeps the count.
public class AuditDropReporterTests
{
    [Fact]
    public void Reported_losses_add_up_and_are_logged_at_the_first_and_at_each_power_of_two()
    {
        var logger = new CountingLogger();
        var reporter = new AuditDropReporter("test", logger);

        reporter.Report(0, "nothing");
        reporter.Report(-3, "nothing");
        Assert.Equal(0, reporter.Dropped);
        Assert.Equal(0, logger.Entries);

        for (int i = 0; i < 10; i++)
        {
            reporter.Report(1, "full");
        }

        Assert.Equal(10, reporter.Dropped);
        Assert.Equal(4, logger.Entries); // totals 1, 2, 4, 8
        reporter.Report(7, "full");      // 10 -> 17 passes 16
        Assert.Equal(17, reporter.Dropped);
        Assert.Equal(5, logger.Entries);
    }

    [Fact]
    public void Losses_a_sink_counts_itself_are_logged_at_powers_of_two_and_stay_out_of_the_reporters_total()
    {
        var logger = new CountingLogger();
        var reporter = new AuditDropReporter("test", logger);

        for (long total = 1; total <= 9; total++)
        {
            reporter.ReportCounted(total, "overwrote");
        }

        Assert.Equal(4, logger.Entries); // totals 1, 2, 4 and 8
        Assert.Equal(0, reporter.Dropped); // the sink's own count is the authority

        reporter.Report(2, "full");
        Assert.Equal(2, reporter.Dropped);
    }

    private sealed class CountingLogger : ILogger
    {
        private int _entries;

        public int Entries => Volatile.Read(ref _entries);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Interlocked.Increment(ref _entries);
    }
}
