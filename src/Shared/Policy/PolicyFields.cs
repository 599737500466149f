// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0): the one list of the policy
// file's field names. The validator reads exactly these fields (anything else is an unknown field) and the
// runtime writes them back (QuotaPolicy.ToJson), so a field is named in one place.
namespace AgentQuotas.Policy.Schema
{
    /// <summary>The field names of agentquotas.json, one class per kind of object.</summary>
    internal static class PolicyFields
    {
        /// <summary>The document's own fields.</summary>
        public static class Root
        {
            public const string Schema = "$schema";
            public const string Version = "version";
            public const string Tiers = "tiers";
            public const string Tenants = "tenants";
            public const string DefaultTier = "defaultTier";
            public const string Classes = "classes";
            public const string Aging = "aging";
            public const string Pools = "pools";
            public const string Degradation = "degradation";
            public const string Anomaly = "anomaly";
            public const string CircuitBreaker = "circuitBreaker";
            public const string Tools = "tools";
            public const string AllowSameVersionEdits = "allowSameVersionEdits";
            public const string Workflows = "workflows";
            public const string ClassCeiling = "classCeiling";
            public const string Revoked = "revoked";
            public const string Models = "models";
            public const string Routing = "routing";

            public static readonly string[] All =
            {
                Schema, Version, Tiers, Tenants, DefaultTier, Classes, Aging, Pools, Degradation, Anomaly, CircuitBreaker, Tools,
                AllowSameVersionEdits, Workflows, ClassCeiling, Revoked,
                Models, Routing, // issue 17: queue-aware model routing (PolicySchemaValidator.Models.cs)
            };
        }

        /// <summary>A tier (<c>tiers.&lt;name&gt;</c>).</summary>
        public static class Tier
        {
            public const string Categories = "categories";
            public const string Burst = "burst";
            public const string Emergency = "emergency";
            public const string Limits = "limits";
            public const string MaxClass = "maxClass";
            public const string Principal = "principal";

            public static readonly string[] All = { Categories, Burst, Emergency, Limits, MaxClass, Principal };
        }

        /// <summary>A category budget (<c>tiers.&lt;name&gt;.categories.&lt;category&gt;</c>).</summary>
        public static class Category
        {
            public const string Capacity = "capacity";
            public const string RefillPerSecond = "refillPerSecond";

            public static readonly string[] All = { Capacity, RefillPerSecond };
        }

        /// <summary>A tier's <c>burst</c>.</summary>
        public static class Burst
        {
            public const string Multiplier = "multiplier";
            public const string MaxSeconds = "maxSeconds";

            public static readonly string[] All = { Multiplier, MaxSeconds };
        }

        /// <summary>A tier's <c>emergency</c>.</summary>
        public static class Emergency
        {
            public const string Classes = "classes";
            public const string DebtMultiplier = "debtMultiplier";

            public static readonly string[] All = { Classes, DebtMultiplier };
        }

        /// <summary>A tier's <c>limits</c>.</summary>
        public static class Limits
        {
            public const string MaxIterations = "maxIterations";
            public const string MaxToolCalls = "maxToolCalls";
            public const string MaxCostPerRun = "maxCostPerRun";
            public const string MaxCostPerDay = "maxCostPerDay";
            public const string MaxCostPerMonth = "maxCostPerMonth";

            public static readonly string[] All = { MaxIterations, MaxToolCalls, MaxCostPerRun, MaxCostPerDay, MaxCostPerMonth };
        }

        /// <summary>A tenant assignment (<c>tenants.&lt;id&gt;</c>).</summary>
        public static class Tenant
        {
            public const string Tier = "tier";
            public const string MaxClass = "maxClass";

            public static readonly string[] All = { Tier, MaxClass };
        }

        /// <summary>A workload class's scheduling (<c>classes.&lt;class&gt;</c>).</summary>
        public static class Class
        {
            public const string ReservedShare = "reservedShare";
            public const string MaxQueueWait = "maxQueueWait";
            public const string QueueLimit = "queueLimit";
            public const string WaitBeforeDraft = "waitBeforeDraft";

            public static readonly string[] All = { ReservedShare, MaxQueueWait, QueueLimit, WaitBeforeDraft };
        }

        /// <summary>Queue <c>aging</c>.</summary>
        public static class Aging
        {
            public const string PromoteAfter = "promoteAfter";

            public static readonly string[] All = { PromoteAfter };
        }

        /// <summary>A compute pool (<c>pools.&lt;name&gt;</c>).</summary>
        public static class Pool
        {
            public const string Concurrency = "concurrency";
            public const string Classes = "classes";
            public const string Privileged = "privileged";

            public static readonly string[] All = { Concurrency, Classes, Privileged };
        }

        /// <summary>Spend-<c>anomaly</c> detection.</summary>
        public static class Anomaly
        {
            public const string Factor = "factor";
            public const string Window = "window";
            public const string QuarantineTier = "quarantineTier";
            public const string Interval = "interval";
            public const string MinBaseline = "minBaseline";
            public const string Requests = "requests";
            public const string Tokens = "tokens";

            public static readonly string[] All = { Factor, Window, QuarantineTier, Interval, MinBaseline, Requests, Tokens };

            /// <summary>The fields of a signal watched besides spend (<c>requests</c>, <c>tokens</c>).</summary>
            public static readonly string[] Signal = { Factor, MinBaseline };
        }

        /// <summary>The <c>circuitBreaker</c> section and its per-category entries.</summary>
        public static class CircuitBreaker
        {
            public const string Enabled = "enabled";
            public const string FailureThreshold = "failureThreshold";
            public const string BreakDuration = "breakDuration";
            public const string Categories = "categories";

            public static readonly string[] All = { Enabled, FailureThreshold, BreakDuration, Categories };

            /// <summary>The fields of one <c>categories</c> entry.</summary>
            public static readonly string[] CategoryFields = { FailureThreshold, BreakDuration };
        }

        /// <summary>A <c>tools</c> entry.</summary>
        public static class Tool
        {
            public const string Category = "category";
            public const string Cost = "cost";
            public const string Privileged = "privileged";
            public const string RequiresApproval = "requiresApproval";

            public static readonly string[] All = { Category, Cost, Privileged, RequiresApproval };
        }

        /// <summary>A tier's <c>principal</c> block: the limits of each principal within a tenant.</summary>
        public static class Principal
        {
            public const string Share = "share";
            public const string Capacity = "capacity";
            public const string RefillPerSecond = "refillPerSecond";
            public const string MaxCostPerDay = "maxCostPerDay";

            public static readonly string[] All = { Share, Capacity, RefillPerSecond, MaxCostPerDay };
        }

        /// <summary>A <c>workflows</c> entry: the class a workflow runs at, and who owns it.</summary>
        public static class Workflow
        {
            public const string Class = "class";
            public const string Owner = "owner";
            public const string Limits = "limits";

            public static readonly string[] All = { Class, Owner, Limits };

            /// <summary>The fields of a workflow's <c>limits</c> (the per-run caps of a tier's <c>limits</c>).</summary>
            public static readonly string[] LimitFields = { PolicyFields.Limits.MaxIterations, PolicyFields.Limits.MaxToolCalls, PolicyFields.Limits.MaxCostPerRun };
        }

        /// <summary>The <c>revoked</c> section (and the revocation file, which has the same shape).</summary>
        public static class Revoked
        {
            public const string Tenants = "tenants";
            public const string Principals = "principals";

            public static readonly string[] All = { Tenants, Principals };
        }

        /// <summary>A <c>models</c> entry: a model the routing client may send turns to.</summary>
        public static class Model
        {
            public const string Pool = "pool";
            public const string InputCostPer1K = "inputCostPer1K";
            public const string OutputCostPer1K = "outputCostPer1K";
            public const string Rank = "rank";

            public static readonly string[] All = { Pool, InputCostPer1K, OutputCostPer1K, Rank };
        }

        /// <summary>A <c>routing</c> rule: which model work of a workflow, class or tier goes to, and the least capability it needs.</summary>
        public static class RoutingRule
        {
            public const string Workflow = "workflow";
            public const string Class = "class";
            public const string Tier = "tier";
            public const string Model = "model";
            public const string MinRank = "minRank";

            public static readonly string[] All = { Workflow, Class, Tier, Model, MinRank };
        }

        /// <summary>The values of <c>classCeiling</c>.</summary>
        public static class ClassCeilingModes
        {
            public const string Lower = "lower";
            public const string Refuse = "refuse";

            public static readonly string[] All = { Lower, Refuse };
        }
    }
}
