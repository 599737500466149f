namespace AgentQuotas;

/// <summary>
/// Names the degraded path of a tool: a method of the same type with the same parameters and return
/// type that the guard calls instead of the tool when the call is denied (the DraftOnly mode of the
/// degradation ladder). The fallback must not itself be privileged (analyzer AQ0005).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FallbackAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="methodName">The fallback method's name; use <c>nameof</c>.</param>
    public FallbackAttribute(string methodName)
    {
        MethodName = methodName;
    }

    /// <summary>The fallback method's name.</summary>
    public string MethodName { get; }
}
