using System.Numerics;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Postgres.Internal;

/// <summary>Counts lost audit records: a metric every time, a log line at the first loss and at each power of two.</summary>
internal sealed class DropCounter
{
    private readonly string _sink;
    private readonly ILogger _logger;
    private long _dropped;

    public DropCounter(string sink, ILogger logger)
    {
        _sink = sink;
        _logger = logger;
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Report(long count, string reason)
    {
        if (count <= 0)
        {
            return;
        }

        long total = Interlocked.Add(ref _dropped, count);
        PostgresTelemetry.AuditDropped.Add(count, new KeyValuePair<string, object?>(Telemetry.QuotaTelemetry.Tags.Sink, _sink));
        long before = total - count;
        if (before == 0 || BitOperations.Log2((ulong)before) != BitOperations.Log2((ulong)total))
        {
            Log.AuditRecordsDropped(_logger, _sink, total, reason);
        }
    }
}
