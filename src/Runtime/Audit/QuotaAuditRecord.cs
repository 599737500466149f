using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace AgentQuotas.Audit;

/// <summary>
/// One audit record: who, what, at what cost, what was decided and why, under which policy. Every
/// quota decision produces one. A value type so recording allocates nothing.
/// </summary>
/// <remarks>
/// An admitted call's end comes in one of two shapes. Sinks that append (<see cref="JsonLinesAuditSink"/>, the
/// PostgreSQL sink, an <see cref="InMemoryAuditSink"/> without <see cref="InMemoryAuditSink.EndsInPlace"/>, any custom
/// sink) get a record of its own with <see cref="Decision"/> <see cref="AuditDecision.Completed"/> or
/// <see cref="AuditDecision.Failed"/>. The gate's default sink (an <see cref="InMemoryAuditSink"/> with
/// <see cref="InMemoryAuditSink.EndsInPlace"/>) writes the end into the admission's record instead: that record keeps
/// <see cref="Decision"/> <see cref="AuditDecision.Admitted"/> and carries <see cref="Outcome"/>, <see cref="EndedAt"/>,
/// <see cref="ActualCost"/> and <see cref="OutcomeDetail"/>; an admission whose <see cref="Outcome"/> is
/// <see langword="null"/> is a call still running (or one that never ended). When the admission has already left the
/// ring the end is written as a record of its own, so a reader must accept both shapes (<see cref="Ended"/>).
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct QuotaAuditRecord
{
    // The end written in place, compact: every record is copied into a ring, so it stays small (9 bytes, not 32).
    private readonly long _endedAtUtcTicks; // 0: none
    private readonly byte _outcome;         // 0: none, else the AuditDecision + 1

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

    /// <summary>
    /// The actual cost of an ended call (the reported one, else the planned cost), on its end: the completion record, or
    /// the admission record when the end was written into it (<see cref="Outcome"/>).
    /// </summary>
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

    /// <summary>
    /// On an admission record whose call's end was written into it (<see cref="InMemoryAuditSink.EndsInPlace"/>):
    /// <see cref="AuditDecision.Completed"/> or <see cref="AuditDecision.Failed"/>. <see langword="null"/> on every other
    /// record, and on an admission whose call has not ended (or whose end is a record of its own).
    /// </summary>
    public AuditDecision? Outcome
    {
        get => _outcome == 0 ? null : (AuditDecision)(_outcome - 1);
        init => _outcome = value is AuditDecision outcome ? (byte)((int)outcome + 1) : (byte)0;
    }

    /// <summary>
    /// When the call ended (UTC), on an admission record with an <see cref="Outcome"/>; stamped as a completion record's
    /// <see cref="Timestamp"/> would be (the coarse clock on <see cref="TimeProvider.System"/>, never before the admission).
    /// </summary>
    public DateTimeOffset? EndedAt
    {
        get => _endedAtUtcTicks == 0 ? null : new DateTimeOffset(_endedAtUtcTicks, TimeSpan.Zero);
        init => _endedAtUtcTicks = value?.UtcTicks ?? 0;
    }

    /// <summary>Why the call failed, on an admission record whose <see cref="Outcome"/> is <see cref="AuditDecision.Failed"/>.</summary>
    public string? OutcomeDetail { get; init; }

    /// <summary>
    /// The end of an admitted call, in either shape: <see cref="AuditDecision.Completed"/> or
    /// <see cref="AuditDecision.Failed"/>, from <see cref="Decision"/> (a record of its own) or <see cref="Outcome"/> (written
    /// into the admission); <see langword="null"/> when the record ends no call.
    /// </summary>
    [JsonIgnore]
    public AuditDecision? Ended => Decision is AuditDecision.Completed or AuditDecision.Failed ? Decision : Outcome;
}
