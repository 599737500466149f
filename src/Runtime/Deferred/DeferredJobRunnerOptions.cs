namespace AgentQuotas.Deferred;

/// <summary>Settings of a <see cref="DeferredJobRunner"/>; validated when the runner is created.</summary>
public sealed class DeferredJobRunnerOptions
{
    /// <summary>The longest any wait on a deferred job may be: one day.</summary>
    public static TimeSpan MaxWait { get; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a claim holds a job while the runner asks the gate for its quota (a decision that never queues). Default
    /// 5 minutes; positive, at most <see cref="MaxWait"/>. A claim whose lease runs out is retried by another worker; the
    /// one that outlived it can no longer start the job.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a job may run once admitted. Default 10 minutes; positive, at most <see cref="MaxWait"/>. The handler's
    /// token is cancelled then, and a job still running past it (its worker lost) is failed by the next claim and not run again.
    /// </summary>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a job the gate refused waits before it is claimed again, when the refusal gives no <c>RetryAfter</c>. Default 5 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often handles poll the store while waiting, and <see cref="DeferredJobRunner.RunAsync"/> looks for due jobs. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        Check(ClaimLease, nameof(ClaimLease));
        Check(RunLease, nameof(RunLease));
        Check(RetryDelay, nameof(RetryDelay));
        Check(PollInterval, nameof(PollInterval));

        static void Check(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero || value > MaxWait)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and at most {MaxWait:c}.");
            }
        }
    }
}
