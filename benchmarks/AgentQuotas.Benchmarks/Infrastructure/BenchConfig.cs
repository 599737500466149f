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
        Job job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId(quick ? "InProcessQuick" : "InProcess");
        if (quick)
        {
            // For development: a short run; figures in docs/benchmarks.md come from the full job.
            job = job.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1);
        }

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
