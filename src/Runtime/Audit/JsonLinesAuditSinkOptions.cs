namespace AgentQuotas.Audit;

/// <summary>Options of <see cref="JsonLinesAuditSink"/>.</summary>
public sealed class JsonLinesAuditSinkOptions
{
    /// <summary>Most records waiting to be written; a record arriving when this many wait is dropped and counted. Default 10,000; at least 1.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Whether to append to an existing file (default) or truncate it.</summary>
    public bool Append { get; set; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
    }
}
