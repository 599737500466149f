using System.Collections.Concurrent;
using System.Globalization;

namespace AgentQuotas.Deferred;

/// <summary>
/// The "reply later" rung of the degradation ladder: a call that cannot run now is accepted as a deferred job
/// (<see cref="DeferAsync"/>), stored in an <see cref="IDeferredJobStore"/>, and run by a worker
/// (<see cref="RunDueAsync"/>, <see cref="RunAsync"/>) when capacity returns, through the gate like any call:
/// admitted, charged, audited and completed under a run of the identity that deferred it.
/// </summary>
/// <remarks>
/// <para>
/// The tenant, principal, class and workflow come from the run that deferred the job (<see cref="AgentRun.Current"/>,
/// opened by the host for an authenticated identity), never from the payload; deferring outside a run fails closed.
/// </para>
/// <para>
/// A job's handler runs at most once: workers claim jobs under a lease, and only the current claim can start one
/// (<see cref="IDeferredJobStore"/>). A worker lost before the tool started leaves a claim that runs out and is retried;
/// one lost while the tool ran leaves a job that is failed, not run again. A refusal that waiting cures (an empty bucket,
/// a ceiling, a full queue or pool, an open breaker, an unavailable store) puts the job back until the refusal's
/// <c>RetryAfter</c>; any other refusal (an unknown tenant or category, a revocation, a cost above capacity) fails it.
/// </para>
/// </remarks>
public sealed class DeferredJobRunner
{
    private readonly QuotaGate _gate;
    private readonly IDeferredJobStore _store;
    private readonly DeferredJobRunnerOptions _options;
    private readonly ConcurrentDictionary<string, Registration> _kinds = new(StringComparer.Ordinal);

    /// <summary>Creates a runner over <paramref name="gate"/> and <paramref name="store"/>.</summary>
    /// <param name="gate">The gate that admits, charges and audits each job's run.</param>
    /// <param name="store">Where jobs wait.</param>
    /// <param name="options">Leases and intervals; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DeferredJobRunner(QuotaGate gate, IDeferredJobStore store, DeferredJobRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new DeferredJobRunnerOptions();
        options.Validate();
        _gate = gate;
        _store = store;
        _options = options;
    }

    /// <summary>Registers the handler of a job kind and the tool its runs are charged as. Every host that runs jobs registers the same kinds.</summary>
    /// <param name="kind">The kind's name, stored with each job.</param>
    /// <param name="tool">The tool (name and category) a run of the kind is charged and audited as.</param>
    /// <param name="handler">Runs one job (its current run is the job's) and returns its result.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is empty or already registered.</exception>
    public void Register(string kind, QuotaTool tool, Func<DeferredJob, CancellationToken, Task<string?>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_kinds.TryAdd(kind, new Registration(tool, handler)))
        {
            throw new ArgumentException($"The deferred job kind '{kind}' is already registered.", nameof(kind));
        }
    }

    /// <summary>
    /// Accepts a call as a deferred job of the current run: records it (mode <see cref="DegradationMode.Deferred"/>) and
    /// stores it; a worker runs it when capacity returns.
    /// </summary>
    /// <param name="kind">A registered kind.</param>
    /// <param name="payload">The handler's input (for example the call's arguments as JSON).</param>
    /// <param name="cost">The planned cost, finite and greater than 0.</param>
    /// <param name="reason">Why the call could not run now (the denial's reason), for the record.</param>
    /// <param name="cancellationToken">Cancels the deferral (nothing is stored then).</param>
    /// <returns>The job's handle.</returns>
    /// <exception cref="InvalidOperationException">There is no current run (fail closed), or the gate requires an audit record and none was accepted.</exception>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is not a finite number greater than 0.</exception>
    public async Task<DeferredJobHandle> DeferAsync(string kind, string? payload, double cost, QuotaReason reason = QuotaReason.None, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (!_kinds.TryGetValue(kind, out Registration? registration))
        {
            throw new ArgumentException($"No deferred job kind '{kind}' is registered; call Register first.", nameof(kind));
        }

        if (!double.IsFinite(cost) || cost <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "The cost of a deferred job must be a finite number greater than 0.");
        }

        AgentRun run = AgentRun.RequireCurrent("deferring a '" + kind + "' job");
        DateTimeOffset now = _gate.TimeProvider.GetUtcNow();
        var job = new DeferredJob
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            Payload = payload,
            Tenant = run.Identity.Tenant,
            Principal = run.Identity.Principal,
            WorkloadClass = run.WorkloadClass,
            Workflow = run.Workflow,
            Tool = registration.Tool.Name,
            Category = registration.Tool.Category,
            Cost = cost,
            State = DeferredJobState.Pending,
            CreatedAt = now,
            NotBefore = now,
        };

        string detail = string.Format(CultureInfo.InvariantCulture, "Accepted as deferred job {0} ({1}); it runs when capacity returns.", job.Id, kind);
        if (!_gate.Pipeline.RecordDeferred(run, registration.Tool, cost, reason, detail))
        {
            throw new InvalidOperationException("The audit sink did not accept the record of the deferral and the gate requires one; nothing was deferred.");
        }

        await _store.AddAsync(job, cancellationToken).ConfigureAwait(false);
        return Handle(job.Id);
    }

    /// <summary>A handle on a job by its id (for example one another host deferred).</summary>
    /// <param name="id">The job's id.</param>
    /// <returns>The handle.</returns>
    public DeferredJobHandle Handle(Guid id) => new(id, _store, _gate.TimeProvider, _options.PollInterval);

    /// <summary>Claims and runs due jobs, one after another, until none is due.</summary>
    /// <param name="cancellationToken">Stops after the job in hand (whose handler sees the cancellation).</param>
    /// <returns>How many jobs this call claimed.</returns>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        int claimed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            DeferredJobClaim? claim = await _store.TryClaimAsync(_gate.TimeProvider.GetUtcNow(), _options.ClaimLease, cancellationToken).ConfigureAwait(false);
            if (claim is not DeferredJobClaim held)
            {
                break;
            }

            claimed++;

            // Each job runs in a flow of its own: its run is the job's identity's, whatever run the caller is in.
            Task running;
            using (ExecutionContext.SuppressFlow())
            {
                running = Task.Run(() => RunClaimedAsync(held, cancellationToken), CancellationToken.None);
            }

            await running.ConfigureAwait(false);
        }

        return claimed;
    }

    /// <summary>Runs due jobs every <see cref="DeferredJobRunnerOptions.PollInterval"/> until cancelled (a host's background worker).</summary>
    /// <param name="cancellationToken">Stops the worker.</param>
    /// <returns>A task that ends when <paramref name="cancellationToken"/> is cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await RunDueAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(_options.PollInterval, _gate.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Whether waiting can cure a refusal.
    private static bool Retryable(QuotaReason reason) => reason is QuotaReason.BucketExhausted or QuotaReason.DailyCostLimit or QuotaReason.MonthlyCostLimit
        or QuotaReason.QueueFull or QuotaReason.QueueTimeout or QuotaReason.PoolExhausted or QuotaReason.CircuitOpen or QuotaReason.StoreUnavailable
        or QuotaReason.AuditUnavailable or QuotaReason.Cancelled or QuotaReason.PrincipalLimit or QuotaReason.PrincipalDailyCostLimit
        or QuotaReason.AnomalyQuarantine or QuotaReason.ApprovalRequired;

    private async Task RunClaimedAsync(DeferredJobClaim claim, CancellationToken cancellationToken)
    {
        DeferredJob job = claim.Job;
        TimeProvider time = _gate.TimeProvider;
        if (!_kinds.TryGetValue(job.Kind, out Registration? registration))
        {
            // Another host may know the kind: give it back.
            await _store.TryReleaseAsync(job.Id, claim.Token, time.GetUtcNow() + _options.RetryDelay, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        AgentRun run;
        try
        {
            run = _gate.BeginRun(new AgentIdentity(job.Tenant, job.Principal), job.WorkloadClass, job.Workflow);
        }
        catch (QuotaExceededException e)
        {
            // The policy now refuses runs of this class (a class ceiling): waiting does not cure that.
            await _store.TryFinishAsync(job.Id, claim.Token, DeferredJobState.Failed, null, "Refused (" + e.Reason.ToString() + "): " + e.Message,
                time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using (run)
        {
            await RunAdmittedAsync(job, claim, registration, run, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAdmittedAsync(DeferredJob job, DeferredJobClaim claim, Registration registration, AgentRun run, CancellationToken cancellationToken)
    {
        TimeProvider time = _gate.TimeProvider;

        // The synchronous decision never waits in a queue: deferred work does not hold a claim while it waits, nor take
        // a queue position from a caller who is waiting now; the job is simply tried again after RetryAfter.
        QuotaTicket ticket = run.Acquire(registration.Tool, job.Cost);
        if (!ticket.IsAdmitted)
        {
            QuotaDecision denied = ticket.Decision;
            if (Retryable(denied.Reason))
            {
                TimeSpan wait = denied.RetryAfter is TimeSpan retry && retry > TimeSpan.Zero ? retry : _options.RetryDelay;
                await _store.TryReleaseAsync(job.Id, claim.Token, time.GetUtcNow() + wait, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _store.TryFinishAsync(job.Id, claim.Token, DeferredJobState.Failed, null, "Refused (" + denied.Reason.ToString() + "), which waiting cannot cure: " + denied.ToString(), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        bool started;
        try
        {
            started = await _store.TryStartAsync(job.Id, claim.Token, time.GetUtcNow(), _options.RunLease, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // The store failed: the tool does not start, its units go back, and the claim runs out to be retried.
            ticket.Withdraw("Deferred job " + job.Id.ToString() + " could not be started: the job store failed.");
            throw;
        }

        if (!started)
        {
            // The claim ran out and another worker holds the job now: this one never starts it.
            ticket.Withdraw("Deferred job " + job.Id.ToString() + " was claimed by another worker before this one could start it.");
            return;
        }

        using var leaseEnd = new CancellationTokenSource(_options.RunLease, time);
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaseEnd.Token);
        string? result;
        try
        {
            result = await registration.Handler(job with { State = DeferredJobState.Running }, lease.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            await _store.TryFinishAsync(job.Id, claim.Token, DeferredJobState.Failed, null, e.GetType().Name + ": " + e.Message, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        ticket.Complete();
        await _store.TryFinishAsync(job.Id, claim.Token, DeferredJobState.Succeeded, result, null, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
    }

    private sealed record Registration(QuotaTool Tool, Func<DeferredJob, CancellationToken, Task<string?>> Handler);
}
