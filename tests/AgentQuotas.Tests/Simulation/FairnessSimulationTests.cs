using AgentQuotas.Policy;
using AgentQuotas.Simulation;
using Xunit.Abstractions;

namespace AgentQuotas.Tests.Simulation;

public class FairnessSimulationTests
{
    private readonly ITestOutputHelper _output;

    public FairnessSimulationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Under_five_times_sustained_overload_the_scheduler_is_fair_and_never_over_admits()
    {
        SimulationReport report = FairnessSimulation.Run(new SimulationOptions { OverloadFactor = 5 });
        _output.WriteLine(report.ToText());

        // The workload really is overloaded: most requests cannot be served.
        Assert.True(report.Classes.Sum(c => c.Offered) > 4 * report.Classes.Sum(c => c.Admitted));

        // Over-admission is exactly 0: no tenant was ever admitted more units than its bucket supplied,
        // and no pool ever ran more calls than its concurrency.
        Assert.Equal(0, report.OverAdmission);
        Assert.Equal(0, report.PoolOverAdmission);

        // Critical p99 queue wait stays within the time the bucket takes to refill one Critical request's cost.
        Assert.True(report[WorkloadClass.Critical].QueueWaitP99 <= report.CriticalRefillTime,
            $"Critical p99 {report[WorkloadClass.Critical].QueueWaitP99} > refill time {report.CriticalRefillTime}");

        // Batch completes at least its reserved share of what the buckets supplied (and so does Standard).
        Assert.True(report[WorkloadClass.Batch].ShareOfCapacity >= report.BatchReservedShare,
            $"Batch got {report[WorkloadClass.Batch].ShareOfCapacity:P2} of capacity, reserved {report.BatchReservedShare:P0}");
        Assert.True(report[WorkloadClass.Standard].ShareOfCapacity >= 0.10);

        // Tenants of equal weight are served equally (one of them bursts to 3x its usual rate).
        Assert.True(report.JainIndex >= 0.99, $"Jain's index {report.JainIndex}");
        Assert.True(report.Tenants[0].Bursting && report.Tenants[0].Offered > report.Tenants[1].Offered);

        // The worker outage opened the breaker, and calls were refused (or drafted) meanwhile.
        Assert.True(report.CircuitOpenings >= 1);
        Assert.True(report.DenialsByReason.GetValueOrDefault(QuotaReason.CircuitOpen) > 0);
        Assert.True(report.Classes.Sum(c => c.Degraded) > 0);
    }

    [Fact]
    public void When_the_shared_pool_is_the_bottleneck_tenants_still_share_it_evenly()
    {
        // Pools far smaller than the buckets' throughput, and half the tenants bursting: the freed slot goes
        // to the tenant with the fewest calls running, so the heavy tenants do not crowd out the others.
        var options = new SimulationOptions
        {
            Duration = TimeSpan.FromMinutes(4),
            Tenants = 6,
            BurstingTenants = 3,
            BurstFactor = 4,
            MeanServiceTime = TimeSpan.FromSeconds(1),
            OutageLength = TimeSpan.Zero,
        };
        SimulationReport report = FairnessSimulation.Run(options);
        _output.WriteLine(report.ToText());

        Assert.True(report.DenialsByReason.GetValueOrDefault(QuotaReason.PoolExhausted) + report.DenialsByReason.GetValueOrDefault(QuotaReason.QueueTimeout) > 0);
        Assert.True(report.JainIndex >= 0.99, $"Jain's index {report.JainIndex}");
        Assert.Equal(0, report.OverAdmission);
        Assert.Equal(0, report.PoolOverAdmission);
        Assert.Contains(report.Series, s => s.PoolInUse.Sum() == 12);           // 2 + 4 + 6 slots all busy at times

        // Nobody waited longer than its class allows (time spent for units counts against the pool wait).
        Assert.True(report[WorkloadClass.High].QueueWaitMax <= TimeSpan.FromSeconds(10));
        Assert.True(report[WorkloadClass.Standard].QueueWaitMax <= TimeSpan.FromSeconds(30));
        Assert.True(report[WorkloadClass.Batch].QueueWaitMax <= TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void The_same_options_give_the_same_report()
    {
        var options = new SimulationOptions { Duration = TimeSpan.FromMinutes(2), Tenants = 4 };
        SimulationReport first = FairnessSimulation.Run(options);
        SimulationReport second = FairnessSimulation.Run(options);
        Assert.Equal(first.ToText(), second.ToText());
        Assert.Equal(first.Events, second.Events);
        Assert.Equal(
            first.Series.Select(s => (s.Start, s.Waiting, s.MeanBucketLevel, string.Join(",", s.Admitted))),
            second.Series.Select(s => (s.Start, s.Waiting, s.MeanBucketLevel, string.Join(",", s.Admitted))));

        SimulationReport other = FairnessSimulation.Run(new SimulationOptions { Duration = TimeSpan.FromMinutes(2), Tenants = 4, Seed = 7 });
        Assert.NotEqual(first.ToText(), other.ToText());
    }

    [Fact]
    public void The_time_series_covers_the_run_and_shows_the_outage()
    {
        SimulationReport report = FairnessSimulation.Run(new SimulationOptions
        {
            Duration = TimeSpan.FromMinutes(2),
            OutageStart = TimeSpan.FromSeconds(60),
            OutageLength = TimeSpan.FromSeconds(20),
        });
        Assert.Equal(12, report.Series.Count);
        Assert.Equal(TimeSpan.Zero, report.Series[0].Start);
        Assert.Equal(["critical", "interactive", "shared"], report.PoolNames);
        Assert.All(report.Series, s => Assert.Equal(4, s.Admitted.Count));
        Assert.Contains(report.Series, s => s.CircuitOpen && s.Start >= TimeSpan.FromSeconds(50) && s.Start <= TimeSpan.FromSeconds(80));
        Assert.DoesNotContain(report.Series, s => s.CircuitOpen && s.Start < TimeSpan.FromSeconds(50));
        Assert.All(report.Series, s => Assert.InRange(s.MeanBucketLevel, 0, 100));
    }

    [Fact]
    public void Without_overload_everything_is_admitted_at_once()
    {
        SimulationReport report = FairnessSimulation.Run(new SimulationOptions
        {
            Duration = TimeSpan.FromMinutes(2),
            OverloadFactor = 0.3,
            BurstingTenants = 0,
            OutageLength = TimeSpan.Zero,
            FailureRate = 0,
        });
        Assert.All(report.Classes, c => Assert.True(c.CompletionRate > 0.99, $"{c.Class}: {c.CompletionRate}"));
        Assert.True(report[WorkloadClass.Critical].QueueWaitP99 <= report.CriticalRefillTime);
    }

    [Fact]
    public void A_policy_of_ones_own_can_be_simulated()
    {
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "mine", "tiers": { "t": { "categories": { "llm": { "capacity": 50, "refillPerSecond": 5 } } } }, "defaultTier": "t",
              "classes": { "Batch": { "reservedShare": 0.25 } } }
            """);
        SimulationReport report = FairnessSimulation.Run(new SimulationOptions { Policy = policy, Category = "llm", Duration = TimeSpan.FromMinutes(2), RefillPerSecond = 5 });
        Assert.Equal("mine", report.PolicyVersion);
        Assert.Empty(report.PoolNames);
        Assert.Equal(0.25, report.BatchReservedShare);
        Assert.True(report[WorkloadClass.Batch].ShareOfCapacity >= 0.25);
        Assert.Equal(0, report.OverAdmission);

        Assert.Throws<ArgumentException>(() => FairnessSimulation.Run(new SimulationOptions { Policy = policy }));   // no "work" budget
    }

    [Theory]
    [InlineData(nameof(SimulationOptions.Tenants), "must be between 1 and 1,000")]
    [InlineData(nameof(SimulationOptions.OverloadFactor), "greater than 0")]
    [InlineData(nameof(SimulationOptions.ClassMix), "4 finite shares")]
    [InlineData(nameof(SimulationOptions.ClassCost), "at most the capacity")]
    [InlineData(nameof(SimulationOptions.Duration), "between 1 second and 1 day")]
    public void Bad_options_are_refused_with_the_rule(string option, string rule)
    {
        var options = new SimulationOptions();
        switch (option)
        {
            case nameof(SimulationOptions.Tenants): options.Tenants = 0; break;
            case nameof(SimulationOptions.OverloadFactor): options.OverloadFactor = double.NaN; break;
            case nameof(SimulationOptions.ClassMix): options.ClassMix = [1, 1]; break;
            case nameof(SimulationOptions.ClassCost): options.ClassCost = [1, 1, 1, 1000]; break;
            default: options.Duration = TimeSpan.Zero; break;
        }

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => FairnessSimulation.Run(options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(rule, e.Message);
    }
}
