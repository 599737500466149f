namespace AgentQuotas.Postgres;

/// <summary>Passed to <see cref="PostgresQuotaStoreOptions.OnAvailabilityChanged"/> when the store loses or regains the server.</summary>
public readonly struct StoreAvailabilityChangedArguments
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="isAvailable">Whether the server can be reached now.</param>
    /// <param name="reason">Why it cannot, when it cannot.</param>
    /// <param name="failureMode">The failure mode in force.</param>
    public StoreAvailabilityChangedArguments(bool isAvailable, string? reason, StoreFailureMode failureMode)
    {
        IsAvailable = isAvailable;
        Reason = reason;
        FailureMode = failureMode;
    }

    /// <summary>Whether the server can be reached now.</summary>
    public bool IsAvailable { get; }

    /// <summary>Why the server cannot be reached, when it cannot.</summary>
    public string? Reason { get; }

    /// <summary>The failure mode in force.</summary>
    public StoreFailureMode FailureMode { get; }
}
