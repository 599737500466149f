using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentQuotas.Telemetry;
using AgentQuotas.Testing;

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
        var measurements = new List<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, gate.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, ToDictionary(tags))));
        listener.Start();

        using AgentRun run = gate.BeginRun(Acme, WorkloadClass.Batch);
        run.Acquire(new QuotaTool("search_kb", "search"), 2).Complete(actualCost: 1);
        run.Acquire(new QuotaTool("search_kb", "search"), 2);
        run.Acquire(new QuotaTool("draftable", "search", hasFallback: true), 2);

        var admitted = Assert.Single(measurements, m => m.Name == QuotaTelemetry.Instruments.Admitted);
        Assert.Equal("acme", admitted.Tags[QuotaTelemetry.Tags.Tenant]);
        Assert.Equal("search", admitted.Tags[QuotaTelemetry.Tags.Category]);
        Assert.Equal("Batch", admitted.Tags[QuotaTelemetry.Tags.Class]);
        var denied = Assert.Single(measurements, m => m.Name == QuotaTelemetry.Instruments.Denied);
        Assert.Equal("BucketExhausted", denied.Tags[QuotaTelemetry.Tags.Reason]);
        var degraded = Assert.Single(measurements, m => m.Name == QuotaTelemetry.Instruments.Degraded);
        Assert.Equal("DraftOnly", degraded.Tags[QuotaTelemetry.Tags.Mode]);
        Assert.Equal(0.5, Assert.Single(measurements, m => m.Name == QuotaTelemetry.Instruments.CostRatio).Value);
        Assert.Equal(1, measurements.Where(m => m.Name == QuotaTelemetry.Instruments.Cost).Sum(m => m.Value)); // 2 charged, 1 refunded
        Assert.Equal(3, measurements.Count(m => m.Name == QuotaTelemetry.Instruments.BucketLevel));
    }

    [Fact]
    public void The_tenant_tag_can_be_left_out()
    {
        var time = TestTime.Create();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), time, o => o.IncludeTenantInMetrics = false);
        var tagNames = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, gate.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                tagNames.Add(tag.Key);
            }
        });
        listener.Start();

        gate.TryAcquire(new QuotaRequest(Acme, new QuotaTool("t", "search"), 1));

        Assert.Contains(QuotaTelemetry.Tags.Category, tagNames);
        Assert.DoesNotContain(QuotaTelemetry.Tags.Tenant, tagNames);
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

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
