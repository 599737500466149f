using AgentQuotas.Benchmarks.Infrastructure;
using BenchmarkDotNet.Running;

namespace AgentQuotas.Benchmarks;

/// <summary>
/// Entry point. BenchmarkDotNet selection (<c>--filter '*Hot*'</c>, <c>--list flat</c>, <c>--quick</c> for a
/// short development job) plus commands that are not BenchmarkDotNet runs: <c>compile-time</c> (timed
/// <c>dotnet build</c>s of a generated 2,000-tool project), <c>bucket-memory</c> (retained bytes per
/// in-memory bucket), <c>generator-steps</c> (how each incremental generator step came out after a one-line
/// edit), <c>generator-ratio</c> (cold and incremental generator runs timed side by side)
/// and <c>profile-loop</c> (the guarded call in a loop, for a sampling profiler).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compile-time")
        {
            return await CompileTime.CompileTimeRunner.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "bucket-memory")
        {
            return Scale.BucketMemoryReport.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "generator-steps")
        {
            Console.WriteLine(CompileTime.GeneratorDriverBenchmarks.DescribeIncremental(CompileTime.SyntheticProject.EditKind.SameLength));
            Console.WriteLine(CompileTime.GeneratorDriverBenchmarks.DescribeIncremental(CompileTime.SyntheticProject.EditKind.AddedLine));
            return 0;
        }

        if (args.Length > 0 && args[0] == "generator-ratio")
        {
            int runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(9);
            Console.WriteLine(CompileTime.GeneratorDriverBenchmarks.MeasureRatios(runs));
            return 0;
        }

        if (args.Length > 0 && args[0] == "profile-loop")
        {
            return ProfileLoop.Run(args[1..]);
        }

        string[] bdnArgs = args.Where(a => a != "--quick").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(bdnArgs, BenchConfig.Create(args));
        return 0;
    }
}
