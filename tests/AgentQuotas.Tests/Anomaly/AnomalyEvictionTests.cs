using AgentQuotas.Policy;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.Anomaly;

/// <summary>
/// The detector keeps one ring of interval sums per tenant. A tenant idle for a whole window has nothing
/// left in its ring: its state is dropped (as idle buckets are), so a million tenants that came and went
/// do not keep their rings. Flagged tenants are kept until cleared.
/// </summary>
public sealed class AnomalyEvictionTests
{
    private static readonly QuotaTool Search = new("search_kb", "search");
    private readonly FakeTimeProvider _time = TestTime.Create();

    private static QuotaPolicy Policy() => QuotaPolicy.Parse("""
        {
          "version": "1",
          "tiers": { "standard": { "categories": { "search": { "capacity": 100000, "refillPerSecond": 1000 } } } },
          "defaultTier": "standard",
          "anomaly": { "factor": 3, "window": "00:01:00", "interval": "00:00:10" }
        }
        """);

    [Fact]
    public void Tenants_idle_for_a_whole_window_are_forgotten()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("t" + i, "u"), Search, 1)).IsAdmitted);
        }

        Assert.NotNull(gate.Anomalies.GetRate("t0"));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("t1", "u"), Search, 1)).IsAdmitted);
        Assert.NotNull(gate.Anomalies.GetRate("t0"));           // idle for less than a window: kept

        _time.Advance(TimeSpan.FromSeconds(100));                // t0 idle for 130 s, t1 for 100 s: both more than a window
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("busy", "u"), Search, 1)).IsAdmitted);

        Assert.Null(gate.Anomalies.GetRate("t0"));
        Assert.Null(gate.Anomalies.GetRate("t1"));
        Assert.Null(gate.Anomalies.GetRate("t9999"));
        Assert.NotNull(gate.Anomalies.GetRate("busy"));
    }

    [Fact]
    public void The_detector_tracks_at_most_MaxAnomalyTenants_and_makes_room_from_idle_ones()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time, o => o.MaxAnomalyTenants = 1_000);
        for (int i = 0; i < 5_000; i++)
        {
            Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("t" + i, "u"), Search, 1)).IsAdmitted);
        }

        Assert.Equal(1_000, gate.Anomalies.TrackedCount);        // the rest are served, not tracked
        Assert.NotNull(gate.Anomalies.GetRate("t999"));
        Assert.Null(gate.Anomalies.GetRate("t1000"));

        _time.Advance(TimeSpan.FromSeconds(80));                 // everyone idle for more than a window
        Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("late", "u"), Search, 1)).IsAdmitted);
        Assert.Equal(1, gate.Anomalies.TrackedCount);
        Assert.NotNull(gate.Anomalies.GetRate("late"));
    }

    [Fact]
    public void A_flagged_tenant_is_kept_until_cleared()
    {
        using QuotaGate gate = TestPolicies.Gate(Policy(), _time);
        var acme = new AgentIdentity("acme", "u");
        for (int i = 0; i < 6; i++)
        {
            gate.TryAcquire(new QuotaRequest(acme, Search, 10));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        gate.TryAcquire(new QuotaRequest(acme, Search, 100));
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        _time.Advance(TimeSpan.FromMinutes(10));
        gate.TryAcquire(new QuotaRequest(new AgentIdentity("busy", "u"), Search, 1));
        Assert.True(gate.Anomalies.IsFlagged("acme"));
        Assert.NotNull(gate.Anomalies.GetRate("acme"));
    }
}
