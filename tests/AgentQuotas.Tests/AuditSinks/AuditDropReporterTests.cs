using AgentQuotas.Audit;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Tests.AuditSinks;

// A sink that loses records says so: Dropped is the total, and the log speaks at the first loss and at each
// power of two, whether the sink reports losses one batch at a time or keeps its own count.
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
    public void Losses_a_sink_counts_itself_raise_the_total_and_never_lower_it()
    {
        var logger = new CountingLogger();
        var reporter = new AuditDropReporter("test", logger);

        reporter.ReportCounted(1, "overwrote");
        reporter.ReportCounted(2, "overwrote");
        reporter.ReportCounted(3, "overwrote");
        Assert.Equal(3, reporter.Dropped);

        // Racing writers may report their totals out of order: the highest one stands.
        reporter.ReportCounted(8, "overwrote");
        reporter.ReportCounted(5, "overwrote");
        Assert.Equal(8, reporter.Dropped);
        Assert.Equal(3, logger.Entries); // totals 1, 2 and 8
    }

    [Fact]
    public void Concurrent_self_counted_reports_leave_the_highest_total()
    {
        var reporter = new AuditDropReporter("test", new CountingLogger());
        Parallel.For(1, 100_001, new ParallelOptions { MaxDegreeOfParallelism = 4 }, total => reporter.ReportCounted(total, "overwrote"));
        Assert.Equal(100_000, reporter.Dropped);
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
