namespace AgentQuotas.Tests;

/// <summary>
/// Tests that listen to the process-wide AgentQuotas ActivitySource or meters, and tests that count this
/// thread's allocations: a listener registered by one would make the other's admitted calls allocate
/// (activities, tag arrays), so they run apart from every other test, not beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetryCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process-wide telemetry";
}
