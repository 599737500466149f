namespace AgentQuotas.Routing;

/// <summary>
/// The model turns in flight per pool a model runs in: a concurrency limit from the policy's <c>pools</c> entry, a FIFO
/// line of turns waiting for a slot (each with a deadline: no turn waits without a bound) and the smoothed time a slot is
/// held, from which the wait of the next turn is estimated. One lock guards all pools: counts and hand-overs are exact.
/// </summary>
internal sealed class ModelPools : IDisposable
{
    private const double HoldSmoothing = 0.2;
    private static readonly TimerCallback Expired = static s => ((Waiter)s!).Owner.Expire((Waiter)s);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly bool _runContinuationsAsynchronously;
    private bool _disposed;

    public ModelPools(TimeProvider time, bool runContinuationsAsynchronously)
    {
        _time = time;
        _runContinuationsAsynchronously = runContinuationsAsynchronously;
    }

    /// <summary>Takes a free slot of <paramref name="pool"/> when one is free and nobody waits for it.</summary>
    public bool TryTake(string pool, int concurrency, out ModelSlot? slot)
    {
        lock (_lock)
        {
            PoolState state = State(pool, concurrency);
            if (state.InUse < state.Concurrency && state.Waiting.Count == 0)
            {
                state.InUse++;
                slot = new ModelSlot(this, pool, _time.GetTimestamp());
                return true;
            }
        }

        slot = null;
        return false;
    }

    /// <summary>The pool's occupancy and the estimated wait of a turn that would queue now (null until a slot was released once).</summary>
    public ModelPoolLoad Load(string pool, int concurrency)
    {
        lock (_lock)
        {
            PoolState state = State(pool, concurrency);
            TimeSpan? estimate = null;
            if (state.InUse < state.Concurrency && state.Waiting.Count == 0)
            {
                estimate = TimeSpan.Zero;
            }
            else if (state.MeanHoldTicks > 0)
            {
                // The turns ahead and this one share the pool's slots, each held for the mean hold time.
                estimate = TimeSpan.FromTicks((long)Math.Ceiling(state.MeanHoldTicks * (state.Waiting.Count + 1) / state.Concurrency));
            }

            return new ModelPoolLoad(pool, state.Concurrency, state.InUse, state.Waiting.Count, estimate);
        }
    }

    /// <summary>
    /// Queues for a slot of <paramref name="pool"/> for at most <paramref name="maxWait"/>; the task ends with the slot,
    /// or with <see langword="null"/> when the deadline passed first. Cancellation ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task<ModelSlot?> WaitAsync(string pool, int concurrency, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(this, pool, _runContinuationsAsynchronously);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            PoolState state = State(pool, concurrency);
            waiter.Node = state.Waiting.AddLast(waiter);
            waiter.Timer = _time.CreateTimer(Expired, waiter, maxWait, Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Cancellation = cancellationToken.Register(static (s, token) => ((Waiter)s!).Owner.Cancel((Waiter)s!, token), waiter);
        }

        return waiter.Completion.Task;
    }

    /// <summary>Gives a slot back (once) and hands it to the first waiter.</summary>
    public void Release(ModelSlot slot)
    {
        Waiter? next = null;
        ModelSlot? handed = null;
        lock (_lock)
        {
            if (!_pools.TryGetValue(slot.Pool, out PoolState? state))
            {
                return;
            }

            long now = _time.GetTimestamp();
            double held = _time.GetElapsedTime(slot.AcquiredAt, now).Ticks;
            state.MeanHoldTicks = state.MeanHoldTicks == 0 ? held : state.MeanHoldTicks + (HoldSmoothing * (held - state.MeanHoldTicks));
            state.InUse--;
            if (state.InUse < state.Concurrency && state.Waiting.First is { } first)
            {
                next = first.Value;
                state.Waiting.RemoveFirst();
                next.Node = null;
                state.InUse++;
                handed = new ModelSlot(this, slot.Pool, now);
            }
        }

        if (next is not null)
        {
            next.Grant(handed!);
        }
    }

    public void Dispose()
    {
        List<Waiter> waiters = [];
        lock (_lock)
        {
            _disposed = true;
            foreach (PoolState state in _pools.Values)
            {
                waiters.AddRange(state.Waiting);
                state.Waiting.Clear();
            }
        }

        foreach (Waiter waiter in waiters)
        {
            waiter.Node = null;
            waiter.Fail(new ObjectDisposedException(nameof(QuotaGate), "The quota gate was disposed while the model turn waited for a slot."));
        }
    }

    private PoolState State(string pool, int concurrency)
    {
        if (!_pools.TryGetValue(pool, out PoolState? state))
        {
            state = new PoolState();
            _pools.Add(pool, state);
        }

        state.Concurrency = concurrency; // follows the policy in force (a reload may resize the pool)
        return state;
    }

    private void Expire(Waiter waiter)
    {
        if (Remove(waiter))
        {
            waiter.Finish(null);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        if (Remove(waiter))
        {
            waiter.Cancel(token);
        }
    }

    private bool Remove(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is not { } node)
            {
                return false; // granted, expired or cancelled already
            }

            node.List!.Remove(node);
            waiter.Node = null;
            return true;
        }
    }

    private sealed class PoolState
    {
        public int Concurrency;
        public int InUse;
        public double MeanHoldTicks;
        public readonly LinkedList<Waiter> Waiting = new();
    }

    private sealed class Waiter
    {
        public Waiter(ModelPools owner, string pool, bool runContinuationsAsynchronously)
        {
            Owner = owner;
            Pool = pool;
            Completion = new TaskCompletionSource<ModelSlot?>(runContinuationsAsynchronously ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
        }

        public ModelPools Owner { get; }

        public string Pool { get; }

        public TaskCompletionSource<ModelSlot?> Completion { get; }

        public LinkedListNode<Waiter>? Node { get; set; } // in the line while not null; guarded by the owner's lock

        public ITimer? Timer { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }

        public void Grant(ModelSlot slot)
        {
            Cleanup();
            if (!Completion.TrySetResult(slot))
            {
                slot.Release(); // nobody can use it: give it back
            }
        }

        public void Finish(ModelSlot? slot)
        {
            Cleanup();
            Completion.TrySetResult(slot);
        }

        public void Cancel(CancellationToken token)
        {
            Cleanup();
            Completion.TrySetCanceled(token);
        }

        public void Fail(Exception exception)
        {
            Cleanup();
            Completion.TrySetException(exception);
        }

        private void Cleanup()
        {
            Timer?.Dispose();
            Cancellation.Dispose();
        }
    }
}
