namespace SupportDesk.Workload;

/// <summary>A noisy tenant's bursts: every <see cref="Every"/>, for <see cref="Length"/>, conversations come every <see cref="MeanInterval"/>.</summary>
/// <param name="FirstAt">When the first burst starts.</param>
/// <param name="Every">Time from one burst's start to the next.</param>
/// <param name="Length">How long a burst lasts.</param>
/// <param name="MeanInterval">Mean time between conversations during a burst.</param>
public sealed record BurstPattern(TimeSpan FirstAt, TimeSpan Every, TimeSpan Length, TimeSpan MeanInterval)
{
    /// <summary>Whether <paramref name="elapsed"/> falls in a burst.</summary>
    /// <param name="elapsed">Time since the start of the run.</param>
    public bool IsBursting(TimeSpan elapsed) =>
        elapsed >= FirstAt && (elapsed - FirstAt).Ticks % Every.Ticks < Length.Ticks;

    /// <summary>When the next burst starts or the current one ends, after <paramref name="elapsed"/>.</summary>
    /// <param name="elapsed">Time since the start of the run.</param>
    public TimeSpan NextChange(TimeSpan elapsed)
    {
        if (elapsed < FirstAt)
        {
            return FirstAt;
        }

        var offset = TimeSpan.FromTicks((elapsed - FirstAt).Ticks % Every.Ticks);
        return offset < Length ? elapsed + (Length - offset) : elapsed + (Every - offset);
    }
}
