using AgentQuotas.Audit;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.AuditSinks;

// A decision reads the clock once; its audit record's wall-clock time is derived from that timestamp.
public class AuditClockTests
{
    [Fact]
    public void On_the_system_clock_derived_times_track_the_wall_clock_and_never_run_backwards_between_anchors()
    {
        var clock = new AuditClock(TimeProvider.System);
        DateTimeOffset previous = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        DateTimeOffset wallStart = DateTimeOffset.UtcNow;
        long monotonicStart = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 10_000; i++)
        {
            DateTimeOffset before = DateTimeOffset.UtcNow;
            DateTimeOffset derived = clock.UtcAt(clock.Timestamp());
            DateTimeOffset after = DateTimeOffset.UtcNow;

            // The bounds hold however slow the machine is (they are read around the call), but not across a step of
            // the wall clock itself (NTP, a VM's time sync): from one, the derived time is only re-anchored later.
            TimeSpan step = before - wallStart - System.Diagnostics.Stopwatch.GetElapsedTime(monotonicStart);
            if (step.Duration() > TimeSpan.FromMilliseconds(20))
            {
                return;
            }

            // Generous bounds: the anchor is at most a second old and the clocks drift by at most NTP's slew.
            Assert.InRange(derived, before - TimeSpan.FromMilliseconds(50), after + TimeSpan.FromMilliseconds(50));
            Assert.Equal(TimeSpan.Zero, derived.Offset);
            Assert.True(derived >= previous - TimeSpan.FromMilliseconds(5), $"{derived:O} after {previous:O}");
            previous = derived;
        }
    }

    [Fact]
    public void Any_other_time_provider_is_asked_for_the_wall_clock_every_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
        var clock = new AuditClock(time);
        long stale = clock.Timestamp();
        time.Advance(TimeSpan.FromMinutes(3));

        // The provider's own wall clock, not one derived from the (older) timestamp.
        Assert.Equal(time.GetUtcNow(), clock.UtcAt(stale));
    }

    [Fact]
    public void A_gate_on_virtual_time_stamps_records_with_the_providers_wall_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
        var audit = new InMemoryAuditSink();
        using QuotaGate gate = TestPolicies.Gate(TestPolicies.Simple(), time, o => o.AuditSink = audit);
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        QuotaTicket ticket = run.Acquire(new QuotaTool("t", "search"), 1);
        time.Advance(TimeSpan.FromSeconds(2));
        ticket.Complete();

        Assert.Equal([time.GetUtcNow() - TimeSpan.FromSeconds(2), time.GetUtcNow()], audit.Snapshot().Select(r => r.Timestamp));
    }
}
