using Microsoft.Extensions.Logging;

namespace AgentQuotas.Postgres;

/// <summary>Source-generated log messages. Event ids are stable (AgentQuotas.Postgres uses 100-199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Quota store opened on {Target}, schema {Schema} version {Version}; failure mode {Mode}, leasing {Leasing}")]
    public static partial void StoreOpened(ILogger logger, string target, string schema, int version, StoreFailureMode mode, bool leasing);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Quota store {Target} is unavailable ({Reason}); deciding {Mode} until it returns")]
    public static partial void StoreUnavailable(ILogger logger, string target, string reason, StoreFailureMode mode);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Quota store {Target} is available again; {Pending} buckets have corrections to replay")]
    public static partial void StoreRecovered(ILogger logger, string target, int pending);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Quota store {Target}: too many buckets wait for corrections ({Capacity}); a correction of {Units} units to {Bucket} is lost ({Total} lost in all)")]
    public static partial void CorrectionLost(ILogger logger, string target, int capacity, decimal units, string bucket, long total);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Quota store {Target}: replayed {Count} pending corrections")]
    public static partial void CorrectionsReplayed(ILogger logger, string target, int count);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "The availability callback of quota store {Target} failed")]
    public static partial void AvailabilityCallbackFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Audit sink opened on {Target}, schema {Schema}")]
    public static partial void AuditSinkOpened(ILogger logger, string target, string schema);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Audit sink {Target}: a batch of {Count} records failed (attempt {Attempt}): {Reason}; retrying in {Delay}")]
    public static partial void AuditBatchRetrying(ILogger logger, string target, int count, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Audit sink {Target}: a batch of {Count} records was written after {Attempts} attempts")]
    public static partial void AuditBatchRecovered(ILogger logger, string target, int count, int attempts);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Audit sink {Target}: record {Id} could not be written as it was ({Reason}); it was written quarantined, its unwritable text escaped")]
    public static partial void AuditRecordQuarantined(ILogger logger, string target, Guid id, string reason);

    // Event id 113 was "audit records dropped"; losses are now reported by the runtime's AuditDropReporter (event id 3).
}
