using System.Globalization;
using System.Text;

namespace AgentQuotas.Simulation;

/// <summary>The routing scenario's outcome: the same turns with queue-aware routing and without (all to the premium model).</summary>
public sealed class RoutingSimulationReport
{
    internal RoutingSimulationReport(RoutingSimulationOptions options, RoutingArmReport withRouting, RoutingArmReport withoutRouting)
    {
        Options = options;
        WithRouting = withRouting;
        WithoutRouting = withoutRouting;
    }

    /// <summary>What was simulated.</summary>
    public RoutingSimulationOptions Options { get; }

    /// <summary>Turns routed by the gate's <see cref="Routing.ModelRouter"/>.</summary>
    public RoutingArmReport WithRouting { get; }

    /// <summary>The same turns, every one queued (first come, first served) for the premium model.</summary>
    public RoutingArmReport WithoutRouting { get; }

    /// <summary>Cost without routing minus cost with routing (positive: routing saved this much).</summary>
    public double CostSaved => WithoutRouting.Cost - WithRouting.Cost;

    /// <summary>A plain-text table of both arms.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        RoutingSimulationOptions o = Options;
        text.AppendLine(string.Format(CultureInfo.InvariantCulture,
            "Routing scenario: {0:0.##} turns/s for {1}, {2:0%} triage; premium pool {3} slots (mean turn {4:0.##} s), small pool {5} slots (mean turn {6:0.##} s); High class wait budget {7:0.##} s; seed {8}.",
            o.ArrivalsPerSecond, o.Duration, o.TriageShare, o.PremiumConcurrency, o.PremiumTurnTime.TotalSeconds, o.SmallConcurrency,
            o.SmallTurnTime.TotalSeconds, o.WaitBudget.TotalSeconds, o.Seed));
        text.AppendLine("arm               offered  served  refused  rerouted  premium  small  p50 wait  p95 wait  max wait  over budget  cost");
        foreach (RoutingArmReport arm in new[] { WithRouting, WithoutRouting })
        {
            text.AppendLine(string.Format(CultureInfo.InvariantCulture,
                "{0,-16}  {1,7}  {2,6}  {3,7}  {4,8}  {5,7}  {6,5}  {7,7:0.0} s  {8,7:0.0} s  {9,7:0.0} s  {10,11}  {11,8:0.00}",
                arm.Name, arm.Offered, arm.Served, arm.Refused, arm.Rerouted, arm.TurnsByModel.GetValueOrDefault("premium"),
                arm.TurnsByModel.GetValueOrDefault("small"), arm.WaitP50.TotalSeconds, arm.WaitP95.TotalSeconds, arm.WaitMax.TotalSeconds,
                arm.OverBudget, arm.Cost));
        }

        text.AppendLine(string.Format(CultureInfo.InvariantCulture, "cost saved by routing: {0:0.00} ({1:0.0%} of the cost without routing)",
            CostSaved, WithoutRouting.Cost == 0 ? 0 : CostSaved / WithoutRouting.Cost));
        return text.ToString();
    }
}
