using System.Diagnostics;
using AgentQuotas.Telemetry;
using AgentQuotas.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AgentQuotas.Tests.Gate;

[Collection(ProcessWideTelemetryCollection.Name)]
public class TelemetryTests
{
    private static readonly AgentIdentity Acme = new("acme", "user-42");

    [Fact]
    public void Decisions_are_counted_with_tenant_category_class_and_reason()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(capacity: 2, refill: 1), time);
        using var admitted = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Admitted);
        using var denied = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Denied);
        using var degraded = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Degraded);
        using var costRatio = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.CostRatio);
        using var cost = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.Cost);
        using var bucketLevel = new MetricCollector<double>(gate.Meter, QuotaTelemetry.Instruments.BucketLevel);

        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.Batch);
        run.Acquire(new QuotaTool("search_kb", "search"), 2).Complete(actualCost: 1);
        run.Acquire(new QuotaTool("search_kb", "search"), 2);
        run.Acquire(new QuotaTool("draftable", "search", hasFallback: true), 2);

        CollectedMeasurement<long> admission = Assert.Single(admitted.GetMeasurementSnapshot());
        Assert.Equal("acme", admission.Tags[QuotaTelemetry.Tags.Tenant]);
        Assert.Equal("search", admission.Tags[QuotaTelemetry.Tags.Category]);
        Assert.Equal("Batch", admission.Tags[QuotaTelemetry.Tags.Class]);
        Assert.Equal("BucketExhausted", Assert.Single(denied.GetMeasurementSnapshot()).Tags[QuotaTelemetry.Tags.Reason]);
        Assert.Equal("DraftOnly", Assert.Single(degraded.GetMeasurementSnapshot()).Tags[QuotaTelemetry.Tags.Mode]);
        Assert.Equal(0.5, Assert.Single(costRatio.GetMeasurementSnapshot()).Value);
        Assert.Equal(1, cost.GetMeasurementSnapshot().Sum(m => m.Value)); // 2 charged, 1 refunded
        Assert.Equal(3, bucketLevel.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public void The_tenant_tag_can_be_left_out()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), time, o => o.IncludeTenantInMetrics = false);
        using var admitted = new MetricCollector<long>(gate.Meter, QuotaTelemetry.Instruments.Admitted);

        gate.TryAcquire(new QuotaRequest(Acme, new QuotaTool("t", "search"), 1));

        IReadOnlyDictionary<string, object?> tags = Assert.Single(admitted.GetMeasurementSnapshot()).Tags;
        Assert.Contains(QuotaTelemetry.Tags.Category, tags.Keys);
        Assert.DoesNotContain(QuotaTelemetry.Tags.Tenant, tags.Keys);
    }

    [Fact]
    public void Admitted_calls_get_a_span_that_ends_with_the_call()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), time);
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == QuotaTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((a.GetTagItem(QuotaTelemetry.Tags.Tenant) as string) == "span-tenant")
                {
                    lock (stopped)
                    {
                        stopped.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using AgentRun run = gate.BeginRun(new AgentIdentity("span-tenant", "u"));
        QuotaTicket ok = run.Acquire(new QuotaTool("search_kb", "search"), 1);
        ok.Complete(actualCost: 0.5);
        run.Acquire(new QuotaTool("search_kb", "search"), 1).Fail(new TimeoutException("slow"));

        Assert.Equal(2, stopped.Count);
        Assert.Equal("search_kb", stopped[0].GetTagItem(QuotaTelemetry.Tags.Tool));
        Assert.Equal(0.5, stopped[0].GetTagItem("agentquotas.cost.actual"));
        Assert.Equal(ActivityStatusCode.Error, stopped[1].Status);
    }
}
