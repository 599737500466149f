using System.Runtime.InteropServices;

namespace AgentQuotas.Audit;

/// <summary>
/// One audit record: who, what, at what cost, what was decided and why, under which policy. Every
/// quota decision produces one. A value type so recording allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct QuotaAuditRecord
{
    /// <summary>When the decision was made (UTC).</summary>
    /// <remarks>
    /// The gate reads the clock once per decision. With <see cref="TimeProvider.System"/> this time is that
    /// monotonic timestamp on a wall-clock offset re-anchored every second, so it can differ from
    /// <see cref="DateTimeOffset.UtcNow"/> by the clock's drift within that second (NTP slews by at most
    /// 0.5 ms per second) and shows a step of the wall clock within a second. Other providers are asked
    /// for <see cref="TimeProvider.GetUtcNow"/>.
    /// <para>
    /// The record that ends an admitted call (<see cref="AuditDecision.Completed"/>, <see cref="AuditDecision.Failed"/>)
    /// reads no precise clock on <see cref="TimeProvider.System"/>: it is stamped from
    /// <see cref="Environment.TickCount64"/> (one to a few milliseconds of resolution on Linux, about 16 ms on Windows) on
    /// an offset re-anchored every second to the decision clock above, and never earlier than its admission's record.
    /// Records of different calls can therefore be out of time order by up to that resolution. Buckets never use this
    /// time (they decide on the precise clock). Other providers are asked for <see cref="TimeProvider.GetUtcNow"/>, exactly.
    /// </para>
    /// </remarks>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The tenant.</summary>
    public string Tenant { get; init; }

    /// <summary>The acting principal.</summary>
    public string Principal { get; init; }

    /// <summary>The run's workflow, if named.</summary>
    public string? Workflow { get; init; }

    /// <summary>The run id, if the decision was inside a run.</summary>
    public string? RunId { get; init; }

    /// <summary>The workload class.</summary>
    public WorkloadClass WorkloadClass { get; init; }

    /// <summary>The tool (or operation such as <c>(iteration)</c>).</summary>
    public string Tool { get; init; }

    /// <summary>The quota category.</summary>
    public string Category { get; init; }

    /// <summary>The planned cost.</summary>
    public double PlannedCost { get; init; }

    /// <summary>The actual cost, when the call reported one.</summary>
    public double? ActualCost { get; init; }

    /// <summary>What was decided.</summary>
    public AuditDecision Decision { get; init; }

    /// <summary>Why.</summary>
    public QuotaReason Reason { get; init; }

    /// <summary>The rung of the degradation ladder that served the call.</summary>
    public DegradationMode Mode { get; init; }

    /// <summary>How long the call waited in a queue.</summary>
    public TimeSpan QueueWait { get; init; }

    /// <summary>The deciding policy's version.</summary>
    public string PolicyVersion { get; init; }

    /// <summary>
    /// The deciding policy's content hash (lower-case hex SHA-256 of its canonical form, see
    /// <see cref="Policy.QuotaPolicy.ContentHash"/>); <see langword="null"/> only in records written before it was recorded.
    /// </summary>
    public string? PolicyHash { get; init; }

    /// <summary>A human-readable explanation, if any.</summary>
    public string? Detail { get; init; }
}
