using AgentQuotas.Audit;
using AgentQuotas.Testing;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Tests.AuditSinks;

// The record that ends an admitted call (completed or failed) is stamped from a coarse clock on TimeProvider.System,
// never earlier than its admission's record; on any other provider it is the provider's wall clock, exactly.
public class CompletionTimestampTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    private sealed record Call(long WaitTicks, bool Fails);

    [Fact]
    public void On_virtual_time_the_end_of_every_call_is_stamped_exactly_when_the_fake_clock_says()
    {
        Gen<Call[]> calls = Gen.Select(Gen.Long[0, TimeSpan.TicksPerDay], Gen.Bool, (wait, fails) => new Call(wait, fails)).Array[1, 8];
        calls.Sample(plan =>
        {
            var time = new FakeTimeProvider(Start);
            var audit = new InMemoryAuditSink();
            // Failures must not open the category's breaker within a plan (at most 8 calls).
            using QuotaGate gate = TestPolicies.Gate(
                TestPolicies.Simple(capacity: 1_000, refill: 1, extra: "\"circuitBreaker\": { \"failureThreshold\": 100 }"), time, o => o.AuditSink = audit);
            using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
            var expected = new List<(string Tool, AuditDecision Kind, DateTimeOffset At)>();
            for (int i = 0; i < plan.Length; i++)
            {
                var tool = new QuotaTool("t" + i, "search");
                expected.Add((tool.Name, AuditDecision.Admitted, time.GetUtcNow()));
                QuotaTicket ticket = run.Acquire(tool, 1);
                Assert.True(ticket.IsAdmitted);
                time.Advance(TimeSpan.FromTicks(plan[i].WaitTicks));
                if (plan[i].Fails)
                {
                    ticket.Fail(new InvalidOperationException("boom"));
                }
                else
                {
                    ticket.Complete();
                }

                expected.Add((tool.Name, plan[i].Fails ? AuditDecision.Failed : AuditDecision.Completed, time.GetUtcNow()));
            }

            Assert.Equal(expected, audit.Snapshot().Select(r => (r.Tool, r.Decision, r.Timestamp)));
        }, seed: "0AgentQuota1", iter: 200, threads: 1);
    }

    [Fact]
    public void On_the_system_clock_the_end_of_a_call_is_never_stamped_before_its_admission()
    {
        var audit = new InMemoryAuditSink(capacity: 10_000);
        using var gate = new QuotaGate(TestPolicies.Simple(capacity: 1_000_000, refill: 1), new QuotaGateOptions { AuditSink = audit });
        using AgentRun run = gate.BeginRun(new AgentIdentity("acme", "u"));
        const int Calls = 2_000;
        var bounds = new (DateTimeOffset Before, DateTimeOffset After)[Calls];
        for (int i = 0; i < Calls; i++)
        {
            DateTimeOffset before = DateTimeOffset.UtcNow;
            QuotaTicket ticket = run.Acquire(new QuotaTool("t" + i, "search"), 1);
            if (i % 3 == 0)
            {
                ticket.Fail();
            }
            else
            {
                ticket.Complete(actualCost: 1);
            }

            bounds[i] = (before, DateTimeOffset.UtcNow);
        }

        QuotaAuditRecord[] records = audit.Snapshot().ToArray();
        Assert.Equal(2 * Calls, records.Length);
        for (int i = 0; i < Calls; i++)
        {
            QuotaAuditRecord admitted = records[2 * i];
            QuotaAuditRecord ended = records[2 * i + 1];
            Assert.Equal(("t" + i, AuditDecision.Admitted), (admitted.Tool, admitted.Decision));
            Assert.Equal(("t" + i, i % 3 == 0 ? AuditDecision.Failed : AuditDecision.Completed), (ended.Tool, ended.Decision));
            Assert.True(ended.Timestamp >= admitted.Timestamp, $"call {i}: ended {ended.Timestamp:O} before its admission {admitted.Timestamp:O}");

            // Generous: the coarse clock's resolution (a few ms, ~16 ms on Windows) on top of the audit clock's own
            // anchoring; a step of the wall clock (a VM's time sync) inside the loop could break it, not the speed of the machine.
            Assert.InRange(ended.Timestamp, bounds[i].Before - TimeSpan.FromMilliseconds(100), bounds[i].After + TimeSpan.FromMilliseconds(100));
            Assert.Equal(TimeSpan.Zero, ended.Timestamp.Offset);
        }
    }

    [Fact]
    public void The_coarse_stamp_is_never_earlier_than_its_lower_bound_and_equals_a_bound_ahead_of_the_clock()
    {
        var clock = new AuditClock(TimeProvider.System);
        long now = clock.UtcAt(clock.Timestamp()).UtcTicks;
        Gen.Long[-TimeSpan.TicksPerDay, TimeSpan.TicksPerDay].Sample(offset =>
        {
            long notBefore = now + offset;
            DateTimeOffset stamped = clock.UtcNotBefore(notBefore);
            Assert.True(stamped.UtcTicks >= notBefore);
            Assert.Equal(TimeSpan.Zero, stamped.Offset);
            if (offset > TimeSpan.TicksPerHour)
            {
                // Far ahead of any clock's error: the bound itself.
                Assert.Equal(notBefore, stamped.UtcTicks);
            }
        }, seed: "0AgentQuota1", iter: 2_000, threads: 1);
    }

    [Fact]
    public void Any_other_time_provider_stamps_the_end_of_a_call_with_its_own_wall_clock_even_behind_the_bound()
    {
        var time = new FakeTimeProvider(Start);
        var clock = new AuditClock(time);

        // The provider is the authority: no lower bound is applied to it.
        Assert.Equal(Start, clock.UtcNotBefore(Start.UtcTicks + TimeSpan.TicksPerHour));
    }
}
