using AgentQuotas.Simulation;
using Xunit.Abstractions;

namespace AgentQuotas.Tests.Simulation;

/// <summary>
/// The routing scenario (docs/routing.md): the premium model's pool saturates; with routing the p95 wait stays within the
/// High class's budget because work moves to the small model, and the same turns cost less; without routing it does not.
/// </summary>
public class RoutingSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void With_routing_p95_wait_stays_within_budget_and_costs_less_than_without()
    {
        RoutingSimulationReport report = RoutingSimulation.Run();
        output.WriteLine(report.ToString());

        RoutingArmReport routed = report.WithRouting;
        RoutingArmReport premiumOnly = report.WithoutRouting;
        TimeSpan budget = report.Options.WaitBudget;

        Assert.Equal(routed.Offered, premiumOnly.Offered);
        Assert.True(routed.WaitP95 <= budget, $"with routing p95 {routed.WaitP95} > budget {budget}");
        Assert.True(premiumOnly.WaitP95 > budget, $"without routing p95 {premiumOnly.WaitP95} <= budget {budget}");
        Assert.Equal(0, routed.OverBudget); // routing never lets a served turn wait past the budget
        Assert.True(routed.Rerouted > 0, "no turn moved to the small model: the premium pool never saturated");
        Assert.True(routed.TurnsByModel["small"] > 0 && routed.TurnsByModel["premium"] > 0);
        Assert.Equal(premiumOnly.Offered, premiumOnly.Served); // without routing every turn is served, late
        Assert.True(routed.Served + routed.Refused == routed.Offered, "a routed turn was lost");
        Assert.True(report.CostSaved > 0, $"routing cost {routed.Cost}, premium only {premiumOnly.Cost}");
        Assert.Equal(premiumOnly.Cost - routed.Cost, report.CostSaved, 6);
    }

    [Fact]
    public void The_same_options_give_the_same_report()
    {
        var options = new RoutingSimulationOptions { Duration = TimeSpan.FromMinutes(2), Seed = 5 };

        Assert.Equal(RoutingSimulation.Run(options).ToString(), RoutingSimulation.Run(options).ToString());
    }

    [Fact]
    public void Without_overload_nothing_is_rerouted_and_both_arms_cost_the_same()
    {
        var options = new RoutingSimulationOptions { ArrivalsPerSecond = 0.05, TriageShare = 0, Duration = TimeSpan.FromMinutes(5) };

        RoutingSimulationReport report = RoutingSimulation.Run(options);

        Assert.Equal(0, report.WithRouting.Rerouted);
        Assert.Equal(report.WithoutRouting.Cost, report.WithRouting.Cost, 6);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutingSimulation.Run(new RoutingSimulationOptions { ArrivalsPerSecond = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutingSimulation.Run(new RoutingSimulationOptions { WaitBudget = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RoutingSimulation.Run(new RoutingSimulationOptions { SmallPricePer1K = (-1, 1) }));
    }
}
