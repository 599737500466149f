using System.Diagnostics;

namespace AgentQuotas.Audit;

/// <summary>
/// Turns the monotonic timestamp a decision already read into the wall-clock time of its audit record,
/// so a decision reads the clock once (for its bucket, its deadline check and its record) instead of
/// twice.
/// </summary>
/// <remarks>
/// With <see cref="TimeProvider.System"/> the wall-clock time is the monotonic timestamp plus an offset
/// that is re-anchored to <see cref="TimeProvider.GetUtcNow"/> at most every <see cref="AnchorInterval"/>:
/// between anchors the two clocks can drift apart only by the NTP slew rate (at most 0.5 ms per second),
/// and a step of the wall clock shows in records within one interval. Any other provider (virtual time in
/// tests, a custom clock) is asked for <see cref="TimeProvider.GetUtcNow"/> every time, exactly as before.
/// <para>
/// The record that ends an admitted call (completed or failed) reads no precise clock at all on
/// <see cref="TimeProvider.System"/>: <see cref="UtcNotBefore"/> stamps it from <see cref="Environment.TickCount64"/>
/// (a coarse monotonic clock, cheaper to read: one to a few milliseconds of resolution on Linux, about 16 ms on
/// Windows) on an offset anchored to this clock's derived wall-clock time, never earlier than its admission's
/// record. Buckets never see this time: they decide on the precise timestamp, so admitted units stay within
/// capacity + burst + refill x elapsed on the bucket's clock.
/// </para>
/// </remarks>
internal sealed class AuditClock
{
    /// <summary>How often the offset is re-anchored to the wall clock.</summary>
    public static readonly TimeSpan AnchorInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly bool _derive;
    private readonly long _anchorTimestamps;
    private readonly long _divisor;
    private readonly double _scale;
    private long _offsetTicks;      // UTC ticks minus monotonic ticks at the last anchor
    private long _nextAnchor = long.MinValue; // timestamp after which the offset is re-anchored
    private long _coarseOffsetTicks;  // derived UTC ticks minus TickCount64 (in ticks) at the last coarse anchor
    private long _nextCoarseAnchor = long.MinValue; // TickCount64 after which the coarse offset is re-anchored

    public AuditClock(TimeProvider time)
    {
        _time = time;
        _derive = ReferenceEquals(time, TimeProvider.System);
        long frequency = time.TimestampFrequency;
        _anchorTimestamps = (long)(AnchorInterval.TotalSeconds * frequency);
        if (frequency % TimeSpan.TicksPerSecond == 0)
        {
            _divisor = frequency / TimeSpan.TicksPerSecond;
        }
        else
        {
            _scale = (double)TimeSpan.TicksPerSecond / frequency;
        }
    }

    /// <summary>The provider's monotonic timestamp now (on <see cref="TimeProvider.System"/> read directly, without the virtual call).</summary>
    public long Timestamp() => _derive ? Stopwatch.GetTimestamp() : _time.GetTimestamp();

    /// <summary>The wall-clock time (UTC) at <paramref name="timestamp"/>, a timestamp of the provider read just now.</summary>
    public DateTimeOffset UtcAt(long timestamp)
    {
        if (!_derive)
        {
            return _time.GetUtcNow();
        }

        if (timestamp >= Volatile.Read(ref _nextAnchor))
        {
            Anchor(timestamp);
        }

        return new DateTimeOffset(ToTicks(timestamp) + Volatile.Read(ref _offsetTicks), TimeSpan.Zero);
    }

    /// <summary>
    /// The wall-clock time (UTC) now for a record that must not be earlier than <paramref name="notBeforeUtcTicks"/>
    /// (its admission's record time, in UTC ticks): on <see cref="TimeProvider.System"/> from the coarse clock
    /// (see the remarks), raised to <paramref name="notBeforeUtcTicks"/> when the coarse clock is behind it;
    /// any other provider is asked for <see cref="TimeProvider.GetUtcNow"/>, exactly.
    /// </summary>
    public DateTimeOffset UtcNotBefore(long notBeforeUtcTicks)
    {
        if (!_derive)
        {
            return _time.GetUtcNow();
        }

        long ms = Environment.TickCount64;
        if (ms >= Volatile.Read(ref _nextCoarseAnchor))
        {
            AnchorCoarse(ms);
        }

        long utc = ms * TimeSpan.TicksPerMillisecond + Volatile.Read(ref _coarseOffsetTicks);
        return new DateTimeOffset(Math.Max(utc, notBeforeUtcTicks), TimeSpan.Zero);
    }

    // Anchored to the derived time (not GetUtcNow) so coarse and precise records of one gate agree up to the coarse
    // clock's resolution. Racing anchors are harmless, as below.
    private void AnchorCoarse(long ms)
    {
        long utc = UtcAt(_time.GetTimestamp()).UtcTicks;
        long now = Environment.TickCount64;
        Volatile.Write(ref _coarseOffsetTicks, utc - now * TimeSpan.TicksPerMillisecond);
        Volatile.Write(ref _nextCoarseAnchor, Math.Max(ms, now) + (long)AnchorInterval.TotalMilliseconds);
    }

    // Racing anchors are harmless: each writes an offset read from the clocks just now.
    private void Anchor(long timestamp)
    {
        long utc = _time.GetUtcNow().UtcTicks;
        long now = _time.GetTimestamp();
        Volatile.Write(ref _offsetTicks, utc - ToTicks(now));
        Volatile.Write(ref _nextAnchor, Math.Max(timestamp, now) + _anchorTimestamps);
    }

    // The usual frequencies get a division by a constant (a multiplication), not a 64-bit division: 1 GHz (Linux, macOS)
    // and 10 MHz (Windows).
    private long ToTicks(long timestamp) => _divisor switch
    {
        100 => timestamp / 100,
        1 => timestamp,
        0 => (long)(timestamp * _scale),
        _ => timestamp / _divisor,
    };
}
