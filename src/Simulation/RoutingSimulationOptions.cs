namespace AgentQuotas.Simulation;

/// <summary>
/// What <see cref="RoutingSimulation.Run"/> simulates: High-class model turns arriving faster than the premium model's
/// pool can serve them, with a share of cheap triage turns, on virtual time. Validated when the simulation starts; the
/// defaults give the scenario of docs/routing.md.
/// </summary>
public sealed class RoutingSimulationOptions
{
    /// <summary>Seed of every random draw: the same options give the same report. Default 42 (as <c>agentquotas simulate</c>'s).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Simulated time during which turns arrive. Default 10 minutes; between 1 second and 1 day.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Mean turn arrivals per second (Poisson). Default 1.25; more than 0 and at most 1,000.</summary>
    public double ArrivalsPerSecond { get; set; } = 1.25;

    /// <summary>Share of turns of the <c>triage</c> workflow, which a routing rule sends to the small model from the start. Default 0.2; 0 to 1.</summary>
    public double TriageShare { get; set; } = 0.2;

    /// <summary>Slots of the premium model's pool. Default 4; 1 to 10,000.</summary>
    public int PremiumConcurrency { get; set; } = 4;

    /// <summary>Slots of the small model's pool. Default 8; 1 to 10,000.</summary>
    public int SmallConcurrency { get; set; } = 8;

    /// <summary>Mean time a premium turn runs (exponentially distributed). Default 3.5 s.</summary>
    public TimeSpan PremiumTurnTime { get; set; } = TimeSpan.FromSeconds(3.5);

    /// <summary>Mean time a small-model turn runs (exponentially distributed). Default 1.5 s.</summary>
    public TimeSpan SmallTurnTime { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>The High class's <c>maxQueueWait</c>: the wait budget routing keeps to. Default 5 s; more than 0 and at most 1 hour.</summary>
    public TimeSpan WaitBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Premium prices per 1,000 input and output tokens. Default 3 and 15.</summary>
    public (double Input, double Output) PremiumPricePer1K { get; set; } = (3, 15);

    /// <summary>Small-model prices per 1,000 input and output tokens. Default 0.25 and 1.25.</summary>
    public (double Input, double Output) SmallPricePer1K { get; set; } = (0.25, 1.25);

    internal void Validate()
    {
        if (Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "Duration must be between 1 second and 1 day.");
        }

        if (!double.IsFinite(ArrivalsPerSecond) || ArrivalsPerSecond <= 0 || ArrivalsPerSecond > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ArrivalsPerSecond), ArrivalsPerSecond, "ArrivalsPerSecond must be more than 0 and at most 1,000.");
        }

        if (!double.IsFinite(TriageShare) || TriageShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TriageShare), TriageShare, "TriageShare must be between 0 and 1.");
        }

        if (PremiumConcurrency is < 1 or > 10_000 || SmallConcurrency is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(PremiumConcurrency), "Pool concurrencies must be between 1 and 10,000.");
        }

        if (PremiumTurnTime <= TimeSpan.Zero || SmallTurnTime <= TimeSpan.Zero || PremiumTurnTime > TimeSpan.FromHours(1) || SmallTurnTime > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PremiumTurnTime), "Turn times must be more than 0 and at most 1 hour.");
        }

        if (WaitBudget <= TimeSpan.Zero || WaitBudget > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(WaitBudget), WaitBudget, "WaitBudget must be more than 0 and at most 1 hour.");
        }

        foreach (double price in new[] { PremiumPricePer1K.Input, PremiumPricePer1K.Output, SmallPricePer1K.Input, SmallPricePer1K.Output })
        {
            if (!double.IsFinite(price) || price < 0 || price > 1_000_000)
            {
                throw new ArgumentOutOfRangeException(nameof(PremiumPricePer1K), price, "Prices must be finite, 0 or more and at most 1,000,000.");
            }
        }
    }
}
