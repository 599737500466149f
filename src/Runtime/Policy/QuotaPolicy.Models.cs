using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using AgentQuotas.Policy.Schema;

namespace AgentQuotas.Policy;

// The policy's "models" and "routing" sections (issue 17): what a routing chat client may send a turn to.
public sealed partial class QuotaPolicy
{
    private ModelPolicy[] _models = [];
    private FrozenDictionary<string, ModelPolicy> _modelsByName = FrozenDictionary<string, ModelPolicy>.Empty;
    private FrozenSet<string> _modelPools = FrozenSet<string>.Empty;
    private ModelRoutingRule[] _routingRules = [];

    /// <summary>The <c>models</c> section in policy order (empty when absent).</summary>
    public IReadOnlyList<ModelPolicy> Models => _models;

    /// <summary>The <c>routing</c> rules in policy order (empty when absent).</summary>
    public IReadOnlyList<ModelRoutingRule> RoutingRules => _routingRules;

    /// <summary>Finds a model of the <c>models</c> section.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="model">The model, when listed.</param>
    public bool TryGetModel(string name, [NotNullWhen(true)] out ModelPolicy? model)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _modelsByName.TryGetValue(name, out model);
    }

    /// <summary>The first routing rule that matches the work, or <see langword="null"/>.</summary>
    /// <param name="workflow">The run's workflow.</param>
    /// <param name="workloadClass">The run's class.</param>
    /// <param name="tenant">The run's tenant (its tier is matched).</param>
    public ModelRoutingRule? MatchRoutingRule(string? workflow, WorkloadClass workloadClass, string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        string? tier = TryResolveTier(tenant, out TierPolicy? t) ? t.Name : null;
        foreach (ModelRoutingRule rule in _routingRules)
        {
            if (rule.Matches(workflow, workloadClass, tier))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Whether a model runs in the pool: model pools hold model turns only, never tool calls.</summary>
    internal bool IsModelPool(string pool) => _modelPools.Contains(pool);

    private void SetModels(PolicyModel model)
    {
        if (model.Models.Count == 0)
        {
            return;
        }

        _models = model.Models.Select((m, i) => new ModelPolicy(m.Name, m.Pool, m.InputCostPer1K, m.OutputCostPer1K, m.Rank, i)).ToArray();
        _modelsByName = _models.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _modelPools = _models.Select(m => m.Pool).ToFrozenSet(StringComparer.Ordinal);
        _routingRules = model.RoutingRules
            .Select((r, i) => new ModelRoutingRule(i, r.Workflow, r.Class is null ? null : ParseClass(r.Class), r.Tier, r.Model, r.MinRank))
            .ToArray();
    }

    private void WriteModels(Utf8JsonWriter json)
    {
        WriteMap(json, PolicyFields.Root.Models, _models, m => m.Name, (w, m) =>
        {
            w.WriteString(PolicyFields.Model.Pool, m.Pool);
            w.WriteNumber(PolicyFields.Model.InputCostPer1K, m.InputCostPer1K);
            w.WriteNumber(PolicyFields.Model.OutputCostPer1K, m.OutputCostPer1K);
            w.WriteNumber(PolicyFields.Model.Rank, m.Rank);
        });
        if (_routingRules.Length == 0)
        {
            return;
        }

        json.WriteStartArray(PolicyFields.Root.Routing);
        foreach (ModelRoutingRule rule in _routingRules)
        {
            json.WriteStartObject();
            WriteOptionalString(json, PolicyFields.RoutingRule.Workflow, rule.Workflow);
            WriteOptionalString(json, PolicyFields.RoutingRule.Class, rule.Class?.ToString());
            WriteOptionalString(json, PolicyFields.RoutingRule.Tier, rule.Tier);
            WriteOptionalString(json, PolicyFields.RoutingRule.Model, rule.Model);
            WriteOptional(json, PolicyFields.RoutingRule.MinRank, rule.MinRank);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        static void WriteOptionalString(Utf8JsonWriter json, string field, string? value)
        {
            if (value is not null)
            {
                json.WriteString(field, value);
            }
        }
    }
}
