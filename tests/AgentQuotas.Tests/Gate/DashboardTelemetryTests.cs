using AgentQuotas.Guard;
using AgentQuotas.Policy;
using AgentQuotas.Telemetry;
using AgentQuotas.Testing;
using AgentQuotas.Tests.Scheduling;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AgentQuotas.Tests.Gate;

/// <summary>The instruments the guide's minimum dashboard reads: gauges read on collection, and the counters behind its rates.</summary>
[Collection(ProcessWideTelemetryCollection.Name)]
public class DashboardTelemetryTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    private static int Value(MetricCollector<int> collector, params (string Tag, string Value)[] tags)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Last(m => tags.All(t => (string?)m.Tags[t.Tag] == t.Value)).Value;
    }

    [Fact]
    public void Listening_to_the_gauges_adds_no_allocation_to_admitted_calls()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1_000_000, refill: 1_000_000, extra: "\"pools\": { \"shared\": { \"concurrency\": 4 } }");
        using QuotaGate gate = TestPolicies.Gate(policy, time, o => o.AuditSink = new AgentQuotas.Audit.InMemoryAuditSink(capacity: 16));
        using var depth = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.QueueDepth);
        using var inUse = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.PoolInUse);
        using var flagged = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.AnomaliesFlagged);
        using AgentRun run = gate.BeginRun(Acme);
        for (int i = 0; i < 100; i++)
        {
            run.Acquire(Search, 1).Complete();                  // warm up
        }

        long least = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                run.Acquire(Search, 1).Complete();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);                                 // gauges are read on collection, not on the call
        Assert.Equal(0, Value(inUse, (QuotaTelemetry.Tags.Pool, "shared")));
    }

    [Fact]
    public async Task Queue_depth_is_read_per_class_and_per_queue_when_collected()
    {
        var time = TestTime.Create();
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 2, refill: 1), time);
        using var depth = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.QueueDepth);

        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 2)).IsAdmitted);
        ValueTask<QuotaDecision> high = gate.AcquireAsync(new QuotaRequest(Acme, Search, 1, WorkloadClass.High));
        ValueTask<QuotaDecision> batch1 = gate.AcquireAsync(new QuotaRequest(Acme, Search, 1, WorkloadClass.Batch));
        ValueTask<QuotaDecision> batch2 = gate.AcquireAsync(new QuotaRequest(Acme, Search, 1, WorkloadClass.Batch));

        Assert.Equal(1, Value(depth, (QuotaTelemetry.Tags.Class, "High"), (QuotaTelemetry.Tags.Queue, "bucket")));
        Assert.Equal(2, Value(depth, (QuotaTelemetry.Tags.Class, "Batch"), (QuotaTelemetry.Tags.Queue, "bucket")));
        Assert.Equal(0, Value(depth, (QuotaTelemetry.Tags.Class, "Critical"), (QuotaTelemetry.Tags.Queue, "bucket")));
        Assert.Equal(0, Value(depth, (QuotaTelemetry.Tags.Class, "Batch"), (QuotaTelemetry.Tags.Queue, "pool")));

        // One unit a second: one waiter served per step, the highest class first.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await high).IsAdmitted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await batch1).IsAdmitted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await batch2).IsAdmitted);
        Assert.Equal(0, Value(depth, (QuotaTelemetry.Tags.Class, "Batch"), (QuotaTelemetry.Tags.Queue, "bucket")));
    }

    [Fact]
    public async Task Pool_occupancy_and_pool_waiters_are_read_when_collected()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 1000, refill: 100, extra: "\"pools\": { \"shared\": { \"concurrency\": 2 } }");
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time);
        using var inUse = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.PoolInUse);
        using var concurrency = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.PoolConcurrency);
        using var depth = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.QueueDepth);
        using AgentRun run = gate.BeginRun(Acme);

        QuotaTicket first = run.Acquire(Search, 1);
        Assert.Equal(1, Value(inUse, (QuotaTelemetry.Tags.Pool, "shared")));
        Assert.Equal(2, Value(concurrency, (QuotaTelemetry.Tags.Pool, "shared")));

        QuotaTicket second = run.Acquire(Search, 1);
        ValueTask<QuotaTicket> waiting = run.AcquireAsync(Search, 1);
        Assert.Equal(2, Value(inUse, (QuotaTelemetry.Tags.Pool, "shared")));
        Assert.Equal(1, Value(depth, (QuotaTelemetry.Tags.Class, "Standard"), (QuotaTelemetry.Tags.Queue, "pool")));

        first.Complete();
        QuotaTicket third = await waiting;
        Assert.True(third.IsAdmitted);
        second.Complete();
        third.Complete();
        Assert.Equal(0, Value(inUse, (QuotaTelemetry.Tags.Pool, "shared")));
        Assert.Equal(0, Value(depth, (QuotaTelemetry.Tags.Class, "Standard"), (QuotaTelemetry.Tags.Queue, "pool")));
    }

    [Fact]
    public void Completions_failures_burst_credits_and_privileged_calls_are_counted()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 2, refill: 1, burst: "{ \"multiplier\": 2, \"maxSeconds\": 10 }"), time);
        using var completed = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Completed);
        using var failed = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Failed);
        using var burst = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.BurstUsed);
        using var privileged = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.PrivilegedCalls);
        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.High);

        time.Advance(TimeSpan.FromSeconds(10));                 // a full bucket banks the overflow as burst credits
        run.Acquire(Search, 2).Complete();                      // empties the bucket
        Assert.Empty(burst.GetMeasurementSnapshot());
        run.Acquire(Search, 1.5).Fail(new TimeoutException());  // drawn from burst credits
        var delete = new QuotaTool("delete_user", "search", isPrivileged: true);
        run.Acquire(delete, 1).Complete();                      // burst credits again
        Assert.False(run.Acquire(delete, 100).IsAdmitted);

        Assert.Equal(2, completed.GetMeasurementSnapshot().Sum(m => m.Value));
        CollectedMeasurement<long> failure = Assert.Single(failed.GetMeasurementSnapshot());
        Assert.Equal(("acme", "search", "High"), ((string)failure.Tags[QuotaTelemetry.Tags.Tenant]!, (string)failure.Tags[QuotaTelemetry.Tags.Category]!, (string)failure.Tags[QuotaTelemetry.Tags.Class]!));
        Assert.Equal(2.5, burst.GetMeasurementSnapshot().Sum(m => m.Value), 9);
        Assert.Equal(
            [("acme", "delete_user", "admitted"), ("acme", "delete_user", "refused")],
            privileged.GetMeasurementSnapshot().Select(m => ((string)m.Tags[QuotaTelemetry.Tags.Tenant]!, (string)m.Tags[QuotaTelemetry.Tags.Tool]!, (string)m.Tags[QuotaTelemetry.Tags.Decision]!)));
    }

    [Fact]
    public void Model_tokens_and_cost_are_counted_by_the_model_the_client_reported()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 1000, refill: 10, category: "tokens"), time);
        using var tokens = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.ModelTokens);
        using var cost = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.ModelCost);
        using AgentRun run = gate.BeginRun(Acme);
        var chat = new QuotaTool("chat", "tokens");

        run.RecordUsage(chat, 3, "gpt-small", ModelTokenUsage.From(100, 20, null));
        run.RecordUsage(chat, 7, "gpt-large", ModelTokenUsage.From(null, null, 50));
        run.RecordUsage(chat, 1, null, ModelTokenUsage.From(5, null, null));
        run.RecordUsage(chat, 2);                                // no model given: not counted by model

        Assert.Equal(
            [("gpt-small", "input", 100L), ("gpt-small", "output", 20L), ("gpt-large", "total", 50L), ("unknown", "input", 5L)],
            tokens.GetMeasurementSnapshot().Select(m => ((string)m.Tags[QuotaTelemetry.Tags.Model]!, (string)m.Tags[QuotaTelemetry.Tags.TokenType]!, m.Value)));
        Assert.Equal(
            [("gpt-small", 3d), ("gpt-large", 7d), ("unknown", 1d)],
            cost.GetMeasurementSnapshot().Select(m => ((string)m.Tags[QuotaTelemetry.Tags.Model]!, m.Value)));
        Assert.All(cost.GetMeasurementSnapshot(), m => Assert.Equal("acme", m.Tags[QuotaTelemetry.Tags.Tenant]));
    }

    [Fact]
    public void Flagged_tenants_are_a_gauge_and_each_flag_is_counted_with_its_signal()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 100000, refill: 10000,
            extra: "\"anomaly\": { \"factor\": 3, \"window\": \"00:01:00\", \"interval\": \"00:00:10\", \"requests\": { \"factor\": 2 } }");
        using QuotaGate gate = TestPolicies.Gate(policy, time);
        using var flagged = new MetricCollector<int>(gate.Meter, QuotaTelemetry.Instruments.AnomaliesFlagged);
        using var anomalies = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Anomalies);

        for (int i = 0; i < 6; i++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 1));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        flagged.RecordObservableInstruments();
        Assert.Equal(0, flagged.LastMeasurement!.Value);
        for (int k = 0; k < 3; k++)
        {
            gate.TryAcquire(new QuotaRequest(Acme, Search, 0.1));  // 3 calls = 3x the request baseline of 1
        }

        flagged.RecordObservableInstruments();
        Assert.Equal(1, flagged.LastMeasurement!.Value);
        Assert.Equal("requests", Assert.Single(anomalies.GetMeasurementSnapshot()).Tags[QuotaTelemetry.Tags.Signal]);
    }
}
