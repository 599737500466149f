using System.Runtime.CompilerServices;
using AgentQuotas.Policy;

namespace AgentQuotas.Resilience;

/// <summary>
/// The circuit breaker of one quota category, shared by every tenant (the category's backend is shared):
/// <see cref="CircuitBreakerSettings.FailureThreshold"/> consecutive failed calls open it for
/// <see cref="CircuitBreakerSettings.BreakDuration"/>; then one probe call is let through, whose success
/// closes it and whose failure opens it again. Thread-safe.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private CircuitState _state;
    private int _failures;
    private long _openUntil;     // timestamp
    private long _probeSince;    // timestamp; 0 when no probe is out
    private TimeSpan _breakDuration;
    private bool _counted;       // counted as unhealthy in _unhealthy
    private readonly StrongBox<int> _unhealthy;

    internal CircuitBreaker(string category, TimeProvider time, StrongBox<int> unhealthy)
    {
        Category = category;
        _time = time;
        _unhealthy = unhealthy;
    }

    /// <summary>The category.</summary>
    public string Category { get; }

    /// <summary>The state now (an open breaker whose break is over reads as <see cref="CircuitState.HalfOpen"/>).</summary>
    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                return _state == CircuitState.Open && _time.GetTimestamp() >= _openUntil ? CircuitState.HalfOpen : _state;
            }
        }
    }

    /// <summary>Consecutive failures counted now.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>Whether it is closed with no failure counted (nothing to report or reset).</summary>
    internal bool IsHealthy => Volatile.Read(ref _failures) == 0 && _state == CircuitState.Closed;

    /// <summary>
    /// Asks to let a call through. Closed: yes. Open: no, until the break is over. Half-open: only one probe
    /// at a time (a probe not reported within the break duration is presumed lost and replaced).
    /// </summary>
    internal bool TryEnter(out bool probe, out TimeSpan retryAfter, out (CircuitState From, CircuitState To)? change)
    {
        probe = false;
        retryAfter = TimeSpan.Zero;
        change = null;
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            switch (_state)
            {
                case CircuitState.Closed:
                    return true;

                case CircuitState.Open when now < _openUntil:
                    retryAfter = _time.GetElapsedTime(now, _openUntil);
                    return false;

                case CircuitState.Open:
                    _state = CircuitState.HalfOpen;
                    change = (CircuitState.Open, CircuitState.HalfOpen);
                    break;
            }

            // Half-open.
            if (_probeSince != 0 && _time.GetElapsedTime(_probeSince, now) < _breakDuration)
            {
                retryAfter = _breakDuration - _time.GetElapsedTime(_probeSince, now);
                return false;
            }

            _probeSince = Math.Max(1, now);
            probe = true;
            return true;
        }
    }

    /// <summary>A probe that was let through was not admitted after all (its budget said no): another may go.</summary>
    internal void CancelProbe()
    {
        lock (_lock)
        {
            _probeSince = 0;
        }
    }

    internal (CircuitState From, CircuitState To)? OnSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            (CircuitState, CircuitState)? change = null;
            if (_state == CircuitState.HalfOpen)
            {
                _state = CircuitState.Closed;
                _probeSince = 0;
                change = (CircuitState.HalfOpen, CircuitState.Closed);
            }

            Track();
            return change; // a late success while open does not shorten the break
        }
    }

    internal (CircuitState From, CircuitState To)? OnFailure(CircuitBreakerSettings settings)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _failures++;
            CircuitState from = _state;
            (CircuitState, CircuitState)? change = null;
            if (_state == CircuitState.HalfOpen || (_state == CircuitState.Closed && _failures >= settings.FailureThreshold))
            {
                _state = CircuitState.Open;
                _breakDuration = settings.BreakDuration;
                _openUntil = now + (long)(settings.BreakDuration.TotalSeconds * _time.TimestampFrequency);
                _probeSince = 0;
                change = (from, CircuitState.Open);
            }

            Track();
            return change;
        }
    }

    /// <summary>Closes the breaker and forgets the failures (an operator's reset).</summary>
    internal (CircuitState From, CircuitState To)? Reset()
    {
        lock (_lock)
        {
            CircuitState from = _state;
            _state = CircuitState.Closed;
            _failures = 0;
            _probeSince = 0;
            Track();
            return from == CircuitState.Closed ? null : (from, CircuitState.Closed);
        }
    }

    // Under the lock: keeps the registry's count of unhealthy breakers exact, so a reader that sees zero
    // may skip the lookup. Each breaker's transitions are serialized by its lock.
    private void Track()
    {
        bool unhealthy = _failures != 0 || _state != CircuitState.Closed;
        if (unhealthy != _counted)
        {
            _counted = unhealthy;
            Interlocked.Add(ref _unhealthy.Value, unhealthy ? 1 : -1);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"CircuitBreaker {Category}: {State}, {ConsecutiveFailures} consecutive failures";
}
