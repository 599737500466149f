namespace AgentQuotas.Audit;

/// <summary>
/// Receives audit records. Implementations are bounded and never lose a record silently: a record they
/// cannot keep is counted in <see cref="DroppedCount"/> and reported (log and metric).
/// </summary>
public interface IQuotaAuditSink
{
    /// <summary>Accepts a record without blocking.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="false"/> when the record was refused (and counted as dropped).</returns>
    bool TryWrite(in QuotaAuditRecord record);

    /// <summary>Records refused or lost so far.</summary>
    long DroppedCount { get; }

    /// <summary>Waits until every record accepted so far is durable (a no-op for memory sinks).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
