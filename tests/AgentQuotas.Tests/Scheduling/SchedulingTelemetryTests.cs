using System.Threading.RateLimiting;
using AgentQuotas.Policy;
using AgentQuotas.RateLimiting;
using AgentQuotas.Telemetry;
using AgentQuotas.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AgentQuotas.Tests.Scheduling;

[Collection(ProcessWideTelemetryCollection.Name)]
public class SchedulingTelemetryTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");
    private static readonly QuotaTool Search = new("search_kb", "search");

    [Fact]
    public async Task Which_rung_served_a_call_and_how_long_it_waited_are_measured()
    {
        var time = TestTime.Create();
        QuotaPolicy policy = TestPolicies.Simple(capacity: 2, refill: 1, extra: "\"circuitBreaker\": { \"failureThreshold\": 1 }");
        using QuotaGate gate = PriorityQueueTests.Gate(policy, time);
        using var admitted = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Admitted);
        using var queued = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Queued);
        using var queueWait = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.QueueWait);
        using var transitions = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.CircuitTransitions);

        Assert.True(gate.TryAcquire(new QuotaRequest(Acme, Search, 2)).IsAdmitted);
        ValueTask<QuotaDecision> waiting = gate.AcquireAsync(new QuotaRequest(Acme, Search, 1, WorkloadClass.High));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DegradationMode.Queued, (await waiting).Mode);

        CollectedMeasurement<long> queuing = Assert.Single(queued.GetMeasurementSnapshot());
        Assert.Equal("BucketExhausted", queuing.Tags[QuotaTelemetry.Tags.Reason]);
        Assert.Equal("High", queuing.Tags[QuotaTelemetry.Tags.Class]);
        CollectedMeasurement<double> wait = Assert.Single(queueWait.GetMeasurementSnapshot());
        Assert.Equal(1.0, wait.Value, 9);
        Assert.Equal("granted", wait.Tags[QuotaTelemetry.Tags.Outcome]);
        Assert.Equal(["Full", "Queued"], admitted.GetMeasurementSnapshot().Select(m => (string)m.Tags[QuotaTelemetry.Tags.Mode]!));

        using AgentRun run = gate.BeginRun(Acme);
        time.Advance(TimeSpan.FromSeconds(2));
        run.Acquire(Search, 1).Fail();
        CollectedMeasurement<long> opened = Assert.Single(transitions.GetMeasurementSnapshot());
        Assert.Equal("Open", opened.Tags[QuotaTelemetry.Tags.CircuitState]);
        Assert.Equal("search", opened.Tags[QuotaTelemetry.Tags.Category]);
    }

    [Fact]
    public async Task The_partitioned_rate_limiter_queues_by_workload_class()
    {
        var time = TestTime.Create();
        using QuotaGate gate = PriorityQueueTests.Gate(TestPolicies.Simple(capacity: 1, refill: 1, category: "http"), time);
        PartitionedRateLimiter<(string User, WorkloadClass Class)> limiter = gate.CreatePartitionedRateLimiter<(string User, WorkloadClass Class)>(
            r => new QuotaPartition(new AgentIdentity("acme", r.User), "http", r.Class));
        Assert.True(limiter.AttemptAcquire(("alice", WorkloadClass.Standard)).IsAcquired);

        var order = new List<string>();
        Task batch = Record(limiter.AcquireAsync(("bob", WorkloadClass.Batch)), "batch");
        Task critical = Record(limiter.AcquireAsync(("carol", WorkloadClass.Critical)), "critical");
        Assert.Equal(2, limiter.GetStatistics(("dan", WorkloadClass.High))!.CurrentQueuedCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["critical"], order);
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(batch, critical);
        Assert.Equal(["critical", "batch"], order);

        async Task Record(ValueTask<RateLimitLease> pending, string name)
        {
            using RateLimitLease lease = await pending.ConfigureAwait(false);
            Assert.True(lease.IsAcquired);
            order.Add(name);
        }
    }
}
