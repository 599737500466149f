using System.Numerics;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Audit;

/// <summary>Counts lost audit records and reports them: a metric every time, a log line at growing intervals.</summary>
internal sealed class AuditDropReporter
{
    private readonly string _sinkName;
    private readonly ILogger _logger;
    private long _dropped;

    public AuditDropReporter(string sinkName, ILogger logger)
    {
        _sinkName = sinkName;
        _logger = logger;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Reports one loss that the caller counts itself (the sink derives its losses from sequence numbers,
    /// so the hot path needs no shared counter); <paramref name="total"/> is the losses so far, this one included.
    /// </summary>
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

    public void Report(long count, string reason)
    {
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
