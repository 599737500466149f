namespace AgentQuotas.Deferred;

/// <summary>
/// Deferred jobs in this process's memory, for one host and tests: lost when the process ends (use the PostgreSQL
/// store to keep them). Thread-safe; a claim scans the jobs (fine for thousands, not millions).
/// </summary>
public sealed class InMemoryDeferredJobStore : IDeferredJobStore
{
    /// <summary>The error every store gives a running job whose worker's lease ran out: it is not run again.</summary>
    public const string LostWhileRunning =
        "The worker running this job stopped renewing its lease before the job finished; it is not run again because its effects are unknown.";

    private readonly object _lock = new();
    private readonly Dictionary<Guid, Entry> _jobs = [];

    /// <summary>How many jobs the store holds, finished ones included.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _jobs.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask AddAsync(DeferredJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_jobs.TryAdd(job.Id, new Entry(job with { State = DeferredJobState.Pending, LeaseUntil = null })))
            {
                throw new InvalidOperationException($"A deferred job with id {job.Id} is already stored.");
            }
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<DeferredJob?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return new ValueTask<DeferredJob?>(_jobs.TryGetValue(id, out Entry? entry) ? entry.Job : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<DeferredJobClaim?> TryClaimAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Entry? next = null;
            foreach (Entry entry in _jobs.Values)
            {
                DeferredJob job = entry.Job;
                if (job.State == DeferredJobState.Running && job.LeaseUntil <= now)
                {
                    entry.Job = job with { State = DeferredJobState.Failed, Error = LostWhileRunning, FinishedAt = now, LeaseUntil = null };
                    entry.Token = Guid.Empty;
                    continue;
                }

                bool due = (job.State == DeferredJobState.Pending && job.NotBefore <= now) || (job.State == DeferredJobState.Claimed && job.LeaseUntil <= now);
                if (due && (next is null || Earlier(job, next.Job)))
                {
                    next = entry;
                }
            }

            if (next is null)
            {
                return new ValueTask<DeferredJobClaim?>((DeferredJobClaim?)null);
            }

            next.Token = Guid.NewGuid();
            next.Job = next.Job with { State = DeferredJobState.Claimed, LeaseUntil = now + lease, Attempts = next.Job.Attempts + 1 };
            return new ValueTask<DeferredJobClaim?>(new DeferredJobClaim(next.Job, next.Token));
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryStartAsync(Guid id, Guid token, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Change(id, token, DeferredJobState.Claimed, now, job => job with { State = DeferredJobState.Running, LeaseUntil = now + lease });

    /// <inheritdoc/>
    public ValueTask<bool> TryReleaseAsync(Guid id, Guid token, DateTimeOffset notBefore, CancellationToken cancellationToken = default) =>
        Change(id, token, DeferredJobState.Claimed, now: null, job => job with { State = DeferredJobState.Pending, LeaseUntil = null, NotBefore = notBefore }, keepToken: false);

    /// <inheritdoc/>
    public ValueTask<bool> TryFinishAsync(Guid id, Guid token, DeferredJobState outcome, string? result, string? error, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (outcome is not (DeferredJobState.Succeeded or DeferredJobState.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A job finishes as Succeeded or Failed.");
        }

        return Change(id, token, null, now: null,
            job => job with { State = outcome, Result = result, Error = error, FinishedAt = now, LeaseUntil = null }, keepToken: false);
    }

    private static bool Earlier(DeferredJob a, DeferredJob b) =>
        a.NotBefore != b.NotBefore ? a.NotBefore < b.NotBefore : a.CreatedAt != b.CreatedAt ? a.CreatedAt < b.CreatedAt : a.Id.CompareTo(b.Id) < 0;

    // Applies a change when the token is the job's current claim (and the job is in the expected state, when given).
    private ValueTask<bool> Change(Guid id, Guid token, DeferredJobState? expected, DateTimeOffset? now, Func<DeferredJob, DeferredJob> change, bool keepToken = true)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out Entry? entry) || token == Guid.Empty || entry.Token != token
                || entry.Job.State is not (DeferredJobState.Claimed or DeferredJobState.Running)
                || (expected is DeferredJobState state && entry.Job.State != state)
                || (now is DateTimeOffset at && entry.Job.LeaseUntil <= at))
            {
                return new ValueTask<bool>(false);
            }

            entry.Job = change(entry.Job);
            if (!keepToken)
            {
                entry.Token = Guid.Empty;
            }

            return new ValueTask<bool>(true);
        }
    }

    private sealed class Entry(DeferredJob job)
    {
        public DeferredJob Job { get; set; } = job;

        public Guid Token { get; set; }
    }
}
