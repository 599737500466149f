using System.Runtime.InteropServices;

namespace AgentQuotas.Deferred;

/// <summary>A job a worker claimed, with the lease token that every later change of the job must present.</summary>
/// <param name="Job">The job as claimed (<see cref="DeferredJobState.Claimed"/>).</param>
/// <param name="Token">The claim's token; a later claim by another worker (after this lease ran out) gets another.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct DeferredJobClaim(DeferredJob Job, Guid Token);
