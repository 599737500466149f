namespace AgentQuotas;

/// <summary>
/// Caps the agent loop in a method. Calls to the method run in a child <see cref="AgentRun"/> whose
/// caps are these values, tightened by the tenant tier's limits; every model turn and guarded tool
/// call inside counts against them.
/// </summary>
/// <remarks>A value of <c>0</c> means "no cap of its own" (the tier's limit still applies).</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AgentLoopAttribute : Attribute
{
    /// <summary>Most loop iterations (model turns) allowed; <c>0</c> for none of its own.</summary>
    public int MaxIterations { get; set; }

    /// <summary>Most guarded tool calls allowed; <c>0</c> for none of its own.</summary>
    public int MaxToolCalls { get; set; }

    /// <summary>Most cost units the loop may spend; <c>0</c> for none of its own.</summary>
    public double MaxCost { get; set; }
}
