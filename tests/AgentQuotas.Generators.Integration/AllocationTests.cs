using System.Diagnostics;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Xunit.Abstractions;

namespace AgentQuotas.Generators.Integration;

/// <summary>
/// The guard adds no allocation on the admitted path: the tools below allocate nothing themselves, so
/// any byte counted here would come from the generated interceptor or the gate.
/// </summary>
public sealed class AllocationTests(ITestOutputHelper output) : IDisposable
{
    private const int Calls = 2_000;
    private readonly QuotaGate _gate = new(
        QuotaPolicy.Parse("""{ "version": "alloc-1", "tiers": { "t": { "categories": { "search": { "capacity": 1000000000, "refillPerSecond": 1000000 } } } }, "defaultTier": "t" }"""),
        new QuotaGateOptions { TimeProvider = new ManualTimeProvider() });

    private readonly SupportTools _tools = new();

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void A_synchronous_admitted_call_allocates_nothing()
    {
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "bench"));
        Measure("sync", () => _tools.Add(1, 2));
    }

    [Fact]
    public void An_async_admitted_call_that_completes_synchronously_allocates_nothing()
    {
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "bench"));
        Measure("Task<T>", () => _tools.CachedAsync().GetAwaiter().GetResult());
        Measure("ValueTask<T>", () => _tools.CountAsync(1).GetAwaiter().GetResult());
    }

    private void Measure<T>(string name, Func<T> call)
    {
        for (int i = 0; i < 200; i++)
        {
            call();   // warm up: JIT, bucket creation, static fields
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < Calls; i++)
        {
            call();
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{name}: {allocated / (double)Calls:0.##} bytes and {elapsed.TotalNanoseconds / Calls:0} ns per guarded call (debug build, not a benchmark)");
        Assert.Equal(0, allocated);
    }
}
