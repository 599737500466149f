namespace SupportDesk.Cli;

/// <summary>Process exit codes of the SupportDesk program.</summary>
public static class ExitCodes
{
    /// <summary>The run completed and printed its report.</summary>
    public const int Success = 0;

    /// <summary>The input is invalid: an unknown or malformed option, or a policy file with errors.</summary>
    public const int InvalidInput = 1;

    /// <summary>PostgreSQL could not be used (unreachable, login refused, missing rights), or the audit file could not be written.</summary>
    public const int Unavailable = 2;
}
