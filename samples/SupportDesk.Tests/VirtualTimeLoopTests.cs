using SupportDesk.Hosting;

namespace SupportDesk.Tests;

/// <summary>The single-threaded virtual clock the memory-store runs use.</summary>
public class VirtualTimeLoopTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Delays_complete_in_time_order_on_the_loops_thread_and_time_moves_only_when_they_do()
    {
        var loop = new VirtualTimeLoop(Start);
        int thread = Environment.CurrentManagedThreadId;
        var order = new List<(string Name, TimeSpan At, bool SameThread)>();

        async Task Step(string name, TimeSpan delay)
        {
            await loop.Clock.DelayAsync(delay);
            order.Add((name, loop.Clock.Elapsed, Environment.CurrentManagedThreadId == thread));
        }

        int result = loop.Run(async () =>
        {
            await Task.WhenAll(Step("b", TimeSpan.FromSeconds(2)), Step("a", TimeSpan.FromSeconds(1)), Step("c", TimeSpan.FromMinutes(5)));
            return 42;
        }, limit: TimeSpan.FromHours(1));

        Assert.Equal(42, result);
        Assert.Equal([("a", TimeSpan.FromSeconds(1), true), ("b", TimeSpan.FromSeconds(2), true), ("c", TimeSpan.FromMinutes(5), true)], order);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), loop.Clock.GetUtcNow());
    }

    [Fact]
    public void A_cancelled_delay_continues_inline_so_the_run_stays_on_one_thread()
    {
        var loop = new VirtualTimeLoop(Start);
        bool cancelled = loop.Run(async () =>
        {
            using var cancel = new CancellationTokenSource();
            Task pending = loop.Clock.DelayAsync(TimeSpan.FromHours(1), cancel.Token);
            await loop.Clock.DelayAsync(TimeSpan.FromSeconds(1));
            cancel.Cancel();
            try
            {
                await pending;
                return false;
            }
            catch (OperationCanceledException)
            {
                return true;
            }
        }, limit: TimeSpan.FromMinutes(1));

        Assert.True(cancelled);
        Assert.Equal(TimeSpan.FromSeconds(1), loop.Clock.Elapsed);
    }

    [Fact]
    public void Work_that_leaves_the_loops_thread_is_reported()
    {
        var loop = new VirtualTimeLoop(Start);
        var e = Assert.Throws<InvalidOperationException>(() => loop.Run(async () =>
        {
            // A delay started on another thread: its timer is set from there.
            Task? pending = null;
            var other = new Thread(() => pending = loop.Clock.DelayAsync(TimeSpan.FromSeconds(1)));
            other.Start();
            other.Join();
            await pending!;
            return 0;
        }, limit: TimeSpan.FromMinutes(1)));
        Assert.Contains("not deterministic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Work_waiting_on_nothing_is_reported_as_stuck()
    {
        var loop = new VirtualTimeLoop(Start);
        var never = new TaskCompletionSource<int>();
        var e = Assert.Throws<InvalidOperationException>(() => loop.Run(() => never.Task, limit: TimeSpan.FromMinutes(1)));
        Assert.Contains("nothing is scheduled on the virtual clock", e.Message, StringComparison.Ordinal);

        var periodic = new VirtualTimeLoop(Start);
        using ITimer ticking = periodic.Clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        e = Assert.Throws<InvalidOperationException>(() => periodic.Run(() => never.Task, limit: TimeSpan.FromMinutes(1)));
        Assert.Contains("past its limit of 00:01:00", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timer_re_armed_for_now_forever_is_reported_instead_of_hanging()
    {
        var loop = new VirtualTimeLoop(Start);
        ITimer? timer = null;
        timer = loop.Clock.CreateTimer(_ => timer!.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        var e = Assert.Throws<InvalidOperationException>(() => loop.Run(() => new TaskCompletionSource<int>().Task, limit: TimeSpan.FromMinutes(1)));
        Assert.Contains("without time moving on", e.Message, StringComparison.Ordinal);
        timer.Dispose();
    }

    [Fact]
    public void A_paced_run_takes_wall_time_in_proportion()
    {
        var loop = new VirtualTimeLoop(Start);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        loop.Run(async () =>
        {
            await loop.Clock.DelayAsync(TimeSpan.FromSeconds(10));
            return 0;
        }, limit: TimeSpan.FromMinutes(1), pace: 50); // 10 virtual seconds at 50x: 0.2 s of wall time
        // Pacing makes a run take at least its share of wall time; a loaded machine can only make it take longer
        // (the upper bound guards a hang, not a speed).
        Assert.InRange(wall.Elapsed, TimeSpan.FromSeconds(0.19), TimeSpan.FromSeconds(60));
    }
}
