namespace AgentQuotas.Policy;

/// <summary>Queue aging: a waiting request's priority rises one class for every <see cref="PromoteAfter"/> it waits.</summary>
public sealed class AgingPolicy
{
    internal AgingPolicy(TimeSpan promoteAfter)
    {
        PromoteAfter = promoteAfter;
    }

    /// <summary>How long a request waits before it is promoted one class.</summary>
    public TimeSpan PromoteAfter { get; }
}
