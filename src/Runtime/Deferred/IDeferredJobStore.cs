namespace AgentQuotas.Deferred;

/// <summary>
/// Where deferred jobs wait for capacity: in memory (<see cref="InMemoryDeferredJobStore"/>, one process) or in
/// PostgreSQL (<c>AgentQuotas.Postgres.PostgresDeferredJobStore</c>, shared by many hosts). Every change after a
/// claim names the claim's token, so a job runs at most once even when workers race or one is lost:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A claim takes one due <see cref="DeferredJobState.Pending"/> job, or a <see cref="DeferredJobState.Claimed"/>
/// one whose lease ran out (its worker was lost before the tool started: safe to retry), under a new token.</item>
/// <item>A start (<see cref="TryStartAsync"/>) moves a claimed job to <see cref="DeferredJobState.Running"/> only while
/// the claim is the current one: of two workers that claimed the same job in turn, one at most starts it.</item>
/// <item>A <see cref="DeferredJobState.Running"/> job whose lease ran out (its worker was lost while the tool ran) is
/// failed by the next claim and never run again: its effects are unknown.</item>
/// </list>
/// Times are the callers' (the gate's <see cref="TimeProvider"/>): hosts sharing a store need clocks that agree well
/// within a lease.
/// </remarks>
public interface IDeferredJobStore
{
    /// <summary>Stores a new job (state <see cref="DeferredJobState.Pending"/>).</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancels the write (the job is then not stored).</param>
    /// <exception cref="InvalidOperationException">A job with the same id exists.</exception>
    ValueTask AddAsync(DeferredJob job, CancellationToken cancellationToken = default);

    /// <summary>Reads a job.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The job, or <see langword="null"/> when the store has none with that id.</returns>
    ValueTask<DeferredJob?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fails running jobs whose lease ran out, then claims the due job that waited longest (pending and due, or
    /// claimed with its lease run out) until <paramref name="now"/> + <paramref name="lease"/>.
    /// </summary>
    /// <param name="now">Now.</param>
    /// <param name="lease">How long the claim holds the job.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The claim, or <see langword="null"/> when no job is due.</returns>
    ValueTask<DeferredJobClaim?> TryClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Moves a claimed job to <see cref="DeferredJobState.Running"/>, leased until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="token">The claim's token.</param>
    /// <param name="now">Now: a claim whose lease has run out cannot start.</param>
    /// <param name="lease">How long the run holds the job.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>Whether the job was started (false: the claim is no longer current).</returns>
    ValueTask<bool> TryStartAsync(Guid id, Guid token, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Gives a claimed job back (capacity is not there yet): pending again, not before <paramref name="notBefore"/>.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="token">The claim's token.</param>
    /// <param name="notBefore">When it may be claimed again.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>Whether the job was given back.</returns>
    ValueTask<bool> TryReleaseAsync(Guid id, Guid token, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>Finishes a claimed or running job: <see cref="DeferredJobState.Succeeded"/> or <see cref="DeferredJobState.Failed"/>.</summary>
    /// <param name="id">The job's id.</param>
    /// <param name="token">The claim's token.</param>
    /// <param name="outcome"><see cref="DeferredJobState.Succeeded"/> or <see cref="DeferredJobState.Failed"/>.</param>
    /// <param name="result">The handler's result (success).</param>
    /// <param name="error">Why it failed (failure).</param>
    /// <param name="now">Now.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>Whether the job was finished (false: the claim is no longer current).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outcome"/> is not a finished state.</exception>
    ValueTask<bool> TryFinishAsync(Guid id, Guid token, DeferredJobState outcome, string? result, string? error, DateTimeOffset now, CancellationToken cancellationToken = default);
}
