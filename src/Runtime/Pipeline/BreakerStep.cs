using System.Runtime.CompilerServices;
using System.Globalization;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;

namespace AgentQuotas.Pipeline;

/// <summary>Step 2: the category's circuit breaker. An open circuit refuses; a half-open one lets one probe through.</summary>
internal sealed class BreakerStep
{
    private readonly CircuitBreakerRegistry _breakers;

    public BreakerStep(CircuitBreakerRegistry breakers) => _breakers = breakers;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow Enter(ref Attempt a, ref Refusal refusal) => a.Policy.CircuitBreakers.Enabled ? Consult(ref a, ref refusal) : Flow.Next;

    private Flow Consult(ref Attempt a, ref Refusal refusal)
    {
        if (_breakers.TryEnter(a.Tool.Category, out bool probe, out TimeSpan retryAfter) && !probe)
        {
            return Flow.Next;
        }

        if (probe)
        {
            a.Probe = true;
            return Flow.Next;
        }

        refusal = new Refusal(QuotaReason.CircuitOpen, detail:
            string.Format(CultureInfo.InvariantCulture, "{0} consecutive calls failed; the breaker lets a probe call through after its break.",
                _breakers.TryGet(a.Tool.Category, out CircuitBreaker? breaker) ? breaker.ConsecutiveFailures : 0),
            retryAfter: retryAfter);
        return Flow.Refused;
    }

    /// <summary>Undo: a refused probe lets the next call probe instead.</summary>
    public void Release(ref Attempt a)
    {
        if (a.Probe)
        {
            a.Probe = false;
            _breakers.CancelProbe(a.Tool.Category);
        }
    }

    /// <summary>A ticket's call succeeded.</summary>
    public void Succeeded(string category) => _breakers.OnSuccess(category);

    /// <summary>A ticket's call failed.</summary>
    public void Failed(string category, QuotaPolicy policy, Exception? exception) => _breakers.OnFailure(category, policy.CircuitBreakers, exception);

    /// <summary>An admitted call never ran: if it was the probe, the next call probes instead.</summary>
    public void Withdrawn(string category)
    {
        if (_breakers.GetState(category) == CircuitState.HalfOpen)
        {
            _breakers.CancelProbe(category);
        }
    }
}
