using Microsoft.Extensions.Logging;

namespace AgentQuotas.Trust;

/// <summary>Source-generated log messages of the trust checks. Event ids are stable (160-169).</summary>
internal static partial class TrustLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Warning, Message = "Quota policy from {Source} was edited without a new version: {Warning}")]
    public static partial void SameVersionEdit(ILogger logger, string? source, string warning);

    [LoggerMessage(EventId = 161, Level = LogLevel.Error, Message = "The revocation file {Path} could not be loaded; the list in force stays. {Failure}")]
    public static partial void RevocationReloadFailed(ILogger logger, string path, string failure);
}
