using AgentQuotas.Audit;

namespace SupportDesk.Hosting;

/// <summary>Hands every audit record to two sinks: the report's collector and, when asked for, a JSON-lines file.</summary>
internal sealed class TeeAuditSink : IQuotaAuditSink
{
    private readonly IQuotaAuditSink _first;
    private readonly IQuotaAuditSink _second;

    public TeeAuditSink(IQuotaAuditSink first, IQuotaAuditSink second)
    {
        _first = first;
        _second = second;
    }

    public long DroppedCount => _first.DroppedCount + _second.DroppedCount;

    public bool TryWrite(in QuotaAuditRecord record) => _first.TryWrite(record) & _second.TryWrite(record);

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _first.FlushAsync(cancellationToken);
        await _second.FlushAsync(cancellationToken);
    }
}
