using AgentQuotas.Policy;

namespace AgentQuotas;

/// <summary>
/// One agent run on behalf of an authenticated identity: the scope in which guarded tools may be
/// called. Tracks iterations, tool calls, cost spent and the deadline, and enforces its caps (its own,
/// tightened by the tenant tier's limits). <see cref="Current"/> flows with the async context.
/// </summary>
/// <remarks>
/// Runs nest: <see cref="BeginChild"/> (used for <see cref="AgentLoopAttribute"/> methods) and a
/// <see cref="QuotaGate.BeginRun"/> inside a run of the same tenant open a child whose tool calls and
/// cost also count against every ancestor. Disposing a run restores its parent as current.
/// </remarks>
public sealed partial class AgentRun : IDisposable
{
    private static readonly AsyncLocal<AgentRun?> CurrentRun = new();
    private static long s_nextId;

    private readonly int _maxIterations;
    private readonly int _maxToolCalls;
    private readonly double _maxCost;
    private readonly long _deadline; // TimeProvider timestamp; 0 = none
    private int _iterations;
    private int _toolCalls;
    private double _cost;
    private int _disposed;

    // Settled tickets' slots, for the run's next tickets: a few, so parallel calls of one run reuse them too.
    private readonly TicketSlot?[] _freeSlots = new TicketSlot?[4];

    internal AgentRun(QuotaGate gate, AgentIdentity identity, WorkloadClass workloadClass, string? workflow, string? name, RunLimits? limits, AgentRun? parent)
    {
        Gate = gate;
        Identity = identity;
        BucketHints = new Stores.BucketHints(identity.Tenant);
        WorkloadClass = workloadClass;
        Workflow = workflow;
        Name = name;
        Limits = limits;
        Parent = parent;
        Id = parent is null
            ? "run-" + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : parent.Id + "." + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _maxIterations = limits?.MaxIterations ?? 0;
        _maxToolCalls = limits?.MaxToolCalls ?? 0;
        _maxCost = limits?.MaxCost ?? 0;
        StartTimestamp = gate.TimeProvider.GetTimestamp();
        if (limits?.Timeout is TimeSpan timeout)
        {
            _deadline = StartTimestamp + (long)(timeout.TotalSeconds * gate.TimeProvider.TimestampFrequency);
        }
    }

    /// <summary>
    /// The innermost open run of the current async context, or <see langword="null"/> outside any run. A run
    /// disposed from another flow does not hide its open parent: its parent is current.
    /// </summary>
    public static AgentRun? Current => Open(CurrentRun.Value);

    /// <summary>The gate that decides for this run.</summary>
    public QuotaGate Gate { get; }

    /// <summary>Who the run acts for; the only source of the tenant for guarded calls.</summary>
    public AgentIdentity Identity { get; }

    /// <summary>What the store remembers between this run's calls (the buckets it used last); opaque to the gate.</summary>
    internal Stores.BucketHints BucketHints { get; }

    /// <summary>The run's workload class.</summary>
    public WorkloadClass WorkloadClass { get; }

    /// <summary>The workflow name, for audit and reports.</summary>
    public string? Workflow { get; }

    /// <summary>The name of a child run (the <see cref="AgentLoopAttribute"/> method, for example).</summary>
    public string? Name { get; }

    /// <summary>A process-unique id (children extend their parent's: <c>run-7.9</c>).</summary>
    public string Id { get; }

    /// <summary>The run's own caps (before the tier's limits tighten them).</summary>
    public RunLimits? Limits { get; }

    /// <summary>The enclosing run, if nested.</summary>
    public AgentRun? Parent { get; }

    /// <summary>Iterations begun in this run (not its children).</summary>
    public int Iterations => Volatile.Read(ref _iterations);

    /// <summary>Guarded tool calls admitted in this run and its children.</summary>
    public int ToolCalls => Volatile.Read(ref _toolCalls);

    /// <summary>Cost charged to this run and its children (actual where reported, else planned).</summary>
    public double CostSpent => Volatile.Read(ref _cost);

    /// <summary>Whether the run has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal long StartTimestamp { get; }

    /// <summary>Returns the current run or fails closed.</summary>
    /// <param name="operation">The guarded operation, named in the error.</param>
    /// <exception cref="InvalidOperationException">There is no current run (or it has been disposed).</exception>
    public static AgentRun RequireCurrent(string operation)
    {
        AgentRun? flowing = CurrentRun.Value;
        AgentRun? run = Open(flowing) ?? flowing;
        if (run is null)
        {
            throw new InvalidOperationException(
                $"'{operation}' is guarded by AgentQuotas and can only run inside an agent run. Open one where the request " +
                "is authenticated, e.g. 'using var run = gate.BeginRun(new AgentIdentity(tenant, principal), WorkloadClass.High);'. " +
                "Guarded calls fail closed: no run, no call.");
        }

        if (run.IsDisposed)
        {
            throw new InvalidOperationException($"'{operation}' was called in agent run {run.Id}, which has already been disposed.");
        }

        return run;
    }

    /// <summary>Opens a child run with its own caps; it becomes <see cref="Current"/> until disposed.</summary>
    /// <param name="limits">The child's caps (tightened by the tier's limits); <see langword="null"/> for none of its own.</param>
    /// <param name="name">A name for audit and messages, e.g. the loop method.</param>
    /// <exception cref="ObjectDisposedException">This run has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The flow of the execution context is suppressed (see <see cref="QuotaGate.BeginRun"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> breaks the identity-string rule of <see cref="AgentIdentity"/>.</exception>
    public AgentRun BeginChild(RunLimits? limits = null, string? name = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (name is not null)
        {
            ValidateName(name);
        }

        limits?.Validate();
        ThrowIfFlowSuppressed();
        var child = new AgentRun(Gate, Identity, WorkloadClass, Workflow, name, limits, this);
        CurrentRun.Value = child;
        return child;
    }

    /// <summary>Counts one iteration (model turn) against the run's cap; records the decision.</summary>
    /// <returns>The decision; denied with <see cref="QuotaReason.RunIterationLimit"/> past the cap.</returns>
    /// <exception cref="ObjectDisposedException">The run has been disposed.</exception>
    public QuotaDecision TryBeginIteration()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Gate.BeginIteration(this);
    }

    /// <summary>Counts one iteration, or throws past the cap.</summary>
    /// <exception cref="QuotaExceededException">The iteration cap (or deadline) is reached.</exception>
    public void BeginIteration() => TryBeginIteration().ThrowIfDenied();

    /// <summary>Asks the gate to admit one call of <paramref name="tool"/> for this run.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="cost">The planned cost; finite and greater than zero.</param>
    /// <param name="cancellationToken">Cancels waiting (for approval or a remote store).</param>
    /// <returns>A ticket: if admitted, complete or fail it when the call ends.</returns>
    public ValueTask<QuotaTicket> AcquireAsync(QuotaTool tool, double cost, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Gate.AcquireForRunAsync(this, tool, cost, cancellationToken);
    }

    /// <summary>
    /// Asks the gate to admit one call of a privileged <paramref name="tool"/>, bound to its arguments and, when it resumes
    /// after an operator approved it, to that approval (<see cref="ApprovalBinding.Resume"/>).
    /// </summary>
    /// <param name="tool">The tool.</param>
    /// <param name="cost">The planned cost; finite and greater than zero.</param>
    /// <param name="approval">The arguments digest and the approval to resume with.</param>
    /// <param name="cancellationToken">Cancels waiting (for approval or a remote store).</param>
    /// <returns>A ticket: if admitted, complete or fail it when the call ends; if filed for approval, its decision carries the handle.</returns>
    /// <remarks>A separate name, not an overload: generated guards pass <c>default</c> for the token, which an overload would make ambiguous.</remarks>
    public ValueTask<QuotaTicket> AcquirePrivilegedAsync(QuotaTool tool, double cost, ApprovalBinding approval, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Gate.AcquireForRunAsync(this, tool, cost, cancellationToken, approval);
    }

    /// <summary>Synchronous <see cref="AcquireAsync"/>. An approval that is not answered synchronously counts as pending.</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="cost">The planned cost; finite and greater than zero.</param>
    public QuotaTicket Acquire(QuotaTool tool, double cost)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return Gate.AcquireForRun(this, tool, cost);
    }

    /// <summary>Ends the run: further calls in it fail, and its parent (if any) becomes current again.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (ReferenceEquals(CurrentRun.Value, this))
        {
            CurrentRun.Value = Open(Parent);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"AgentRun {Id} ({Identity}, {WorkloadClass}{(Name is null ? string.Empty : ", " + Name)})";

    internal static void SetCurrent(AgentRun run) => CurrentRun.Value = run;

    /// <summary>
    /// Refuses to open a run while the flow of the execution context is suppressed: the run would not flow into
    /// the work it governs, and could not see the run around it (a run disposed later would not restore it).
    /// </summary>
    internal static void ThrowIfFlowSuppressed()
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            throw new InvalidOperationException(
                "Cannot open an agent run while the flow of the execution context is suppressed (ExecutionContext.SuppressFlow): " +
                "the run would not flow into the work it governs, nor see the run around it. Restore the flow first.");
        }
    }

    // The innermost run of a chain that is still open: a run disposed on another flow stays the flow's
    // AsyncLocal value, but its parent (if open) is the run that governs this flow now.
    private static AgentRun? Open(AgentRun? run)
    {
        while (run is { IsDisposed: true })
        {
            run = run.Parent;
        }

        return run;
    }

    private static void ValidateName(string name) => AgentIdentity.ValidateText(name, nameof(name), "run name");

    /// <summary>Checks the deadline of this run and its ancestors.</summary>
    internal AgentRun? FindExpired(long now)
    {
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            if (r._deadline != 0 && now >= r._deadline)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>Counts one iteration of this run against min(own cap, tier cap).</summary>
    internal bool TryCountIteration(TierLimits tier, out int cap)
    {
        cap = Tighter(_maxIterations, tier.MaxIterations);
        int n = Interlocked.Increment(ref _iterations);
        if (cap > 0 && n > cap)
        {
            Interlocked.Decrement(ref _iterations);
            return false;
        }

        return true;
    }

    /// <summary>Undoes a count made by <see cref="TryCountIteration"/>.</summary>
    internal void UncountIteration() => Interlocked.Decrement(ref _iterations);

    /// <summary>The run (this one or an ancestor) whose cost cap is reached, if any.</summary>
    internal AgentRun? FindCostCapReached(TierLimits tier)
    {
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            double cap = Tighter(r._maxCost, tier.MaxCostPerRun);
            if (cap > 0 && r.CostSpent >= cap)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>
    /// Reserves one tool call and <paramref name="cost"/> in this run and every ancestor, all or nothing.
    /// </summary>
    /// <returns><see cref="QuotaReason.None"/>, or the cap that refused, with the run that owns it.</returns>
    internal QuotaReason TryReserve(double cost, TierLimits tier, out AgentRun? limiting)
    {
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            int maxCalls = Tighter(r._maxToolCalls, tier.MaxToolCalls);
            int calls = Interlocked.Increment(ref r._toolCalls);
            if (maxCalls > 0 && calls > maxCalls)
            {
                Interlocked.Decrement(ref r._toolCalls);
                ReleaseUpTo(r, cost);
                limiting = r;
                return QuotaReason.RunToolCallLimit;
            }

            double maxCost = Tighter(r._maxCost, tier.MaxCostPerRun);
            if (!r.TryAddCost(cost, maxCost))
            {
                Interlocked.Decrement(ref r._toolCalls);
                ReleaseUpTo(r, cost);
                limiting = r;
                return QuotaReason.RunCostLimit;
            }
        }

        limiting = null;
        return QuotaReason.None;
    }

    /// <summary>Undoes a reservation made by <see cref="TryReserve"/>.</summary>
    internal void Release(double cost) => ReleaseUpTo(null, cost);

    /// <summary>Corrects the cost of an admitted call in this run and every ancestor (no cap check: the call has run).</summary>
    internal void AdjustCost(double delta)
    {
        for (AgentRun? r = this; r is not null; r = r.Parent)
        {
            r.AddCost(delta);
        }
    }

    /// <summary>A slot for a ticket this run issues: a settled one when there is one (no allocation), else a new one.</summary>
    internal TicketSlot RentTicketSlot()
    {
        TicketSlot?[] free = _freeSlots;
        for (int i = 0; i < free.Length; i++)
        {
            if (Volatile.Read(ref free[i]) is not null && Interlocked.Exchange(ref free[i], null) is TicketSlot slot)
            {
                return slot;
            }
        }

        return new TicketSlot();
    }

    /// <summary>Keeps a settled ticket's slot for reuse (its version has moved on, so copies of that ticket stay settled).</summary>
    internal void ReturnTicketSlot(TicketSlot slot)
    {
        TicketSlot?[] free = _freeSlots;
        for (int i = 0; i < free.Length; i++)
        {
            if (Volatile.Read(ref free[i]) is null && Interlocked.CompareExchange(ref free[i], slot, null) is null)
            {
                return;
            }
        }
    }

    internal string Describe() => Name is null ? "run " + Id : $"run {Id} ({Name})";

    internal string DescribeCaps(TierLimits tier, QuotaReason reason) => reason switch
    {
        QuotaReason.RunToolCallLimit => $"{Describe()} allows {Tighter(_maxToolCalls, tier.MaxToolCalls)} tool calls.",
        QuotaReason.RunCostLimit => $"{Describe()} allows {Tighter(_maxCost, tier.MaxCostPerRun):0.##} cost units and has spent {CostSpent:0.##}.",
        QuotaReason.RunIterationLimit => $"{Describe()} allows {Tighter(_maxIterations, tier.MaxIterations)} iterations.",
        _ => Describe() + ".",
    };

    private void ReleaseUpTo(AgentRun? stop, double cost)
    {
        for (AgentRun? r = this; r is not null && !ReferenceEquals(r, stop); r = r.Parent)
        {
            Interlocked.Decrement(ref r._toolCalls);
            r.AddCost(-cost);
        }
    }

    private bool TryAddCost(double cost, double max)
    {
        while (true)
        {
            double current = Volatile.Read(ref _cost);
            double next = current + cost;
            if (max > 0 && next > max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _cost, next, current) == current)
            {
                return true;
            }
        }
    }

    private void AddCost(double delta)
    {
        while (true)
        {
            double current = Volatile.Read(ref _cost);
            if (Interlocked.CompareExchange(ref _cost, current + delta, current) == current)
            {
                return;
            }
        }
    }

    private static int Tighter(int own, int? tier) =>
        tier is int t && (own == 0 || t < own) ? t : own;

    private static double Tighter(double own, double? tier) =>
        tier is double t && (own == 0 || t < own) ? t : own;
}
