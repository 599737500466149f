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
