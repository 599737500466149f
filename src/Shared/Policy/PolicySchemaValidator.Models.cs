// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0): the policy's "models" and "routing"
// sections (issue 17): the models a routing chat client may send a turn to, the pool each runs in, its token prices
// and capability rank, and the rules that send work of a workflow, class or tier to a model from the start.
// Kept apart from PolicySchemaValidator.cs so the rest of the schema can change without touching it.
using System;
using System.Collections.Generic;
using System.Linq;

namespace AgentQuotas.Policy.Schema
{
    /// <summary>A <c>models</c> entry.</summary>
    internal sealed class ModelModel
    {
        public string Name = "";
        public string Pool = "";
        public double InputCostPer1K;
        public double OutputCostPer1K;
        public int Rank;
    }

    /// <summary>A <c>routing</c> rule.</summary>
    internal sealed class RoutingRuleModel
    {
        public string? Workflow;
        public string? Class;
        public string? Tier;
        public string? Model;
        public int? MinRank;
    }

    internal sealed partial class PolicySchemaValidator
    {
        /// <summary>Most models a policy may define.</summary>
        internal const int MaxModels = 1_000;

        /// <summary>Most routing rules a policy may define.</summary>
        internal const int MaxRoutingRules = 10_000;

        /// <summary>Highest capability rank a model may have.</summary>
        internal const int MaxModelRank = 1_000;

        /// <summary>Highest price per 1,000 tokens (a guard against a misplaced decimal point, not a market price).</summary>
        internal const double MaxPricePer1K = 1_000_000d;

        private void ValidateModels(Dictionary<string, PolicyJsonProperty> fields)
        {
            PolicyJsonProperty? models;
            if (fields.TryGetValue(PolicyFields.Root.Models, out models))
            {
                ReadModels(models.Value);
            }

            PolicyJsonProperty? routing;
            if (fields.TryGetValue(PolicyFields.Root.Routing, out routing))
            {
                if (models == null)
                {
                    Report(PolicyErrorKind.MissingField, "routing rules need a models section that defines the models they name", "$.routing", routing.Value);
                }

                ReadRoutingRules(routing.Value);
            }
        }

        private void ReadModels(PolicyJsonNode models)
        {
            const string path = "$.models";
            if (!ExpectObject(models, path) || TooMany(models, path, MaxModels, "models", string.Empty))
            {
                return;
            }

            if (models.Properties.Count == 0)
            {
                Report(PolicyErrorKind.MissingField, "models must define at least one model, or be left out", path, models);
            }

            List<string> pools = _model.Pools.Select(p => p.Name).ToList();
            foreach (PolicyJsonProperty property in UniqueMembers(models, path, "model"))
            {
                string modelPath = PathOf(path, property.Name);
                CheckName(property, modelPath, "model");
                if (!ExpectObject(property.Value, modelPath))
                {
                    continue;
                }

                string what = "model '" + property.Name + "'";
                var model = new ModelModel { Name = property.Name };
                Dictionary<string, PolicyJsonProperty> modelFields = Fields(property.Value, modelPath, what, PolicyFields.Model.All);
                PolicyJsonNode? node;
                if (Require(modelFields, property.Value, modelPath, PolicyFields.Model.Pool, what, out node))
                {
                    string? pool = ReadString(node!, modelPath + ".pool");
                    if (pool != null)
                    {
                        model.Pool = pool;
                        if (!pools.Contains(pool, StringComparer.Ordinal))
                        {
                            Report(PolicyErrorKind.UnknownReference,
                                "unknown pool '" + pool + "'" + Suggest(pool, pools) + KnownList("pools", pools)
                                + (pools.Count == 0 ? "; define the model's pool in the pools section" : string.Empty),
                                modelPath + ".pool", node!);
                        }
                    }
                }

                if (Require(modelFields, property.Value, modelPath, PolicyFields.Model.InputCostPer1K, what, out node))
                {
                    model.InputCostPer1K = ReadNumber(node!, modelPath + ".inputCostPer1K", min: 0, minInclusive: true, max: MaxPricePer1K) ?? 0;
                }

                if (Require(modelFields, property.Value, modelPath, PolicyFields.Model.OutputCostPer1K, what, out node))
                {
                    model.OutputCostPer1K = ReadNumber(node!, modelPath + ".outputCostPer1K", min: 0, minInclusive: true, max: MaxPricePer1K) ?? 0;
                }

                if (Require(modelFields, property.Value, modelPath, PolicyFields.Model.Rank, what, out node))
                {
                    int? rank = ReadInteger(node!, modelPath + ".rank", min: 1);
                    if (rank > MaxModelRank)
                    {
                        Report(PolicyErrorKind.InvalidValue, "rank must be <= " + MaxModelRank + ", but is " + rank, modelPath + ".rank", node!);
                        rank = null;
                    }

                    model.Rank = rank ?? 0;
                }

                _model.Models.Add(model);
            }
        }

        private void ReadRoutingRules(PolicyJsonNode routing)
        {
            const string path = "$.routing";
            if (routing.Kind != PolicyJsonKind.Array)
            {
                Report(PolicyErrorKind.WrongType, "expected an array of routing rules but found " + routing.KindName, path, routing);
                return;
            }

            if (routing.Items.Count > MaxRoutingRules)
            {
                Report(PolicyErrorKind.InvalidValue, "a policy may define at most " + MaxRoutingRules + " routing rules, but this one has " + routing.Items.Count, path, routing);
                return;
            }

            List<string> modelNames = _model.Models.Select(m => m.Name).ToList();
            List<string> tierNames = _model.Tiers.Select(t => t.Name).ToList();
            for (int i = 0; i < routing.Items.Count; i++)
            {
                PolicyJsonNode item = routing.Items[i];
                string rulePath = path + "[" + i + "]";
                if (!ExpectObject(item, rulePath))
                {
                    continue;
                }

                string what = "routing rule " + i;
                var rule = new RoutingRuleModel();
                Dictionary<string, PolicyJsonProperty> ruleFields = Fields(item, rulePath, what, PolicyFields.RoutingRule.All);
                PolicyJsonProperty? field;
                if (ruleFields.TryGetValue(PolicyFields.RoutingRule.Workflow, out field))
                {
                    rule.Workflow = ReadString(field.Value, rulePath + ".workflow");
                    if (rule.Workflow != null && IdentityText.Problem(rule.Workflow) is string problem)
                    {
                        Report(PolicyErrorKind.InvalidValue, "workflow '" + rule.Workflow + "' " + problem, rulePath + ".workflow", field.Value);
                    }
                }

                if (ruleFields.TryGetValue(PolicyFields.RoutingRule.Class, out field))
                {
                    string? name = ReadString(field.Value, rulePath + ".class");
                    if (name != null && Array.IndexOf(PolicyNames.WorkloadClasses, name) < 0)
                    {
                        Report(PolicyErrorKind.UnknownReference,
                            "unknown workload class '" + name + "'" + Suggest(name, PolicyNames.WorkloadClasses) + KnownList("classes", PolicyNames.WorkloadClasses),
                            rulePath + ".class", field.Value);
                    }
                    else
                    {
                        rule.Class = name;
                    }
                }

                if (ruleFields.TryGetValue(PolicyFields.RoutingRule.Tier, out field))
                {
                    string? name = ReadString(field.Value, rulePath + ".tier");
                    if (name != null && _model.FindTier(name) == null)
                    {
                        Report(PolicyErrorKind.UnknownReference,
                            "unknown tier '" + name + "'" + Suggest(name, tierNames) + KnownList("tiers", tierNames), rulePath + ".tier", field.Value);
                    }

                    rule.Tier = name;
                }

                ModelModel? target = null;
                if (ruleFields.TryGetValue(PolicyFields.RoutingRule.Model, out field))
                {
                    rule.Model = ReadString(field.Value, rulePath + ".model");
                    target = rule.Model == null ? null : _model.Models.FirstOrDefault(m => string.Equals(m.Name, rule.Model, StringComparison.Ordinal));
                    if (rule.Model != null && target == null)
                    {
                        Report(PolicyErrorKind.UnknownReference,
                            "unknown model '" + rule.Model + "'" + Suggest(rule.Model, modelNames) + KnownList("models", modelNames), rulePath + ".model", field.Value);
                    }
                }

                PolicyJsonProperty? minRank;
                if (ruleFields.TryGetValue(PolicyFields.RoutingRule.MinRank, out minRank))
                {
                    rule.MinRank = ReadInteger(minRank.Value, rulePath + ".minRank", min: 1);
                    int highest = _model.Models.Count == 0 ? 0 : _model.Models.Max(m => m.Rank);
                    if (rule.MinRank > highest && _model.Models.Count > 0)
                    {
                        Report(PolicyErrorKind.InvalidValue,
                            "minRank " + rule.MinRank + " is above every model's rank (the highest is " + highest + "), so no model could serve this work",
                            rulePath + ".minRank", minRank.Value);
                    }
                    else if (target != null && target.Rank < rule.MinRank)
                    {
                        Report(PolicyErrorKind.InvalidValue,
                            "model '" + target.Name + "' has rank " + target.Rank + ", below the rule's minRank " + rule.MinRank + "; the rule would send work to a model it forbids",
                            rulePath + ".model", ruleFields[PolicyFields.RoutingRule.Model].Value);
                    }
                }

                if (rule.Model == null && minRank == null)
                {
                    Report(PolicyErrorKind.MissingField, what + " must name a model, a minRank or both", rulePath, item);
                }

                _model.RoutingRules.Add(rule);
            }
        }
    }
}
