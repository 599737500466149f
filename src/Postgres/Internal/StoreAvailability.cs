namespace AgentQuotas.Postgres.Internal;

/// <summary>
/// Whether the server is reachable, as a small circuit: after a failure every request is decided by the
/// failure mode at once, except one request (the probe) that tries the server: right after the first
/// failure, then after the retry interval, doubling after each failed probe up to its maximum. Success
/// closes the circuit.
/// </summary>
internal sealed class StoreAvailability
{
    private readonly TimeProvider _time;
    private readonly long _initialBackoff;
    private readonly long _maxBackoff;
    private readonly object _lock = new();
    private readonly Action<bool, string?>? _changed;
    private volatile bool _down;
    private long _retryAt;
    private long _backoff;
    private int _probing;
    private string? _reason;

    /// <param name="time">The clock for retries.</param>
    /// <param name="retryInterval">The first wait between probes.</param>
    /// <param name="maxRetryInterval">The longest wait between probes.</param>
    /// <param name="changed">
    /// Told of each change (available, reason) while the change is made, under the lock, so changes reach it
    /// in the order they happened; it must only hand the news on, never block or call back in.
    /// </param>
    public StoreAvailability(TimeProvider time, TimeSpan retryInterval, TimeSpan maxRetryInterval, Action<bool, string?>? changed = null)
    {
        _time = time;
        _changed = changed;
        _initialBackoff = ToTimestamp(retryInterval);
        _maxBackoff = ToTimestamp(maxRetryInterval);
        _backoff = _initialBackoff;
    }

    public bool IsAvailable => !_down;

    public string Reason => Volatile.Read(ref _reason) ?? "unknown";

    /// <summary>Whether a request may go to the server now; <paramref name="probe"/> is set for the one that tests a down server.</summary>
    public bool TryEnter(out bool probe)
    {
        probe = false;
        if (!_down)
        {
            return true;
        }

        if (_time.GetTimestamp() >= Interlocked.Read(ref _retryAt) && Interlocked.CompareExchange(ref _probing, 1, 0) == 0)
        {
            probe = true;
            return true;
        }

        return false;
    }

    /// <summary>Records a round trip that worked; returns whether the server just came back.</summary>
    public bool OnSuccess(bool probe)
    {
        if (probe)
        {
            // Always release the probe slot, even when another request closed the circuit first; a slot left
            // taken would stop every later outage from ever being probed.
            Volatile.Write(ref _probing, 0);
        }

        if (!_down)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_down)
            {
                return false;
            }

            _down = false;
            _backoff = _initialBackoff;
            _changed?.Invoke(true, null);
            return true;
        }
    }

    /// <summary>Records a failed round trip; returns whether the server was available until now.</summary>
    public bool OnFailure(string reason, bool probe)
    {
        lock (_lock)
        {
            Volatile.Write(ref _reason, reason);
            bool wasUp = !_down;
            if (wasUp)
            {
                // The first failure may only be a pooled connection that died with a restarted server: the next
                // request tries a fresh connection at once; after that, tries back off.
                _backoff = _initialBackoff;
                Interlocked.Exchange(ref _retryAt, _time.GetTimestamp());
                _down = true;
                _changed?.Invoke(false, reason);
            }
            else if (probe)
            {
                Interlocked.Exchange(ref _retryAt, _time.GetTimestamp() + _backoff);
                _backoff = Math.Min(_backoff * 2, _maxBackoff);
            }

            if (probe)
            {
                Volatile.Write(ref _probing, 0);
            }

            return wasUp;
        }
    }

    /// <summary>A request entered as the probe ended without a verdict (cancelled): let another try.</summary>
    public void AbandonProbe() => Volatile.Write(ref _probing, 0);

    private long ToTimestamp(TimeSpan span) => (long)(span.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
