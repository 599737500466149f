namespace AgentQuotas;

/// <summary>Options of an <see cref="ApprovalBroker"/>.</summary>
public sealed class ApprovalBrokerOptions
{
    /// <summary>How long a filed approval stays open: after it, it can be neither approved nor used. Default one hour; positive, at most seven days.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often <see cref="ApprovalBroker.WaitForDecisionAsync"/> reads the store for a decision made elsewhere (another host,
    /// the CLI). Decisions made through the same broker wake the waiter at once. Default two seconds; positive, at most one minute.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock (expiry, polling). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (Expiry <= TimeSpan.Zero || Expiry > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(Expiry), Expiry, "Expiry must be positive and at most seven days.");
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be positive and at most one minute.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
