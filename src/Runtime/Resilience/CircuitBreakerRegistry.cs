using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AgentQuotas.Policy;

namespace AgentQuotas.Resilience;

/// <summary>
/// The gate's circuit breakers, one per category, created on a category's first failure. While every
/// breaker is closed and clean, checking one costs a single volatile read.
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Action<CircuitBreaker, CircuitState, CircuitState, Exception?> _changed;
    private readonly StrongBox<int> _unhealthy = new(); // breakers open, half-open or counting failures (exact)

    internal CircuitBreakerRegistry(TimeProvider time, Action<CircuitBreaker, CircuitState, CircuitState, Exception?> changed)
    {
        _time = time;
        _changed = changed;
    }

    /// <summary>The state of <paramref name="category"/>'s breaker (<see cref="CircuitState.Closed"/> when it has none).</summary>
    /// <param name="category">The category.</param>
    public CircuitState GetState(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return _breakers.TryGetValue(category, out CircuitBreaker? breaker) ? breaker.State : CircuitState.Closed;
    }

    /// <summary>The breaker of <paramref name="category"/>, if it has one yet.</summary>
    /// <param name="category">The category.</param>
    /// <param name="breaker">The breaker.</param>
    public bool TryGet(string category, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        ArgumentNullException.ThrowIfNull(category);
        return _breakers.TryGetValue(category, out breaker);
    }

    /// <summary>The breakers created so far.</summary>
    public IReadOnlyCollection<CircuitBreaker> Breakers => (IReadOnlyCollection<CircuitBreaker>)_breakers.Values;

    /// <summary>Closes <paramref name="category"/>'s breaker and forgets its failures (for an operator who fixed the backend).</summary>
    /// <param name="category">The category.</param>
    /// <returns>Whether there was a breaker.</returns>
    public bool Reset(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        if (!_breakers.TryGetValue(category, out CircuitBreaker? breaker))
        {
            return false;
        }

        Report(breaker, breaker.Reset(), null);
        return true;
    }

    /// <summary>Lets a call of <paramref name="category"/> through, or says why not and for how long.</summary>
    internal bool TryEnter(string category, out bool probe, out TimeSpan retryAfter)
    {
        probe = false;
        retryAfter = TimeSpan.Zero;
        if (Volatile.Read(ref _unhealthy.Value) == 0 || !_breakers.TryGetValue(category, out CircuitBreaker? breaker))
        {
            return true;
        }

        bool entered = breaker.TryEnter(out probe, out retryAfter, out var change);
        Report(breaker, change, null);
        return entered;
    }

    internal void CancelProbe(string category)
    {
        if (_breakers.TryGetValue(category, out CircuitBreaker? breaker))
        {
            breaker.CancelProbe();
        }
    }

    internal void OnSuccess(string category)
    {
        if (Volatile.Read(ref _unhealthy.Value) == 0 || !_breakers.TryGetValue(category, out CircuitBreaker? breaker) || breaker.IsHealthy)
        {
            return;
        }

        Report(breaker, breaker.OnSuccess(), null);
    }

    internal void OnFailure(string category, CircuitBreakerPolicy policy, Exception? exception)
    {
        if (!policy.Enabled)
        {
            return;
        }

        CircuitBreaker breaker = _breakers.GetOrAdd(category, static (c, self) => new CircuitBreaker(c, self._time, self._unhealthy), this);
        Report(breaker, breaker.OnFailure(policy.For(category)), exception);
    }

    private void Report(CircuitBreaker breaker, (CircuitState From, CircuitState To)? change, Exception? exception)
    {
        if (change is { } c)
        {
            _changed(breaker, c.From, c.To, exception);
        }
    }
}
