using AgentQuotas.Audit;
using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Zoo;

namespace AgentQuotas.Generators.SignatureZoo;

/// <summary>
/// Every shape of the zoo, called directly (the call site the generator intercepts): inside a run it is admitted,
/// counted and audited; outside a run it fails closed and its body does not run. The project itself compiling
/// with warnings as errors is the other half of the proof.
/// </summary>
public sealed class ShapeTests : IDisposable
{
    private readonly InMemoryAuditSink _audit = new();
    private readonly QuotaGate _gate;

    public ShapeTests()
    {
        _gate = new QuotaGate(
            QuotaPolicy.Parse("""{ "version": "zoo-1", "tiers": { "t": { "categories": { "zoo": { "capacity": 1000, "refillPerSecond": 1 } } } }, "defaultTier": "t" }"""),
            new QuotaGateOptions { TimeProvider = TestTime.Create(), AuditSink = _audit });
    }

    public static TheoryData<string> Shapes => new(AllShapes.ByName.Keys.Order(StringComparer.Ordinal));

    public void Dispose() => _gate.Dispose();

    [Fact]
    public void The_zoo_has_at_least_200_shapes() => Assert.InRange(AllShapes.ByName.Count, 200, int.MaxValue);

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Inside_a_run_each_shape_is_admitted_counted_and_audited(string name)
    {
        var hits = Probe.Start();
        using AgentRun run = _gate.BeginRun(new AgentIdentity("acme", "zoo"));

        await Settle(AllShapes.ByName[name].Call());

        Assert.Equal(1, run.ToolCalls);
        Assert.True(hits.Value >= 1, "the tool body did not run");
        QuotaAuditRecord[] records = [.. _audit.Snapshot().Where(r => r.RunId == run.Id)];
        Assert.Single(records, r => r.Decision == AuditDecision.Admitted);
        QuotaAuditRecord completed = Assert.Single(records, r => r.Decision == AuditDecision.Completed);
        Assert.Equal("zoo", completed.Category);
        Assert.DoesNotContain(records, r => r.Decision is AuditDecision.Denied or AuditDecision.Failed);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Outside_a_run_each_shape_fails_closed_without_running(string name)
    {
        var hits = Probe.Start();
        Assert.Null(AgentRun.Current);

        Exception? e = await Record.ExceptionAsync(() => Settle(AllShapes.ByName[name].Call()));

        InvalidOperationException closed = Assert.IsType<InvalidOperationException>(e);
        Assert.Contains("can only run inside an agent run", closed.Message, StringComparison.Ordinal);
        Assert.Equal(0, hits.Value);
    }

    private static async Task Settle(object? result)
    {
        if (result is Task task)
        {
            await task;
        }
    }
}
