using AgentQuotas.Benchmarks.Infrastructure;
using BenchmarkDotNet.Running;

namespace AgentQuotas.Benchmarks;

/// <summary>
/// Entry point. BenchmarkDotNet selection (<c>--filter '*Hot*'</c>, <c>--list flat</c>) plus two commands
/// that are not BenchmarkDotNet runs: <c>compile-time</c> (timed <c>dotnet build</c>s of a generated
/// 2,000-tool project) and <c>bucket-memory</c> (retained bytes per in-memory bucket).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        await Task.Yield();
        if (args.Length > 0 && args[0] == "bucket-memory")
        {
            return Scale.BucketMemoryReport.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "debug-pg")
        {
            var b = new Postgres.PostgresLeasingOffBenchmarks { Callers = 16, Buckets = Postgres.PostgresBenchmarks.Spread.OneBucket };
            await b.SetupAsync();
            var w = System.Diagnostics.Stopwatch.StartNew();
            b.LeasingOff();
            Console.WriteLine($"{1024 / w.Elapsed.TotalSeconds:0}/s");
            w.Restart();
            b.LeasingOff();
            Console.WriteLine($"{1024 / w.Elapsed.TotalSeconds:0}/s");
            await b.CleanupAsync();
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
