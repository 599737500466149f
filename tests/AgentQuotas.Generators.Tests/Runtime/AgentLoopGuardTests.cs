using AgentQuotas.Audit;
using AgentQuotas.Generators.Tests.Harness;
using AgentQuotas.Guard;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Generators.Tests.Runtime;

/// <summary>The runtime side of [AgentLoop] model-call counting: AgentLoopGuard, ModelTurn, ModelTokenUsage.</summary>
public sealed class AgentLoopGuardTests : IDisposable
{
    private static readonly AgentIdentity Acme = new("acme", "user-1");
    private readonly FakeTimeProvider _time = TestTime.Create();
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public AgentLoopGuardTests()
    {
        _gate = Policies.Gate(Policies.Create("{}", "chat:100:1"), _time, o => o.AuditSink = _audit);
    }

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void Invalid_settings_are_refused_with_the_reason()
    {
        RunLimits limits = RunLimits.FromAgentLoop(2, 0, 0);
        Assert.Throws<ArgumentException>(() => new AgentLoopGuard(" ", limits));
        Assert.Throws<ArgumentNullException>(() => new AgentLoopGuard("L.M", null!));
        Assert.Contains("TokenCategory", Assert.Throws<ArgumentException>(() => new AgentLoopGuard("L.M", limits, tokenCategory: "")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AgentLoopGuard("L.M", limits, "chat", inputTokenCost: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AgentLoopGuard("L.M", limits, "chat", outputTokenCost: -1));
    }

    [Fact]
    public async Task A_model_call_opens_the_loops_run_in_the_callers_flow_and_the_next_call_finds_it()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(2, 0, 0));
        using AgentRun run = _gate.BeginRun(Acme);

        await loop.InvokeAsync(false, 1, static x => Task.FromResult(x), null);
        AgentRun opened = AgentRun.Current!;
        Assert.Equal("L.M", opened.Name);
        Assert.Same(run, opened.Parent);
        Assert.Same(opened, loop.FindRun());

        await loop.InvokeAsync(false, 2, static x => Task.FromResult(x), null);
        Assert.Same(opened, AgentRun.Current);
        Assert.Equal(2, opened.Iterations);

        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => loop.InvokeAsync(false, 3, static x => Task.FromResult(x), null));
        Assert.Equal(QuotaReason.RunIterationLimit, e.Reason);
    }

    [Fact]
    public async Task BeginScope_opens_a_run_only_outside_the_loops_own_run_and_a_disposed_run_is_not_found()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(2, 0, 0));
        using AgentRun run = _gate.BeginRun(Acme);

        AgentRun? scope = loop.BeginScope();
        Assert.NotNull(scope);
        Assert.Null(loop.BeginScope());   // inside it already: a recursive call shares it
        using (AgentRun nested = _gate.BeginRun(Acme))
        {
            Assert.Same(scope, loop.FindRun());   // found as an ancestor
        }

        scope!.Dispose();
        Assert.Null(loop.FindRun());
        Assert.Same(run, AgentRun.Current);

        // Another loop with the same name but other caps is another loop.
        var other = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(3, 0, 0));
        using AgentRun? mine = loop.BeginScope();
        Assert.Null(other.FindRun());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_nested_call_without_the_loops_run_fails_closed_without_calling()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(2, 0, 0));
        using AgentRun run = _gate.BeginRun(Acme);
        int calls = 0;

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => loop.InvokeAsync(true, 0, x => Task.FromResult(++calls), null));
        Assert.Contains("lambda or local function", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, calls);

        e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (int _ in loop.InvokeStreaming(true, 0, static _ => Numbers(1), null))
            {
            }
        });
        Assert.Contains("lambda or local function", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_is_charged_when_the_call_completes_and_nothing_when_it_fails()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(5, 0, 0), "chat", inputTokenCost: 1, outputTokenCost: 2);
        using AgentRun run = _gate.BeginRun(Acme);
        var pending = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<int> call = loop.InvokeAsync(false, pending, static p => p.Task, static r => ModelTokenUsage.From(r, r, null));
        Assert.Equal(0, run.CostSpent);
        pending.SetResult(3);
        Assert.Equal(3, await call);
        Assert.Equal(9, run.CostSpent);   // 3 input at 1, 3 output at 2

        await Assert.ThrowsAsync<TimeoutException>(() => loop.InvokeAsync(false, 0, static _ => Task.FromException<int>(new TimeoutException()), static r => ModelTokenUsage.From(r, r, null)));
        Assert.Equal(9, run.CostSpent);
        Assert.Equal(2, AgentRun.Current!.Iterations);   // the failed call was still a turn
    }

    [Fact]
    public async Task A_stream_is_counted_when_first_read_and_charged_when_abandoned()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(5, 0, 0), "chat");
        using AgentRun run = _gate.BeginRun(Acme);

        IAsyncEnumerable<int> stream = loop.InvokeStreaming(false, 0, static _ => Numbers(10), static n => ModelTokenUsage.From(n, 0, null));
        AgentRun loopRun = AgentRun.Current!;
        Assert.Equal(0, loopRun.Iterations);

        await foreach (int n in stream)
        {
            if (n == 3)
            {
                break;   // abandoned after 1 + 2 + 3 input tokens
            }
        }

        Assert.Equal(1, loopRun.Iterations);
        Assert.Equal(6, run.CostSpent);
    }

    [Fact]
    public async Task An_empty_token_bucket_refuses_the_call_before_it_is_made()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(5, 0, 0), "chat");
        using AgentRun run = _gate.BeginRun(Acme);
        await loop.InvokeAsync(false, 0, static _ => Task.FromResult(0), static _ => ModelTokenUsage.From(150, 0, null));   // 150 > capacity 100: in debt

        int calls = 0;
        QuotaExceededException e = await Assert.ThrowsAsync<QuotaExceededException>(() => loop.InvokeAsync(false, 0, _ => Task.FromResult(++calls), null));
        Assert.Equal(QuotaReason.BucketExhausted, e.Reason);
        Assert.NotNull(e.RetryAfter);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task The_turn_is_current_during_the_call_and_its_iteration_is_claimed_once_even_under_contention()
    {
        var loop = new AgentLoopGuard("L.M", RunLimits.FromAgentLoop(5, 0, 0), "chat");
        using AgentRun run = _gate.BeginRun(Acme);
        int claimed = 0;

        await loop.InvokeAsync(false, 0, async _ =>
        {
            ModelTurn turn = Assert.IsType<ModelTurn>(ModelTurn.Current);
            Assert.Same(AgentRun.Current, turn.Run);
            Assert.False(turn.TryClaimIteration(run));   // another run: the caller counts as usual
            using var start = new Barrier(4);
            Task[] claimers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                if (turn.TryClaimIteration(turn.Run))
                {
                    Interlocked.Increment(ref claimed);
                }
            }))];
            await Task.WhenAll(claimers).WaitAsync(TimeSpan.FromSeconds(30));
            turn.ChargeTokensElsewhere();
            return 0;
        }, static _ => ModelTokenUsage.From(10, 10, null));

        Assert.Equal(1, claimed);
        Assert.Null(ModelTurn.Current);   // only during the call
        Assert.Equal(0, run.CostSpent);   // charged elsewhere: not by the loop
    }

    [Fact]
    public void Usage_reads_the_split_when_given_else_the_total_at_the_input_rate()
    {
        Assert.Equal(10 * 1 + 5 * 3, ModelTokenUsage.From(10, 5, 99).Cost(1, 3));
        Assert.Equal(7 * 2, ModelTokenUsage.From(null, null, 7).Cost(2, 5));
        Assert.Equal(4 * 1, ModelTokenUsage.From(4, null, null).Cost(1, 100));
        Assert.True(ModelTokenUsage.From(null, null, null).IsEmpty);
        Assert.Equal(0, ModelTokenUsage.From(-5, -5, -5).Cost(1, 1));
        ModelTokenUsage sum = ModelTokenUsage.From(1, 2, null) + ModelTokenUsage.From(null, null, 3);
        Assert.Equal((1L, 2L, 3L), (sum.InputTokens, sum.OutputTokens, sum.UnsplitTokens));
    }

    private static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }
}
