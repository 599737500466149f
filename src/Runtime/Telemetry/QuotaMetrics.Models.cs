using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentQuotas.Routing;

namespace AgentQuotas.Telemetry;

// The per-model instruments of queue-aware model routing (issue 17).
internal sealed partial class QuotaMetrics
{
    public Counter<long> ModelRoutes { get; }

    public Counter<long> ModelTurns { get; }

    /// <summary>Counts a routing decision for <paramref name="model"/>: <paramref name="kind"/>, or refused when null.</summary>
    public void RecordRoute(string tenant, string model, WorkloadClass workloadClass, ModelRouteKind? kind)
    {
        if (ModelRoutes.Enabled)
        {
            TagList tags = ModelTags(tenant, model, workloadClass);
            tags.Add(QuotaTelemetry.Tags.Route, kind switch
            {
                ModelRouteKind.Preferred => "preferred",
                ModelRouteKind.Rerouted => "rerouted",
                _ => "refused",
            });
            ModelRoutes.Add(1, tags);
        }
    }

    /// <summary>
    /// Counts a finished routed turn of <paramref name="model"/>, and its tokens and its cost at the model's prices in
    /// the per-model token and cost counters (the same instruments usage charged through a guarded chat client feeds).
    /// </summary>
    public void RecordModelTurn(string tenant, string model, WorkloadClass workloadClass, long inputTokens, long outputTokens, double cost)
    {
        if (ModelTurns.Enabled)
        {
            ModelTurns.Add(1, ModelTags(tenant, model, workloadClass));
        }

        RecordModelUsage(tenant, model, inputTokens, outputTokens, unsplitTokens: 0, cost);
    }

    private TagList ModelTags(string tenant, string model, WorkloadClass workloadClass)
    {
        var tags = default(TagList);
        if (_includeTenant)
        {
            tags.Add(QuotaTelemetry.Tags.Tenant, tenant);
        }

        tags.Add(QuotaTelemetry.Tags.Model, model);
        tags.Add(QuotaTelemetry.Tags.Class, ClassNames[(int)workloadClass]);
        return tags;
    }
}
