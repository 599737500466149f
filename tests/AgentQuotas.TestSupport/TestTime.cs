using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Testing;

/// <summary>
/// Virtual time for tests on <see cref="FakeTimeProvider"/>: time moves only when a test advances it, and timers
/// fire in due order, each at its due time, during the advance.
/// </summary>
public static class TestTime
{
    /// <summary>Where test clocks start unless a test needs another moment (a weekday morning, UTC).</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock at <see cref="Start"/>.</summary>
    public static FakeTimeProvider Create() => new(Start);

    /// <summary>Advances the clock by <paramref name="seconds"/>, firing every timer that falls due.</summary>
    public static void Advance(this FakeTimeProvider time, double seconds) =>
        time.Advance(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)));

    /// <summary>How far the clock has moved since it was created.</summary>
    public static TimeSpan Elapsed(this FakeTimeProvider time) => time.GetUtcNow() - time.Start;
}
