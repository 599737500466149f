namespace AgentQuotas.Routing;

/// <summary>
/// Where one model turn goes (from <see cref="ModelRouter"/>): the model, how it came to it and why. Holds a slot of the
/// model's pool until <see cref="Complete"/> or <see cref="Dispose"/>, whichever comes first.
/// </summary>
public sealed class ModelRoute : IDisposable
{
    private readonly ModelRouter _router;
    private readonly ModelSlot _slot;
    private int _completed;

    internal ModelRoute(ModelRouter router, AgentRun run, Policy.ModelPolicy model, ModelRouteKind kind, string detail, TimeSpan waited, ModelSlot slot, QuotaDecision decision)
    {
        _router = router;
        _slot = slot;
        Run = run;
        Model = model;
        Kind = kind;
        Detail = detail;
        Waited = waited;
        Decision = decision;
    }

    /// <summary>The run the turn belongs to.</summary>
    public AgentRun Run { get; }

    /// <summary>The model the turn goes to.</summary>
    public Policy.ModelPolicy Model { get; }

    /// <summary>Whether it is the preferred model or the next one able to serve the turn.</summary>
    public ModelRouteKind Kind { get; }

    /// <summary>Why this model (as the audit record says).</summary>
    public string Detail { get; }

    /// <summary>How long the turn waited for a slot of the model's pool.</summary>
    public TimeSpan Waited { get; }

    /// <summary>The recorded routing decision (the model as its tool, <see cref="ModelRouter.RouteCategory"/> as its category).</summary>
    public QuotaDecision Decision { get; }

    /// <summary>
    /// Ends the turn: prices its tokens at the model's rates, counts turn, tokens and cost for the model, optionally
    /// charges the cost to the run in <paramref name="chargeTo"/>'s category, and frees the pool slot.
    /// </summary>
    /// <param name="inputTokens">Input tokens the turn used (0 or more).</param>
    /// <param name="outputTokens">Output tokens the turn produced (0 or more).</param>
    /// <param name="chargeTo">When set, the cost is charged to the run as usage already incurred in this tool's category.</param>
    /// <returns>The turn's cost at the model's prices.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    /// <exception cref="InvalidOperationException">The route was already completed.</exception>
    public double Complete(long inputTokens, long outputTokens, QuotaTool? chargeTo = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            throw new InvalidOperationException("The model turn's route was already completed.");
        }

        try
        {
            double cost = Model.CostOf(inputTokens, outputTokens);
            _router.CountTurn(Run, Model, inputTokens, outputTokens, cost);
            if (chargeTo is not null && cost > 0 && !Run.IsDisposed)
            {
                Run.RecordUsage(chargeTo, cost);
            }

            return cost;
        }
        finally
        {
            _slot.Release();
        }
    }

    /// <summary>Frees the pool slot (a turn that failed or was abandoned); after <see cref="Complete"/> it does nothing.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _completed, 1);
        _slot.Release();
    }

    /// <inheritdoc/>
    public override string ToString() => Kind + " -> " + Model.Name + ": " + Detail;
}
