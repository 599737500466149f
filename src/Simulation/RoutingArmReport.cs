namespace AgentQuotas.Simulation;

/// <summary>One arm of the routing scenario: how long turns waited for a model, which models served them, and at what cost.</summary>
public sealed class RoutingArmReport
{
    internal RoutingArmReport(string name, long offered, long served, long refused, TimeSpan p50, TimeSpan p95, TimeSpan max,
        IReadOnlyDictionary<string, long> turnsByModel, IReadOnlyDictionary<string, double> costByModel, long rerouted, long overBudget)
    {
        Name = name;
        Offered = offered;
        Served = served;
        Refused = refused;
        WaitP50 = p50;
        WaitP95 = p95;
        WaitMax = max;
        TurnsByModel = turnsByModel;
        CostByModel = costByModel;
        Rerouted = rerouted;
        OverBudget = overBudget;
    }

    /// <summary>"with routing" or "without routing".</summary>
    public string Name { get; }

    /// <summary>Turns that arrived.</summary>
    public long Offered { get; }

    /// <summary>Turns a model served.</summary>
    public long Served { get; }

    /// <summary>Turns refused (no model able to serve within the budget, or a wait that outlasted it).</summary>
    public long Refused { get; }

    /// <summary>Median wait for a model slot of the served turns.</summary>
    public TimeSpan WaitP50 { get; }

    /// <summary>95th-percentile wait for a model slot of the served turns.</summary>
    public TimeSpan WaitP95 { get; }

    /// <summary>Longest wait for a model slot of a served turn.</summary>
    public TimeSpan WaitMax { get; }

    /// <summary>Served turns per model.</summary>
    public IReadOnlyDictionary<string, long> TurnsByModel { get; }

    /// <summary>Cost of the served turns per model, at the policy's prices.</summary>
    public IReadOnlyDictionary<string, double> CostByModel { get; }

    /// <summary>Total cost of the served turns.</summary>
    public double Cost => CostByModel.Values.Sum();

    /// <summary>Turns that went to another model than their preferred one.</summary>
    public long Rerouted { get; }

    /// <summary>Served turns that waited longer than the wait budget.</summary>
    public long OverBudget { get; }
}
