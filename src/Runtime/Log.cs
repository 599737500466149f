using Microsoft.Extensions.Logging;

namespace AgentQuotas;

/// <summary>Source-generated log messages. Event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Quota policy {Version} ({Hash}) is now in force from {Source}")]
    public static partial void PolicyApplied(ILogger logger, string version, string hash, string? source);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Quota policy reload from {Source} failed; policy {Version} stays in force. {Errors}")]
    public static partial void PolicyReloadFailed(ILogger logger, string? source, string version, string errors);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Audit sink {Sink} has lost {Total} records in all: {Reason}")]
    public static partial void AuditRecordsDropped(ILogger logger, string sink, long total, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Denied {Tool} for {Tenant} ({Category}): {Reason}")]
    public static partial void Denied(ILogger logger, string tool, string tenant, string category, QuotaReason reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "The approval service failed for {Tool} ({Tenant}); the call is not approved")]
    public static partial void ApprovalServiceFailed(ILogger logger, Exception exception, string tool, string tenant);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The audit file {Path} could not be written; {Count} records are lost")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, string path, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Giving back {Cost} units to bucket {Bucket} after a cancelled or refused queue grant failed; the bucket may be short until it refills")]
    public static partial void QueueRefundFailed(ILogger logger, Exception exception, string bucket, double cost);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Circuit breaker for category {Category} went from {Previous} to {State} after {Failures} consecutive failures")]
    public static partial void CircuitStateChanged(ILogger logger, string category, Resilience.CircuitState previous, Resilience.CircuitState state, int failures);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Spend anomaly for tenant {Tenant}: {Current} units in the current interval against a baseline of {Baseline} (factor {Factor}); {Action}")]
    public static partial void AnomalyFlagged(ILogger logger, string tenant, double current, double baseline, double factor, string action);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Spend anomaly of tenant {Tenant} cleared; its baseline starts again")]
    public static partial void AnomalyCleared(ILogger logger, string tenant);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "The {Event} handler failed")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, string @event);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Queued {Tool} for {Tenant} ({Category}, {Class}): {Reason}")]
    public static partial void Queued(ILogger logger, string tool, string tenant, string category, WorkloadClass @class, QuotaReason reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The anomaly detector tracks {Count} tenants, its limit (QuotaGateOptions.MaxAnomalyTenants) even after dropping idle ones; tenant {Tenant} and other new tenants are not judged until room frees")]
    public static partial void AnomalyDetectorFull(ILogger logger, int count, string tenant);
}
