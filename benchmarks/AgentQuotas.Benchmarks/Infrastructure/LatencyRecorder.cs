using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentQuotas.Benchmarks.Infrastructure;

/// <summary>
/// Per-operation latencies of one benchmark case, for percentiles BenchmarkDotNet does not compute (its
/// statistics are over iterations, each the mean of many operations). Samples from the first invocation
/// (JIT, connection warm-up) are discarded; after that every operation of every invocation is kept.
/// </summary>
public sealed class LatencyRecorder
{
    private static readonly ConcurrentDictionary<string, LatencyRecorder> Cases = new();
    private readonly long[] _samples;
    private int _count;
    private int _invocations;

    private LatencyRecorder(int capacity) => _samples = new long[capacity];

    public static LatencyRecorder For(string key, int capacity = 1 << 22) => Cases.GetOrAdd(key, _ => new LatencyRecorder(capacity));

    public static LatencyRecorder? Find(string key) => Cases.TryGetValue(key, out LatencyRecorder? recorder) ? recorder : null;

    /// <summary>Called once per invocation, before it.</summary>
    public void BeginInvocation()
    {
        if (Interlocked.Increment(ref _invocations) == 2)
        {
            Volatile.Write(ref _count, 0); // drop the first invocation's samples
        }
    }

    public void Record(long startTimestamp)
    {
        long elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        int index = Interlocked.Increment(ref _count) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = elapsed;
        }
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0..1), or null without samples.</summary>
    public TimeSpan? Percentile(double q)
    {
        int count = Math.Min(Volatile.Read(ref _count), _samples.Length);
        if (count == 0)
        {
            return null;
        }

        long[] sorted = _samples[..count];
        Array.Sort(sorted);
        long ticks = sorted[Math.Clamp((int)Math.Ceiling(q * count) - 1, 0, count - 1)];
        return TimeSpan.FromSeconds(ticks / (double)Stopwatch.Frequency);
    }

    public int Count => Math.Min(Volatile.Read(ref _count), _samples.Length);
}
