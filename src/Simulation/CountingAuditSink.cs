using AgentQuotas.Audit;

namespace AgentQuotas.Simulation;

/// <summary>An audit sink that keeps only counts per decision kind: a simulation makes far too many records to keep.</summary>
internal sealed class CountingAuditSink : IQuotaAuditSink
{
    private readonly long[] _counts = new long[Enum.GetValues<AuditDecision>().Length];

    public long DroppedCount => 0;

    public long this[AuditDecision decision] => _counts[(int)decision];

    public bool TryWrite(in QuotaAuditRecord record)
    {
        _counts[(int)record.Decision]++;
        return true;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
