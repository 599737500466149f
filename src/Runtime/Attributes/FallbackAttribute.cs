namespace AgentQuotas;

/// <summary>
/// Names the degraded path of a tool: a method of the same type with the same parameters and return
/// type that the guard calls instead of the tool when the call is denied (the DraftOnly mode of the
/// degradation ladder). The fallback must not itself be privileged (analyzer AQ0005).
/// </summary>
/// <remarks>
/// Several names make an ordered chain (<c>[Fallback(nameof(Draft), nameof(RetrievalSummary))]</c>): the guard calls the
/// first; when it throws a <see cref="QuotaExceededException"/> (it was refused by its own guard, or a guarded call inside it
/// was), the next, in order. The exception of the last one surfaces as a single fallback's would. Every entry follows the
/// rules of a single fallback, and the analyzer reports a bad entry at its own argument.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FallbackAttribute : Attribute
{
    /// <summary>Creates the attribute with one fallback.</summary>
    /// <param name="methodName">The fallback method's name; use <c>nameof</c>.</param>
    public FallbackAttribute(string methodName)
    {
        MethodName = methodName;
        MethodNames = [methodName];
    }

    /// <summary>Creates the attribute with an ordered chain of fallbacks, tried in order.</summary>
    /// <param name="methodName">The first fallback method's name; use <c>nameof</c>.</param>
    /// <param name="moreMethodNames">The fallbacks tried after it, in order.</param>
    public FallbackAttribute(string methodName, params string[] moreMethodNames)
    {
        ArgumentNullException.ThrowIfNull(moreMethodNames);
        MethodName = methodName;
        MethodNames = [methodName, .. moreMethodNames];
    }

    /// <summary>The (first) fallback method's name.</summary>
    public string MethodName { get; }

    /// <summary>Every fallback method's name, in the order they are tried; the first is <see cref="MethodName"/>.</summary>
    public IReadOnlyList<string> MethodNames { get; }
}
