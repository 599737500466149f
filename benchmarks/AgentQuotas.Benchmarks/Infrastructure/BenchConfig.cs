using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>
/// The configuration every benchmark runs with. BenchmarkDotNet 0.14.0 predates .NET 10 and its default
/// out-of-process toolchain cannot build a net10.0 host (it reports 0 ns), so benchmarks run in process
/// with the emitting toolchain: the same warmup, pilot and iteration logic, in this process.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create(string[] args)
    {
        bool quick = args.Contains("--quick");

        // A fixed number of iterations, so a run takes a predictable time on a shared machine (the default job
        // keeps iterating up to 100 times while the noise stays high). --quick is for development only; the
        // figures in docs/benchmarks.md come from the full job.
        Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1)
            .WithWarmupCount(quick ? 2 : 3)
            .WithIterationCount(quick ? 5 : 15)
            .WithId(quick ? "InProcessQuick" : "InProcess");

        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
    }
}
