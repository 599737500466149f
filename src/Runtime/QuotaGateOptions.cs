using System.Diagnostics.Metrics;
using AgentQuotas.Audit;
using AgentQuotas.Stores;
using Microsoft.Extensions.Logging;

namespace AgentQuotas;

/// <summary>Options of <see cref="QuotaGate"/>. Validated when the gate is created.</summary>
public sealed class QuotaGateOptions
{
    /// <summary>The clock for deadlines, audit timestamps and the default store. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where buckets live. Default: a new <see cref="InMemoryQuotaStore"/> on <see cref="TimeProvider"/>, owned
    /// and disposed by the gate. A store passed here is not disposed by the gate.
    /// </summary>
    public IQuotaStore? Store { get; set; }

    /// <summary>
    /// Where audit records go. Default: a new <see cref="InMemoryAuditSink"/> (10,000 records, oldest
    /// dropped first). A sink passed here is flushed, not disposed, by the gate.
    /// </summary>
    public IQuotaAuditSink? AuditSink { get; set; }

    /// <summary>Decides calls to tools that require approval. Default <see cref="NoApprovalService"/> (approves nothing).</summary>
    public IApprovalService ApprovalService { get; set; } = NoApprovalService.Instance;

    /// <summary>
    /// When <see langword="true"/>, a call is admitted only if its audit record was accepted; a refusing
    /// sink turns admissions into denials with <see cref="QuotaReason.AuditUnavailable"/>. Default <see langword="false"/>
    /// (records that cannot be kept are counted and reported).
    /// </summary>
    public bool RequireAudit { get; set; }

    /// <summary>Creates the gate's meter; default: a private <see cref="Meter"/> named "AgentQuotas".</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Whether metrics carry the tenant tag. Default <see langword="true"/>; turn off with very many
    /// tenants to bound metric cardinality (audit records always carry the tenant).
    /// </summary>
    public bool IncludeTenantInMetrics { get; set; } = true;

    /// <summary>Where the gate logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(ApprovalService, nameof(ApprovalService));
    }
}
