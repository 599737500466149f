namespace AgentQuotas;

/// <summary>
/// Implemented by a tool's result type to report what the call really cost (tokens used, rows
/// scanned...). The guard then corrects the charge: refunds what was over-planned or charges the
/// excess, and records both figures in the audit trail.
/// </summary>
public interface IActualCost
{
    /// <summary>The real cost in the tool's category units; finite and zero or more, or <see langword="null"/> if unknown.</summary>
    double? ActualCost { get; }
}
