namespace AgentQuotas.Cli;

/// <summary>Process exit codes of the agentquotas command.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input is invalid (a policy with errors, a malformed audit file, a bad argument).</summary>
    public const int InvalidInput = 1;

    /// <summary>A file or service the command needs could not be read or reached.</summary>
    public const int Unavailable = 2;
}
