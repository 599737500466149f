namespace AgentQuotas.Scheduling;

/// <summary>Calls of one workload class waiting at one moment.</summary>
/// <param name="Class">The workload class.</param>
/// <param name="InBucketQueues">Calls waiting for units in any bucket's queue.</param>
/// <param name="InPoolQueues">Calls waiting for a compute-pool slot.</param>
public readonly record struct QueueDepth(WorkloadClass Class, int InBucketQueues, int InPoolQueues);
