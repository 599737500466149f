using System.Numerics;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Audit;

/// <summary>
/// Counts the audit records a sink could not keep and reports them: the <c>agentquotas.audit.dropped</c>
/// metric every time, and a log line at the first loss and whenever the total passes a power of two, so a
/// flood of losses is visible without flooding the log. For implementers of <see cref="IQuotaAuditSink"/>:
/// a sink must never lose a record silently.
/// </summary>
public sealed class AuditDropReporter
{
    private readonly string _sinkName;
    private readonly ILogger _logger;
    private long _dropped;

    /// <summary>Creates a reporter.</summary>
    /// <param name="sinkName">Names the sink in the metric tag and the log.</param>
    /// <param name="logger">Where losses are logged.</param>
    public AuditDropReporter(string sinkName, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(logger);
        _sinkName = sinkName;
        _logger = logger;
    }

    /// <summary>
    /// Records lost so far through <see cref="Report"/>. Losses a sink counts itself and passes to
    /// <see cref="ReportCounted"/> are not included: such a sink's own count (its
    /// <see cref="IQuotaAuditSink.DroppedCount"/>) is the authority, so its hot path writes no second shared counter.
    /// </summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Reports one loss that the caller counts itself (the in-memory ring derives its losses from sequence
    /// numbers, and in drop-oldest mode every write to a full ring is one, so this path must stay cheap): the
    /// metric, and a log line when <paramref name="total"/> is a power of two. <see cref="Dropped"/> is not changed.
    /// </summary>
    /// <param name="total">The sink's own count of losses, this one included.</param>
    /// <param name="reason">Why, for the log.</param>
    public void ReportCounted(long total, string reason)
    {
        if (QuotaTelemetry.AuditDropped.Enabled)
        {
            QuotaTelemetry.AuditDropped.Add(1, new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Sink, _sinkName));
        }

        if (BitOperations.IsPow2(total))
        {
            Log.AuditRecordsDropped(_logger, _sinkName, total, reason);
        }
    }

    /// <summary>Counts and reports lost records.</summary>
    /// <param name="count">How many were lost; nothing happens for zero or less.</param>
    /// <param name="reason">Why, for the log (for example "the write queue is full").</param>
    public void Report(long count, string reason)
    {
        if (count <= 0)
        {
            return;
        }

        long total = Interlocked.Add(ref _dropped, count);
        QuotaTelemetry.AuditDropped.Add(count, new KeyValuePair<string, object?>(QuotaTelemetry.Tags.Sink, _sinkName));

        // Log the first loss and then at each power of two, so a flood of drops is visible but not a flood of logs.
        long before = total - count;
        if (before == 0 || BitOperations.Log2((ulong)before) != BitOperations.Log2((ulong)total))
        {
            Log.AuditRecordsDropped(_logger, _sinkName, total, reason);
        }
    }
}
