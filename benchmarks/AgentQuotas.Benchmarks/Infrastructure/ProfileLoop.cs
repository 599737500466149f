using System.Diagnostics;
using AgentQuotas.Benchmarks.Hot;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>
/// <c>profile-loop &lt;seconds&gt;</c>: calls the generated guarded tool in a loop, for a sampling profiler
/// (<c>DOTNET_PerfMapEnabled=1 perf record -g dotnet ... profile-loop 10</c>). Not a benchmark.
/// </summary>
public static class ProfileLoop
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var bench = new HotPathBenchmarks();
        bench.Setup();
        long calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 100_000; i++)
            {
                bench.Sync_Guarded();
            }

            calls += 100_000;
        }

        Console.WriteLine($"{calls} guarded calls, {watch.Elapsed.TotalNanoseconds / calls:0.0} ns per call");
        bench.Cleanup();
        return 0;
    }
}
