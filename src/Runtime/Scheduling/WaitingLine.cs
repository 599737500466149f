namespace AgentQuotas.Scheduling;

/// <summary>
/// Four FIFO lines of waiters, one per workload class, with the ranking every scheduler here uses.
/// Not thread-safe: the owning queue's lock guards it.
/// </summary>
internal sealed class WaitingLine
{
    public const int ClassCount = 4;

    private readonly QueueWaiter?[] _heads = new QueueWaiter?[ClassCount];
    private readonly QueueWaiter?[] _tails = new QueueWaiter?[ClassCount];
    private readonly int[] _counts = new int[ClassCount];
    private readonly double[] _costs = new double[ClassCount];

    /// <summary>
    /// Whether deadlines follow arrival within each class (true for bucket queues while every waiter of a
    /// class gets the same maximum wait). Pool waiters may have spent part of their wait on units first, and a
    /// call that may be drafted waits only its class's waitBeforeDraft, so those lines are scanned whole (a bucket
    /// queue switches once such a waiter arrives).
    /// </summary>
    public bool FifoDeadlines { get; set; } = true;

    public int Count { get; private set; }

    public int CountOf(WorkloadClass c) => _counts[(int)c];

    public double CostOf(WorkloadClass c) => _costs[(int)c];

    public QueueWaiter? Head(int c) => _heads[c];

    public void Add(QueueWaiter waiter)
    {
        int c = (int)waiter.Class;
        waiter.Previous = _tails[c];
        waiter.Next = null;
        if (_tails[c] is QueueWaiter tail)
        {
            tail.Next = waiter;
        }
        else
        {
            _heads[c] = waiter;
        }

        _tails[c] = waiter;
        waiter.Linked = true;
        _counts[c]++;
        _costs[c] += waiter.Cost;
        Count++;
    }

    public bool Remove(QueueWaiter waiter)
    {
        if (!waiter.Linked)
        {
            return false;
        }

        int c = (int)waiter.Class;
        if (waiter.Previous is QueueWaiter previous)
        {
            previous.Next = waiter.Next;
        }
        else
        {
            _heads[c] = waiter.Next;
        }

        if (waiter.Next is QueueWaiter next)
        {
            next.Previous = waiter.Previous;
        }
        else
        {
            _tails[c] = waiter.Previous;
        }

        waiter.Previous = null;
        waiter.Next = null;
        waiter.Linked = false;
        _counts[c]--;
        _costs[c] = _counts[c] == 0 ? 0 : _costs[c] - waiter.Cost;
        Count--;
        return true;
    }

    /// <summary>Removes every waiter and returns them.</summary>
    public List<QueueWaiter> RemoveAll()
    {
        var all = new List<QueueWaiter>(Count);
        for (int c = 0; c < ClassCount; c++)
        {
            while (_heads[c] is QueueWaiter head)
            {
                Remove(head);
                all.Add(head);
            }
        }

        return all;
    }

    /// <summary>The earliest deadline among waiters (each line's head has its line's earliest).</summary>
    public long EarliestDeadline()
    {
        long earliest = long.MaxValue;
        for (int c = 0; c < ClassCount; c++)
        {
            for (QueueWaiter? w = _heads[c]; w is not null; w = w.Next)
            {
                if (w.CancelRequested)
                {
                    continue; // told already (cancelled or timed out while its units were being taken)
                }

                earliest = Math.Min(earliest, w.Deadline);
                if (FifoDeadlines)
                {
                    break;
                }
            }
        }

        return earliest;
    }

    /// <summary>Removes and returns a waiter whose deadline is at or before <paramref name="now"/>, if any.</summary>
    public QueueWaiter? TakeExpired(long now)
    {
        for (int c = 0; c < ClassCount; c++)
        {
            for (QueueWaiter? w = _heads[c]; w is not null; w = w.Next)
            {
                if (w.InFlight)
                {
                    continue; // its units are being taken: the pump (or the timer) settles it
                }

                if (w.Deadline <= now)
                {
                    Remove(w);
                    return w;
                }

                if (FifoDeadlines)
                {
                    break; // the rest of this line has later deadlines
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Aging: a waiter rises one class per <paramref name="promoteTicks"/> of waiting, but never into
    /// Critical, so aging cannot erode the latency bound of Critical work.
    /// </summary>
    public static int EffectiveClass(QueueWaiter waiter, long now, long promoteTicks)
    {
        int own = (int)waiter.Class;
        if (promoteTicks <= 0 || own <= (int)WorkloadClass.High)
        {
            return own;
        }

        long steps = (now - waiter.EnqueuedAt) / promoteTicks;
        return (int)Math.Max((int)WorkloadClass.High, own - Math.Min(steps, ClassCount));
    }

    /// <summary>
    /// The rank of a waiter, smaller first: classes within their reserved share first; then the effective
    /// (aged) class; at an equal effective class the more urgent own class (a Batch request aged to
    /// Standard ranks behind genuine Standard requests and ahead of Batch ones, so aging lifts a request
    /// past the class below its effective class, never past work that was that urgent to begin with);
    /// then <paramref name="tieBreak"/> (the pools' tenant fairness; 0 for buckets); then arrival.
    /// </summary>
    public static (int Share, int Class, int Own, long Tie, long Sequence) Rank(QueueWaiter waiter, bool withinShare, long now, long promoteTicks, long tieBreak) =>
        (withinShare ? 0 : 1, EffectiveClass(waiter, now, promoteTicks), (int)waiter.Class, tieBreak, waiter.Sequence);

    /// <summary>Whether <paramref name="waiter"/> would be served before a new request of class <paramref name="k"/> (ignoring shares).</summary>
    public static bool IsAhead(QueueWaiter waiter, int k, long now, long promoteTicks) =>
        (int)waiter.Class <= k || EffectiveClass(waiter, now, promoteTicks) < k;
}
