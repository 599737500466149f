namespace SupportDesk.Reporting;

/// <summary>How long admitted tool calls waited in the gate's queues (bucket and pool waits together), nearest-rank percentiles over every admitted call (most wait 0).</summary>
/// <param name="Calls">Admitted calls measured.</param>
/// <param name="P50">Median wait.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Longest wait.</param>
public sealed record QueueWaitStats(int Calls, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max)
{
    /// <summary>No calls.</summary>
    public static QueueWaitStats Empty { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Computes the statistics of <paramref name="waits"/>.</summary>
    /// <param name="waits">One wait per admitted call.</param>
    public static QueueWaitStats From(IEnumerable<TimeSpan> waits)
    {
        ArgumentNullException.ThrowIfNull(waits);
        TimeSpan[] sorted = [.. waits.Order()];
        return sorted.Length == 0
            ? Empty
            : new QueueWaitStats(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static TimeSpan Rank(TimeSpan[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
