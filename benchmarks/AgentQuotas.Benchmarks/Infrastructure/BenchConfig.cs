using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>
/// The configuration every benchmark runs with: BenchmarkDotNet's default toolchain, so each benchmark runs
/// out of process in a net10.0 host it builds (BenchmarkDotNet 0.15.8; 0.14.0 could not, and the suite ran in
/// process until then). Figures a case computes itself (latency percentiles, round trips) cross from the
/// host to this process through <see cref="CaseColumns.Publish"/>.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create(string[] args)
    {
        bool quick = args.Contains("--quick");

        // A fixed number of iterations, so a run takes a predictable time on a shared machine (the default job
        // keeps iterating up to 100 times while the noise stays high). --quick is for development only; the
        // figures in docs/benchmarks.md come from the full job.
        Job job = Job.Default.WithLaunchCount(1)
            .WithWarmupCount(quick ? 2 : 3)
            .WithIterationCount(quick ? 5 : 15)
            .WithId(quick ? "Quick" : "OutOfProcess");

        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile)
            .WithBuildTimeout(TimeSpan.FromMinutes(15)); // the host build takes minutes on a busy 2-core machine
    }
}
