using System.Globalization;
using AgentQuotas.Policy;

namespace AgentQuotas.Routing;

/// <summary>
/// Queue-aware model routing (the gate's <see cref="QuotaGate.Models"/>): sends a model turn of a run to its preferred
/// model unless that model's pool is saturated or its estimated queue wait exceeds the class's <c>maxQueueWait</c>, and
/// then to the next model able to serve it; never to a model ranked below the matching routing rule's <c>minRank</c>.
/// </summary>
/// <remarks>
/// <para>
/// The preference comes from the policy first: the first <c>routing</c> rule that matches the run's workflow, class and
/// tenant tier names the model (so cheap work goes to a small model from the start), else the model the request names,
/// else the most capable model (highest rank, then policy order). The others follow by rank, most capable first.
/// Who the turn is for (tenant, principal, class, workflow) comes from the run, never from the request.
/// </para>
/// <para>
/// A turn holds a slot of its model's pool from routing until <see cref="ModelRoute.Complete"/> or
/// <see cref="ModelRoute.Dispose"/>. Each decision is recorded through the decision pipeline's record step (the model
/// as the record's tool, category <see cref="RouteCategory"/>, and why in its detail) and counted per model.
/// </para>
/// </remarks>
public sealed class ModelRouter
{
    /// <summary>The category of routing decisions in audit records.</summary>
    public const string RouteCategory = "(model-route)";

    private readonly QuotaGate _gate;
    private readonly ModelPools _pools;

    internal ModelRouter(QuotaGate gate, ModelPools pools)
    {
        _gate = gate;
        _pools = pools;
    }

    /// <summary>The load of every model's pool now, in policy order of the models.</summary>
    public IReadOnlyList<ModelPoolLoad> Snapshot()
    {
        QuotaPolicy policy = _gate.Policy;
        return policy.Models.Select(m => m.Pool).Distinct(StringComparer.Ordinal)
            .Select(p => _pools.Load(p, ConcurrencyOf(policy, p)))
            .ToArray();
    }

    /// <summary>Routes a turn without waiting: a model whose pool has no free slot is passed over.</summary>
    /// <param name="run">The run the turn belongs to (its identity, class and workflow decide).</param>
    /// <param name="requestedModel">The model the request names, if any; it must be in the policy's <c>models</c>.</param>
    /// <param name="availableModels">The models the caller can reach (null: all of the policy's).</param>
    /// <returns>The route, holding a slot of its model's pool until completed or disposed.</returns>
    /// <exception cref="QuotaExceededException">
    /// <see cref="QuotaReason.UnknownModel"/> for a model the policy does not define; <see cref="QuotaReason.NoModelAvailable"/>
    /// when no model able to serve the turn has a free slot; <see cref="QuotaReason.AuditUnavailable"/> when the gate requires audit and the sink refused.
    /// </exception>
    public ModelRoute Route(AgentRun run, string? requestedModel = null, IReadOnlyCollection<string>? availableModels = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ObjectDisposedException.ThrowIf(run.IsDisposed, run);
        Plan plan = Decide(run, requestedModel, availableModels, canWait: false);
        return plan.Route ?? throw plan.Refusal.ToException();
    }

    /// <summary>
    /// Routes a turn, waiting (at most the class's <c>maxQueueWait</c>) for the preferred model when its pool is busy but
    /// its estimated wait is within that budget.
    /// </summary>
    /// <param name="run">The run the turn belongs to (its identity, class and workflow decide).</param>
    /// <param name="requestedModel">The model the request names, if any; it must be in the policy's <c>models</c>.</param>
    /// <param name="availableModels">The models the caller can reach (null: all of the policy's).</param>
    /// <param name="cancellationToken">Cancels a wait for a slot.</param>
    /// <returns>The route, holding a slot of its model's pool until completed or disposed.</returns>
    /// <exception cref="QuotaExceededException">
    /// As <see cref="Route"/>, and <see cref="QuotaReason.QueueTimeout"/> when the wait for a slot outlasted the class's budget.
    /// </exception>
    public async ValueTask<ModelRoute> RouteAsync(AgentRun run, string? requestedModel = null, IReadOnlyCollection<string>? availableModels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ObjectDisposedException.ThrowIf(run.IsDisposed, run);
        Plan plan = Decide(run, requestedModel, availableModels, canWait: true);
        if (plan.Route is not null)
        {
            return plan.Route;
        }

        if (plan.WaitFor is not ModelPolicy model)
        {
            throw plan.Refusal.ToException();
        }

        long started = _gate.TimeProvider.GetTimestamp();
        ModelSlot? slot = await _pools.WaitAsync(model.Pool, plan.Concurrency, plan.Budget, cancellationToken).ConfigureAwait(false);
        TimeSpan waited = _gate.TimeProvider.GetElapsedTime(started);
        if (slot is null)
        {
            // The budget is spent: a free slot of another model able to serve the turn takes it now; else it is refused.
            string spent = string.Format(CultureInfo.InvariantCulture, "waited {0}, the {1} class's budget, for a slot of pool '{2}' of '{3}' without one freeing",
                QuotaMessages.FormatDuration(waited), run.WorkloadClass, model.Pool, model.Name);
            Plan elsewhere = Decide(run, requestedModel, availableModels, canWait: false, excluded: (model, spent), waited);
            if (elsewhere.Route is not null)
            {
                return elsewhere.Route;
            }

            string detail = char.ToUpperInvariant(spent[0]) + spent[1..] + " (" + plan.Detail + "), and no other model able to serve it had a free slot.";
            throw Record(run, model.Name, admitted: false, QuotaReason.QueueTimeout, detail, waited, retryAfter: _pools.Load(model.Pool, plan.Concurrency).EstimatedWait, plan.Kind).ToException();
        }

        string served = string.Format(CultureInfo.InvariantCulture, "{0}; served after waiting {1} for a slot of pool '{2}'.", plan.Detail, QuotaMessages.FormatDuration(waited), model.Pool);
        return Granted(run, model, plan.Kind, served, waited, slot);
    }

    private Plan Decide(AgentRun run, string? requested, IReadOnlyCollection<string>? available, bool canWait,
        (ModelPolicy Model, string Why)? excluded = null, TimeSpan waited = default)
    {
        QuotaPolicy policy = _gate.Policy;
        if (policy.Models.Count == 0)
        {
            return Refuse(run, requested, QuotaReason.UnknownModel, "The policy has no models section, so no turn can be routed; define the models in agentquotas.json.", null);
        }

        if (requested is not null && !policy.TryGetModel(requested, out _))
        {
            return Refuse(run, requested, QuotaReason.UnknownModel, string.Format(CultureInfo.InvariantCulture,
                "The request names model '{0}', which the policy's models section does not define (known models: {1}).",
                requested, string.Join(", ", policy.Models.Select(m => m.Name))), null);
        }

        ModelRoutingRule? rule = policy.MatchRoutingRule(run.Workflow, run.WorkloadClass, run.Identity.Tenant);
        int minRank = rule?.MinRank ?? 0;
        ModelPolicy preferred;
        string because;
        if (rule?.Model is string ruled)
        {
            preferred = Find(policy, ruled);
            because = rule + " sends this work to it";
        }
        else if (requested is not null)
        {
            preferred = Find(policy, requested);
            because = "the request names it";
        }
        else
        {
            preferred = policy.Models.OrderByDescending(m => m.Rank).ThenBy(m => m.Order).First();
            because = "the most capable model";
        }

        TimeSpan budget = policy.GetClass(run.WorkloadClass).EffectiveMaxQueueWait;
        var passedOver = new List<string>();
        TimeSpan? retryAfter = null;
        foreach (ModelPolicy model in Candidates(policy, preferred))
        {
            if (excluded is { } spent && ReferenceEquals(spent.Model, model))
            {
                passedOver.Add(spent.Why);
                continue;
            }

            if (model.Rank < minRank)
            {
                passedOver.Add(string.Format(CultureInfo.InvariantCulture, "'{0}' (rank {1}) is below {2}'s minRank {3}", model.Name, model.Rank, rule, minRank));
                continue;
            }

            if (available is not null && !available.Contains(model.Name))
            {
                passedOver.Add("'" + model.Name + "' has no client to reach it");
                continue;
            }

            PoolPolicy? pool = policy.Pools.FirstOrDefault(p => string.Equals(p.Name, model.Pool, StringComparison.Ordinal));
            if (pool is null || !pool.Serves(run.WorkloadClass))
            {
                passedOver.Add(string.Format(CultureInfo.InvariantCulture, "pool '{0}' of '{1}' does not serve the {2} class", model.Pool, model.Name, run.WorkloadClass));
                continue;
            }

            ModelRouteKind kind = ReferenceEquals(model, preferred) ? ModelRouteKind.Preferred : ModelRouteKind.Rerouted;
            string why = kind == ModelRouteKind.Preferred
                ? "'" + model.Name + "': " + because
                : "'" + model.Name + "' instead of '" + preferred.Name + "' (" + because + "): " + string.Join("; ", passedOver);
            if (_pools.TryTake(model.Pool, pool.Concurrency, out ModelSlot? slot))
            {
                return new Plan { Route = Granted(run, model, kind, why + ".", waited, slot!) };
            }

            ModelPoolLoad load = _pools.Load(model.Pool, pool.Concurrency);
            retryAfter = Shorter(retryAfter, load.EstimatedWait);
            string occupancy = string.Format(CultureInfo.InvariantCulture, "{0}/{1} running, {2} waiting", load.InUse, load.Concurrency, load.Waiting);
            if (!canWait || load.IsSaturated)
            {
                passedOver.Add(string.Format(CultureInfo.InvariantCulture, "pool '{0}' of '{1}' is {2} ({3})", model.Pool, model.Name,
                    canWait ? "saturated" : "busy and the caller does not wait", occupancy));
                continue;
            }

            if (load.EstimatedWait is TimeSpan estimate && estimate > budget)
            {
                passedOver.Add(string.Format(CultureInfo.InvariantCulture, "the estimated wait of {0} for '{1}' (pool '{2}', {3}) exceeds the {4} class's budget of {5}",
                    QuotaMessages.FormatDuration(estimate), model.Name, model.Pool, occupancy, run.WorkloadClass, QuotaMessages.FormatDuration(budget)));
                continue;
            }

            return new Plan { WaitFor = model, Concurrency = pool.Concurrency, Budget = budget, Kind = kind, Detail = why };
        }

        return Refuse(run, preferred.Name, QuotaReason.NoModelAvailable, string.Format(CultureInfo.InvariantCulture,
            "No model can serve this {0} turn now (preferred '{1}': {2}): {3}.", run.WorkloadClass, preferred.Name, because, string.Join("; ", passedOver)), retryAfter);
    }

    // The preferred model first, then the others, most capable first (ties in policy order).
    private static IEnumerable<ModelPolicy> Candidates(QuotaPolicy policy, ModelPolicy preferred)
    {
        yield return preferred;
        foreach (ModelPolicy model in policy.Models.OrderByDescending(m => m.Rank).ThenBy(m => m.Order))
        {
            if (!ReferenceEquals(model, preferred))
            {
                yield return model;
            }
        }
    }

    private ModelRoute Granted(AgentRun run, ModelPolicy model, ModelRouteKind kind, string detail, TimeSpan waited, ModelSlot slot)
    {
        QuotaDecision decision;
        try
        {
            decision = Record(run, model.Name, admitted: true, QuotaReason.None, detail, waited, retryAfter: null, kind);
        }
        catch
        {
            slot.Release();
            throw;
        }

        if (!decision.IsAdmitted)
        {
            slot.Release(); // the gate requires audit and the sink refused the record
            throw decision.ToException();
        }

        return new ModelRoute(this, run, model, kind, detail, waited, slot, decision);
    }

    private Plan Refuse(AgentRun run, string? model, QuotaReason reason, string detail, TimeSpan? retryAfter) =>
        new() { Refusal = Record(run, model, admitted: false, reason, detail, TimeSpan.Zero, retryAfter, ModelRouteKind.Preferred) };

    private QuotaDecision Record(AgentRun run, string? model, bool admitted, QuotaReason reason, string detail, TimeSpan waited, TimeSpan? retryAfter, ModelRouteKind kind) =>
        _gate.Pipeline.RecordRoute(run, model, admitted, reason, detail, waited, retryAfter, kind);

    internal void CountTurn(AgentRun run, ModelPolicy model, long inputTokens, long outputTokens, double cost) =>
        _gate.Pipeline.CountModelTurn(run, model.Name, inputTokens, outputTokens, cost);

    private static ModelPolicy Find(QuotaPolicy policy, string name) => policy.TryGetModel(name, out ModelPolicy? model)
        ? model
        : throw new InvalidOperationException("The policy names model '" + name + "' but does not define it."); // the validator rules this out

    private static int ConcurrencyOf(QuotaPolicy policy, string pool) =>
        policy.Pools.FirstOrDefault(p => string.Equals(p.Name, pool, StringComparison.Ordinal))?.Concurrency ?? 0;

    private static TimeSpan? Shorter(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private struct Plan
    {
        public ModelRoute? Route;
        public QuotaDecision Refusal;
        public ModelPolicy? WaitFor;
        public int Concurrency;
        public TimeSpan Budget;
        public ModelRouteKind Kind;
        public string Detail;
    }
}
