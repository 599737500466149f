using System.Globalization;
using AgentQuotas.Stores;

namespace AgentQuotas.Benchmarks.Scale;

/// <summary>
/// <c>bucket-memory</c>: retained bytes per bucket of the in-memory store with 100,000 tenants x 4
/// categories. Retained memory is not something BenchmarkDotNet measures (it counts allocations), so
/// this fills a store and compares <see cref="GC.GetTotalMemory(bool)"/> after full collections.
/// Tenant ids are created before the first measurement: they belong to the application's identities,
/// not to the store.
/// </summary>
public static class BucketMemoryReport
{
    public const int Tenants = 100_000;

    public static readonly string[] Categories = ["search", "payments", "email", "llm"];

    public static int Run(string[] args)
    {
        int tenants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : Tenants;
        string[] ids = TenantIds(tenants);
        var limits = new BucketLimits(capacity: 1000, refillPerSecond: 10);

        long before = Settled();
        var store = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { EvictionInterval = Timeout.InfiniteTimeSpan });
        foreach (string tenant in ids)
        {
            foreach (string category in Categories)
            {
                if (!store.TryAcquire(new QuotaStoreRequest(new BucketKey(tenant, category), limits, 1)).IsAdmitted)
                {
                    throw new InvalidOperationException("A fresh bucket refused its first request.");
                }
            }
        }

        long after = Settled();
        int buckets = store.BucketCount;
        double perBucket = (after - before) / (double)buckets;
        long tenantIdBytes = ids.Sum(id => 22L + (2L * id.Length) + 7 & ~7L);
        Console.WriteLine($"| buckets | retained by the store | per bucket | target | met | tenant id strings (not counted) |");
        Console.WriteLine($"|---:|---:|---:|---:|:--:|---:|");
        Console.WriteLine($"| {buckets:N0} | {(after - before) / 1048576.0:0.0} MiB | {perBucket:0.0} B | <= 128 B | {(perBucket <= 128 ? "yes" : "no")} | {tenantIdBytes / 1048576.0:0.0} MiB ({tenantIdBytes / (double)buckets:0.0} B per bucket) |");
        GC.KeepAlive(store);
        GC.KeepAlive(ids);
        return 0;
    }

    public static string[] TenantIds(int count) =>
        Enumerable.Range(0, count).Select(i => "tenant-" + i.ToString("D6", CultureInfo.InvariantCulture)).ToArray();

    private static long Settled()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
