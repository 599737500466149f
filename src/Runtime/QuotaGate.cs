using System.Diagnostics.Metrics;
using AgentQuotas.Anomaly;
using AgentQuotas.Audit;
using AgentQuotas.Pipeline;
using AgentQuotas.Policy;
using AgentQuotas.Resilience;
using AgentQuotas.Scheduling;
using AgentQuotas.Stores;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQuotas;

/// <summary>
/// The quota gate: decides, for each guarded call, whether the current run's tenant may spend the
/// call's cost from its bucket for the tool's category, within the run's caps and the tenant's ceilings,
/// with approval where required; records every decision in the audit sink and in telemetry.
/// </summary>
/// <remarks>
/// Create one per process (or per policy) and open a run per authenticated request with
/// <see cref="BeginRun"/>. The gate is thread-safe. Generated interceptors call it through
/// <see cref="AgentRun.Current"/>; hosts without runs call <see cref="TryAcquire"/> with an explicit identity.
/// </remarks>
public sealed partial class QuotaGate : IAsyncDisposable, IDisposable
{
    private readonly QuotaPolicyProvider _provider;
    private readonly bool _ownsProvider;
    private readonly IQuotaStore _store;
    private readonly InMemoryQuotaStore? _ownedStore;
    private readonly IQuotaAuditSink _audit;
    private readonly QuotaMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BucketScheduler _buckets;
    private readonly ComputePoolSet _pools;
    private readonly CircuitBreakerRegistry _breakers;
    private readonly AnomalyDetector _anomalies;
    private readonly DecisionPipeline _pipeline;
    private readonly Func<CircuitStateChangedArguments, ValueTask>? _onCircuit;
    private int _disposed;

    /// <summary>Creates a gate for a fixed policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public QuotaGate(QuotaPolicy policy, QuotaGateOptions? options = null)
        : this(QuotaPolicyProvider.FromPolicy(policy ?? throw new ArgumentNullException(nameof(policy))), options, ownsProvider: true)
    {
    }

    /// <summary>Creates a gate whose policy can be reloaded through <paramref name="policyProvider"/>.</summary>
    /// <param name="policyProvider">The policy source; the gate reads its current policy on every decision.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public QuotaGate(QuotaPolicyProvider policyProvider, QuotaGateOptions? options = null)
        : this(policyProvider ?? throw new ArgumentNullException(nameof(policyProvider)), options, ownsProvider: false)
    {
    }

    private QuotaGate(QuotaPolicyProvider provider, QuotaGateOptions? options, bool ownsProvider)
    {
        options ??= new QuotaGateOptions();
        options.Validate();
        _provider = provider;
        _ownsProvider = ownsProvider;
        TimeProvider = options.TimeProvider;
        _logger = options.LoggerFactory?.CreateLogger<QuotaGate>() ?? (ILogger)NullLogger.Instance;
        if (options.Store is null)
        {
            _ownedStore = new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = options.TimeProvider });
            _store = _ownedStore;
        }
        else
        {
            _store = options.Store;
        }

        var clock = new AuditClock(TimeProvider);
        _audit = options.AuditSink ?? new InMemoryAuditSink(10_000, AuditFullMode.DropOldest,
            ReferenceEquals(TimeProvider, TimeProvider.System) ? InMemoryAuditSink.DefaultStripes : 1, options.LoggerFactory?.CreateLogger<InMemoryAuditSink>())
        {
            EndsInPlace = true, // issue 18: one record per call (the end written into the admission's record)
        };
        _metrics = new QuotaMetrics(options.MeterFactory, options.IncludeTenantInMetrics);
        _onCircuit = options.OnCircuitStateChanged;
        _buckets = new BucketScheduler(_store, TimeProvider, runContinuationsAsynchronously: !options.InlineQueueCompletions, _logger);
        _pools = new ComputePoolSet(_buckets);
        _breakers = new CircuitBreakerRegistry(TimeProvider, OnCircuitChanged);
        AnomalyStep? anomaly = null;
        _anomalies = new AnomalyDetector(TimeProvider, tenant => anomaly!.Cleared(tenant, _provider.Current), options.MaxAnomalyTenants, _logger);
        Action<AnomalyDetectedArguments>? raiseAnomaly = options.OnAnomalyDetected is { } onAnomaly
            ? arguments => Raise(onAnomaly, arguments, nameof(QuotaGateOptions.OnAnomalyDetected))
            : null;

        // The decision pipeline, composed once (see Pipeline/DecisionPipeline.cs for the order of its steps).
        var record = new RecordStep(clock, _audit, _metrics, _logger);
        anomaly = new AnomalyStep(_anomalies, record, TimeProvider, _logger, raiseAnomaly);
        var bucket = new BucketStep(_store, TimeProvider, _buckets, options.DefaultQueueLimit, record);
        _pipeline = new DecisionPipeline(_provider, clock, options.RequireAudit,
            new ResolveStep(_anomalies, options.Revocations),
            new BreakerStep(_breakers),
            bucket,
            new PrincipalStep(_store),
            new PoolStep(_pools, bucket, record),
            new ApprovalStep(options.ApprovalService, options.ApprovalTimeout, TimeProvider, _logger),
            record,
            anomaly);
        _metrics.ObserveGate(this);
    }

    /// <summary>The policy in force now.</summary>
    public QuotaPolicy Policy => _provider.Current;

    /// <summary>The policy source.</summary>
    public QuotaPolicyProvider PolicyProvider => _provider;

    /// <summary>The bucket store.</summary>
    public IQuotaStore Store => _store;

    /// <summary>The audit sink.</summary>
    public IQuotaAuditSink AuditSink => _audit;

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    internal Meter Meter => _metrics.Meter;

    /// <summary>
    /// Opens a run for an authenticated identity; it becomes <see cref="AgentRun.Current"/> for the rest of
    /// the calling async flow until disposed. Inside a run of the same tenant the new run is its child.
    /// </summary>
    /// <remarks>
    /// Nesting is tracked through the async flow (<see cref="AsyncLocal{T}"/>). Work started without the flow
    /// (after <see cref="ExecutionContext.SuppressFlow"/>, or by <see cref="ThreadPool.UnsafeQueueUserWorkItem(WaitCallback, object?)"/>)
    /// has no run, like a new request, and may open one for any identity it is given: identities must come from
    /// authenticated data only.
    /// </remarks>
    /// <param name="identity">Who the run acts for, from authenticated data only.</param>
    /// <param name="workloadClass">
    /// How urgent the run is; <see langword="null"/> (the default) takes the class of <paramref name="workflow"/> from the
    /// policy's <c>workflows</c>, else <see cref="WorkloadClass.Standard"/>. No run gets a class above its ceiling (its
    /// workflow's class, its tier's and tenant's <c>maxClass</c>): it is lowered to it, or refused with
    /// <see cref="QuotaExceededException"/> (reason <see cref="QuotaReason.ClassCeiling"/>) when the policy's
    /// <c>classCeiling</c> is <c>"refuse"</c>; the audit records which.
    /// </param>
    /// <param name="workflow">A workflow name for audit and reports (the identity-string rule of <see cref="AgentIdentity"/>).</param>
    /// <param name="limits">The run's own caps (tightened by its workflow's and the tier's limits).</param>
    /// <exception cref="InvalidOperationException">
    /// A run of another tenant is open in this flow (switching tenant inside a run is refused), or the flow of the
    /// execution context is suppressed (<see cref="ExecutionContext.SuppressFlow"/>), so the run could neither see
    /// the run around it nor reach the work it governs.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="workflow"/> breaks the identity-string rule.</exception>
    /// <exception cref="QuotaExceededException">The run asks for a class above its ceiling and the policy refuses such runs.</exception>
    public AgentRun BeginRun(AgentIdentity identity, WorkloadClass? workloadClass = null, string? workflow = null, RunLimits? limits = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(identity);
        if (workloadClass is WorkloadClass asked && !Enum.IsDefined(asked))
        {
            throw new ArgumentOutOfRangeException(nameof(workloadClass), workloadClass, "Unknown workload class.");
        }

        if (workflow is not null)
        {
            AgentIdentity.ValidateText(workflow, nameof(workflow), "workflow");
        }

        limits?.Validate();
        AgentRun.ThrowIfFlowSuppressed();
        AgentRun? parent = AgentRun.Current; // the innermost run of this flow that is still open

        if (parent is not null && !string.Equals(parent.Identity.Tenant, identity.Tenant, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Cannot open a run for tenant '{identity.Tenant}' inside {parent.Describe()} of tenant '{parent.Identity.Tenant}'. " +
                "A run's tenant cannot change; dispose the current run first.");
        }

        // issue 16, apply class ceiling at BeginRun: the class from the policy's workflows, lowered or refused above its ceiling (Trust/ClassCeiling.cs).
        QuotaPolicy policy = _provider.Current;
        Trust.RunClass runClass = Trust.ClassCeiling.Resolve(policy, identity, workloadClass, workflow, limits);
        if (runClass.Verdict == Trust.ClassVerdict.Refused)
        {
            RecordRunClass(policy, identity, workflow, run: null, runClass);
        }

        var run = new AgentRun(this, identity, runClass.Class, workflow, name: null, runClass.Limits, parent);
        AgentRun.SetCurrent(run);
        if (runClass.Verdict == Trust.ClassVerdict.Lowered)
        {
            RecordRunClass(policy, identity, workflow, run, runClass);
        }

        return run;
    }

    /// <summary>
    /// Decides one request with an explicit identity (no run): takes the cost from the tenant's bucket
    /// within its ceilings, with approval where the tool requires it, and records the decision.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision; never throws for a denial.</returns>
    public QuotaDecision TryAcquire(in QuotaRequest request)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(request.Tool, nameof(request));
        ValidateCost(request.Tool, request.Cost);
        ValidateWorkflow(request.Workflow);
        Attempt attempt = _pipeline.Begin(run: null, request.Identity, request.WorkloadClass, request.Workflow, request.Tool, request.Cost, request.Approval);
        return _pipeline.Decide(ref attempt).Decision;
    }

    /// <summary>
    /// Asynchronous <see cref="TryAcquire"/>: waits for the approval service and a remote store, and, when the
    /// bucket is exhausted and the policy's ladder enables <see cref="DegradationMode.Queued"/>, in the bucket's
    /// priority queue (up to the class's <c>maxQueueWait</c>); a call served after waiting is admitted with
    /// <see cref="DegradationMode.Queued"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing stays charged when it does.</param>
    public ValueTask<QuotaDecision> AcquireAsync(QuotaRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(request.Tool, nameof(request));
        ValidateCost(request.Tool, request.Cost);
        ValidateWorkflow(request.Workflow);
        cancellationToken.ThrowIfCancellationRequested();
        Attempt attempt = _pipeline.Begin(run: null, request.Identity, request.WorkloadClass, request.Workflow, request.Tool, request.Cost, request.Approval);
        ValueTask<Admission> pending = _pipeline.DecideAsync(ref attempt, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<QuotaDecision>(pending.Result.Decision) : AwaitDecisionAsync(pending);

        static async ValueTask<QuotaDecision> AwaitDecisionAsync(ValueTask<Admission> pending) => (await pending.ConfigureAwait(false)).Decision;
    }

    /// <summary>Flushes the audit sink and releases what the gate owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _audit.FlushAsync().ConfigureAwait(false);
        ReleaseOwned();
    }

    /// <summary>Releases what the gate owns (without waiting for the audit sink).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ReleaseOwned();
    }

    private void ReleaseOwned()
    {
        _buckets.Shutdown(nameof(QuotaGate));
        _pools.Dispose();
        ReleaseModelPools();
        _ownedStore?.Dispose();
        _metrics.Dispose();
        if (_ownsProvider)
        {
            _provider.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static void ValidateWorkflow(string? workflow)
    {
        if (workflow is not null)
        {
            AgentIdentity.ValidateText(workflow, "workflow", "workflow");
        }
    }

    private static void ValidateCost(QuotaTool tool, double cost)
    {
        if (!double.IsFinite(cost) || cost <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost,
                $"The cost of '{tool.Name}' must be a finite number greater than zero; check its [Cost] value or estimator.");
        }
    }
}
