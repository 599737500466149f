using System.Collections.Frozen;

namespace AgentQuotas.Policy;

/// <summary>
/// Circuit breakers per category (policy field <c>circuitBreaker</c>): <see cref="Default"/> applies to every
/// category unless <see cref="Categories"/> overrides it. On by default: 5 consecutive failures open a
/// category's breaker for 30 seconds.
/// </summary>
public sealed class CircuitBreakerPolicy
{
    /// <summary>The default failure threshold: 5 consecutive failures.</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>The default break duration: 30 seconds.</summary>
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(30);

    internal static readonly CircuitBreakerPolicy Defaults = new(
        enabled: true,
        new CircuitBreakerSettings(DefaultFailureThreshold, DefaultBreakDuration),
        FrozenDictionary<string, CircuitBreakerSettings>.Empty);

    private readonly FrozenDictionary<string, CircuitBreakerSettings> _categories;

    internal CircuitBreakerPolicy(bool enabled, CircuitBreakerSettings defaults, FrozenDictionary<string, CircuitBreakerSettings> categories)
    {
        Enabled = enabled;
        Default = defaults;
        _categories = categories;
    }

    /// <summary>Whether failures open breakers at all (<c>"enabled": false</c> turns them off).</summary>
    public bool Enabled { get; }

    /// <summary>The settings of categories without their own.</summary>
    public CircuitBreakerSettings Default { get; }

    /// <summary>Per-category overrides.</summary>
    public IReadOnlyDictionary<string, CircuitBreakerSettings> Categories => _categories;

    /// <summary>The settings that govern <paramref name="category"/>.</summary>
    /// <param name="category">The category.</param>
    public CircuitBreakerSettings For(string category) =>
        _categories.Count != 0 && _categories.TryGetValue(category, out CircuitBreakerSettings? own) ? own : Default;
}
