namespace AgentQuotas;

/// <summary>
/// Implemented by a tool's result type that wants to say, in the result itself, that it came from the
/// tool's <see cref="FallbackAttribute">fallback</see>: the guard calls <see cref="OnServedByFallback"/>
/// on the fallback's result before handing it to the caller.
/// </summary>
/// <remarks>
/// The run records every degraded call anyway (<see cref="AgentRun.Degradations"/>); this interface is for
/// results that travel further than the run, e.g. to a user interface that must label a draft.
/// </remarks>
public interface IFallbackResult
{
    /// <summary>Called once, on the fallback's result, with the degraded call's details.</summary>
    /// <param name="degradation">Which tool was degraded, to which mode, and why.</param>
    void OnServedByFallback(DegradedCall degradation);
}
