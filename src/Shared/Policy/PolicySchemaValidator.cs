// Shared between the runtime (AgentQuotas) and the analyzers (netstandard2.0). This file is the one
// source of truth for what a valid agentquotas.json is: the runtime throws PolicyValidationException
// from these issues and the analyzer reports them as AQ0008.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AgentQuotas.Policy
{
    /// <summary>The kind of problem found in a policy file.</summary>
#if AGENTQUOTAS_RUNTIME
    public
#else
    internal
#endif
    enum PolicyErrorKind
    {
        /// <summary>The file is not well-formed JSON (comments and trailing commas are allowed).</summary>
        Syntax = 0,

        /// <summary>A field the policy schema does not know (often a typo).</summary>
        UnknownField = 1,

        /// <summary>A required field is absent.</summary>
        MissingField = 2,

        /// <summary>A value has the wrong JSON type (a string where a number belongs, for example).</summary>
        WrongType = 3,

        /// <summary>A value is out of range: negative, zero, NaN, infinite, fractional where a whole number belongs, and so on.</summary>
        InvalidValue = 4,

        /// <summary>A reference to a tier, workload class or degradation mode that does not exist.</summary>
        UnknownReference = 5,

        /// <summary>The same name is defined twice in one place.</summary>
        DuplicateName = 6,

        /// <summary>A duration that does not parse as <c>[d.]hh:mm:ss[.fffffff]</c> or is not positive.</summary>
        InvalidDuration = 7,
    }
}

namespace AgentQuotas.Policy.Schema
{
    /// <summary>One problem in a policy file, with where it is.</summary>
    internal sealed class PolicyIssue
    {
        public PolicyIssue(PolicyErrorKind kind, string message, string path, int line, int column)
        {
            // Messages and paths quote names and text from the file: escaped, so every issue stays one line (the
            // "file(line,column): error" format) whatever they hold.
            Kind = kind;
            Message = IdentityText.Escape(message);
            Path = IdentityText.Escape(path);
            Line = line;
            Column = column;
        }

        public PolicyErrorKind Kind { get; }

        public string Message { get; }

        /// <summary>JSON path of the offending element, e.g. <c>$.tiers.standard.categories.search.capacity</c>.</summary>
        public string Path { get; }

        public int Line { get; }

        public int Column { get; }

        public override string ToString() => "(" + Line + "," + Column + "): " + Path + ": " + Message;
    }

    /// <summary>Names shared by the schema and the runtime's enums.</summary>
    internal static class PolicyNames
    {
        public static readonly string[] WorkloadClasses = { "Critical", "High", "Standard", "Batch" };

        public static readonly string[] DegradationModes = { "Full", "DraftOnly", "ApprovalRequired", "Queued" };

        /// <summary>Longest time a bucket may take to refill from empty; keeps tick arithmetic far from overflow.</summary>
        public const double MaxRefillSeconds = BucketShapeRules.MaxRefillSeconds;

        // What a policy may hold (docs/policy.md, "Limits"): a reviewed file, answered quickly in bounded memory.

        /// <summary>The largest policy file, in bytes of UTF-8 (10 MB).</summary>
        public const int MaxPolicyBytes = 10 * 1024 * 1024;

        /// <summary>Most JSON values (objects, arrays, strings, numbers, literals) a policy may hold.</summary>
        public const int MaxValues = 1_000_000;

        /// <summary>Errors reported before validation stops.</summary>
        public const int MaxErrors = 100;

        public const int MaxTenants = 100_000;

        public const int MaxTiers = 1_000;

        public const int MaxCategoriesPerTier = 1_000;

        public const int MaxPools = 1_000;

        /// <summary>Longest maxQueueWait a class may have: no request waits without a bound.</summary>
        public static readonly TimeSpan MaxQueueWait = TimeSpan.FromDays(1);

        // The runtime's default maximum queue wait for a class that sets none (ClassPolicy.DefaultMaxQueueWait).
        public static readonly TimeSpan DefaultMaxQueueWait = TimeSpan.FromMinutes(1);

        public const double MaxCapacity = 1_000_000_000_000d;

        /// <summary>Most intervals an anomaly window may be divided into (the detector keeps one sum per interval).</summary>
        public const int MaxAnomalyIntervals = 1440;

        /// <summary>Intervals per anomaly window when <c>interval</c> is not given.</summary>
        public const int DefaultAnomalyIntervals = 12;
    }

    internal sealed class PolicyModel
    {
        public string Version = "";
        public List<TierModel> Tiers = new List<TierModel>();
        public Dictionary<string, string> Tenants = new Dictionary<string, string>(StringComparer.Ordinal);
        public string? DefaultTier;
        public List<ClassModel> Classes = new List<ClassModel>();
        public TimeSpan? PromoteAfter;
        public List<PoolModel> Pools = new List<PoolModel>();
        public List<string>? Degradation;
        public AnomalyModel? Anomaly;
        public CircuitBreakerModel? CircuitBreaker;
        public List<ToolRuleModel> Tools = new List<ToolRuleModel>();

        // Trust (PolicySchemaValidator.Trust.cs).
        public bool AllowSameVersionEdits;
        public string ClassCeiling = PolicyFields.ClassCeilingModes.Lower;
        public List<WorkflowModel> Workflows = new List<WorkflowModel>();
        public Dictionary<string, string> TenantMaxClasses = new Dictionary<string, string>(StringComparer.Ordinal);
        public RevokedModel? Revoked;

        // Model routing (PolicySchemaValidator.Models.cs).
        public List<ModelModel> Models = new List<ModelModel>();
        public List<RoutingRuleModel> RoutingRules = new List<RoutingRuleModel>();

        public TierModel? FindTier(string name)
        {
            foreach (TierModel tier in Tiers)
            {
                if (string.Equals(tier.Name, name, StringComparison.Ordinal))
                {
                    return tier;
                }
            }

            return null;
        }
    }

    internal sealed class TierModel
    {
        public string Name = "";
        public int Line;
        public int Column;
        public List<CategoryModel> Categories = new List<CategoryModel>();
        public double? BurstMultiplier;
        public double? BurstMaxSeconds;
        public List<string>? EmergencyClasses;
        public double EmergencyDebtMultiplier = 1d;
        public int? MaxIterations;
        public int? MaxToolCalls;
        public double? MaxCostPerRun;
        public double? MaxCostPerDay;
        public double? MaxCostPerMonth;

        // Trust (PolicySchemaValidator.Trust.cs).
        public string? MaxClass;
        public PrincipalModel? Principal;

        public CategoryModel? FindCategory(string name)
        {
            foreach (CategoryModel category in Categories)
            {
                if (string.Equals(category.Name, name, StringComparison.Ordinal))
                {
                    return category;
                }
            }

            return null;
        }
    }

    internal sealed class CategoryModel
    {
        public string Name = "";
        public int Line;
        public int Column;
        public PolicyJsonNode? RefillNode;
        public double Capacity;
        public double RefillPerSecond;
    }

    internal sealed class ClassModel
    {
        public string Name = "";
        public double? ReservedShare;
        public TimeSpan? MaxQueueWait;
        public int? QueueLimit;
        public TimeSpan? WaitBeforeDraft;
    }

    internal sealed class PoolModel
    {
        public string Name = "";
        public int Concurrency;
        public List<string>? Classes;
        public bool Privileged;
    }

    internal sealed class AnomalyModel
    {
        public double Factor;
        public TimeSpan Window;
        public string? QuarantineTier;
        public TimeSpan? Interval;
        public double? MinBaseline;
        public AnomalySignalModel? Requests;
        public AnomalySignalModel? Tokens;
    }

    internal sealed class AnomalySignalModel
    {
        public double Factor;
        public double MinBaseline;
    }

    internal sealed class CircuitBreakerModel
    {
        public bool Enabled = true;
        public int? FailureThreshold;
        public TimeSpan? BreakDuration;
        public List<CircuitBreakerCategoryModel> Categories = new List<CircuitBreakerCategoryModel>();
    }

    internal sealed class CircuitBreakerCategoryModel
    {
        public string Name = "";
        public int? FailureThreshold;
        public TimeSpan? BreakDuration;
    }

    internal sealed class PolicyValidationResult
    {
        public PolicyValidationResult(PolicyModel? model, List<PolicyIssue> issues)
        {
            Model = model;
            Issues = issues;
        }

        /// <summary>The model, or <see langword="null"/> when there are issues.</summary>
        public PolicyModel? Model { get; }

        public List<PolicyIssue> Issues { get; }

        public bool IsValid => Issues.Count == 0;
    }

    /// <summary>
    /// Validates a parsed policy document and reports every issue at once (not just the first), each
    /// with its JSON path, line and column.
    /// </summary>
    internal sealed partial class PolicySchemaValidator
    {
        private readonly List<PolicyIssue> _issues = new List<PolicyIssue>();
        private readonly PolicyModel _model = new PolicyModel();

        // Tier references are checked once all tiers are known.
        private readonly List<KeyValuePair<PolicyJsonNode, string>> _tierReferences = new List<KeyValuePair<PolicyJsonNode, string>>();

        private PolicySchemaValidator()
        {
        }

        /// <summary>Parses and validates policy text.</summary>
        public static PolicyValidationResult Validate(string text)
        {
            // Characters are at most as many as UTF-8 bytes: a text with more than the limit is over it.
            if (CheckSize(text.Length) is PolicyIssue tooLarge)
            {
                return new PolicyValidationResult(null, new List<PolicyIssue> { tooLarge });
            }

            PolicyJsonNode root;
            try
            {
                root = PolicyJsonParser.Parse(text);
            }
            catch (PolicyJsonSyntaxError e)
            {
                var issues = new List<PolicyIssue> { new PolicyIssue(PolicyErrorKind.Syntax, e.Message, "$", e.Line, e.Column) };
                return new PolicyValidationResult(null, issues);
            }

            return Validate(root);
        }

        /// <summary>Validates an already parsed document.</summary>
        public static PolicyValidationResult Validate(PolicyJsonNode root)
        {
            var validator = new PolicySchemaValidator();
            PolicyIssue? stopped = null;
            try
            {
                validator.ValidateRoot(root);
            }
            catch (TooManyErrors e)
            {
                stopped = e.Issue;
            }

            // Report in document order (stable, so issues at one spot keep their discovery order); a stop comes last.
            List<PolicyIssue> issues = validator._issues.OrderBy(i => i.Line).ThenBy(i => i.Column).ToList();
            if (stopped != null)
            {
                issues.Add(stopped);
            }

            return new PolicyValidationResult(issues.Count == 0 ? validator._model : null, issues);
        }

        /// <summary>An issue for policy text past <see cref="PolicyNames.MaxPolicyBytes"/>, or null.</summary>
        public static PolicyIssue? CheckSize(long bytes)
        {
            return bytes <= PolicyNames.MaxPolicyBytes
                ? null
                : new PolicyIssue(PolicyErrorKind.InvalidValue,
                    "the policy is " + (bytes / 1048576d).ToString("0.#", CultureInfo.InvariantCulture) + " MB; a policy may be at most "
                    + (PolicyNames.MaxPolicyBytes / 1048576) + " MB (" + PolicyNames.MaxPolicyBytes + " bytes). List only the tenants that need a tier other than the defaultTier",
                    "$", 1, 1);
        }

        /// <summary>Thrown (and caught in <see cref="Validate(PolicyJsonNode)"/>) once enough errors are reported: nobody reads the rest.</summary>
        private sealed class TooManyErrors : Exception
        {
            public TooManyErrors(PolicyIssue issue) => Issue = issue;

            public PolicyIssue Issue { get; }
        }

        private void ValidateRoot(PolicyJsonNode root)
        {
            if (root.Kind != PolicyJsonKind.Object)
            {
                Report(PolicyErrorKind.WrongType, "the policy must be a JSON object, not " + root.KindName, "$", root);
                return;
            }

            Dictionary<string, PolicyJsonProperty> fields = Fields(root, "$", "the policy", PolicyFields.Root.All);

            if (Require(fields, root, "$", PolicyFields.Root.Version, "the policy", out PolicyJsonNode? version))
            {
                string? v = ReadString(version!, "$.version");
                if (v != null)
                {
                    if (v.Trim().Length == 0)
                    {
                        Report(PolicyErrorKind.InvalidValue, "version must not be empty; use something reviewable such as \"2026-11-21.1\"", "$.version", version!);
                    }
                    else if (IdentityText.Problem(v) is string problem)
                    {
                        // Recorded with every decision, like the identities.
                        Report(PolicyErrorKind.InvalidValue, "version " + problem, "$.version", version!);
                    }

                    _model.Version = v;
                }
            }

            if (fields.TryGetValue(PolicyFields.Root.Schema, out PolicyJsonProperty? schema))
            {
                ReadString(schema.Value, "$.$schema");
            }

            if (Require(fields, root, "$", PolicyFields.Root.Tiers, "the policy", out PolicyJsonNode? tiers))
            {
                ValidateTiers(tiers!);
            }

            if (fields.TryGetValue(PolicyFields.Root.Tenants, out PolicyJsonProperty? tenants))
            {
                ValidateTenants(tenants.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.DefaultTier, out PolicyJsonProperty? defaultTier))
            {
                string? name = ReadString(defaultTier.Value, "$.defaultTier");
                if (name != null)
                {
                    _model.DefaultTier = name;
                    _tierReferences.Add(new KeyValuePair<PolicyJsonNode, string>(defaultTier.Value, "$.defaultTier"));
                }
            }

            if (fields.TryGetValue(PolicyFields.Root.Classes, out PolicyJsonProperty? classes))
            {
                ValidateClasses(classes.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.Aging, out PolicyJsonProperty? aging) && ExpectObject(aging.Value, "$.aging"))
            {
                Dictionary<string, PolicyJsonProperty> agingFields = Fields(aging.Value, "$.aging", "aging", PolicyFields.Aging.All);
                if (Require(agingFields, aging.Value, "$.aging", PolicyFields.Aging.PromoteAfter, "aging", out PolicyJsonNode? promote))
                {
                    _model.PromoteAfter = ReadDuration(promote!, "$.aging.promoteAfter");
                }
            }

            if (fields.TryGetValue(PolicyFields.Root.Pools, out PolicyJsonProperty? pools))
            {
                ValidatePools(pools.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.Degradation, out PolicyJsonProperty? degradation))
            {
                ValidateDegradation(degradation.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.Anomaly, out PolicyJsonProperty? anomaly))
            {
                ValidateAnomaly(anomaly.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.CircuitBreaker, out PolicyJsonProperty? breaker))
            {
                ValidateCircuitBreaker(breaker.Value);
            }

            if (fields.TryGetValue(PolicyFields.Root.Tools, out PolicyJsonProperty? tools))
            {
                ValidateTools(tools.Value);
            }

            ValidateTrust(fields);
            ValidateModels(fields);

            foreach (KeyValuePair<PolicyJsonNode, string> reference in _tierReferences)
            {
                string name = reference.Key.StringValue ?? "";
                if (_model.FindTier(name) == null)
                {
                    Report(PolicyErrorKind.UnknownReference,
                        "unknown tier '" + name + "'" + Suggest(name, _model.Tiers.Select(t => t.Name)) + KnownList("tiers", _model.Tiers.Select(t => t.Name)),
                        reference.Value, reference.Key);
                }
            }
        }

        private void ValidateTiers(PolicyJsonNode tiers)
        {
            if (!ExpectObject(tiers, "$.tiers"))
            {
                return;
            }

            if (tiers.Properties.Count == 0)
            {
                Report(PolicyErrorKind.MissingField, "tiers must define at least one tier", "$.tiers", tiers);
            }

            if (TooMany(tiers, "$.tiers", PolicyNames.MaxTiers, "tiers", string.Empty))
            {
                return;
            }

            foreach (PolicyJsonProperty tierProperty in UniqueMembers(tiers, "$.tiers", "tier"))
            {
                string path = PathOf("$.tiers", tierProperty.Name);
                var tier = new TierModel { Name = tierProperty.Name, Line = tierProperty.Line, Column = tierProperty.Column };
                _model.Tiers.Add(tier);
                CheckName(tierProperty, path, "tier");
                PolicyJsonNode node = tierProperty.Value;
                if (!ExpectObject(node, path))
                {
                    continue;
                }

                string what = "tier '" + tier.Name + "'";
                Dictionary<string, PolicyJsonProperty> fields = Fields(node, path, what, PolicyFields.Tier.All);
                if (Require(fields, node, path, PolicyFields.Tier.Categories, what, out PolicyJsonNode? categories))
                {
                    ValidateCategories(tier, categories!, path + ".categories");
                }

                if (fields.TryGetValue(PolicyFields.Tier.Burst, out PolicyJsonProperty? burst) && ExpectObject(burst.Value, path + ".burst"))
                {
                    string burstPath = path + ".burst";
                    Dictionary<string, PolicyJsonProperty> burstFields = Fields(burst.Value, burstPath, "burst", PolicyFields.Burst.All);
                    if (Require(burstFields, burst.Value, burstPath, PolicyFields.Burst.Multiplier, "burst", out PolicyJsonNode? multiplier))
                    {
                        tier.BurstMultiplier = ReadNumber(multiplier!, burstPath + ".multiplier", min: 1, minInclusive: true, max: 1000);
                    }

                    if (Require(burstFields, burst.Value, burstPath, PolicyFields.Burst.MaxSeconds, "burst", out PolicyJsonNode? maxSeconds))
                    {
                        tier.BurstMaxSeconds = ReadNumber(maxSeconds!, burstPath + ".maxSeconds", min: 0, minInclusive: false, max: 31_536_000);
                    }
                }

                if (fields.TryGetValue(PolicyFields.Tier.Emergency, out PolicyJsonProperty? emergency) && ExpectObject(emergency.Value, path + ".emergency"))
                {
                    string emergencyPath = path + ".emergency";
                    Dictionary<string, PolicyJsonProperty> emergencyFields = Fields(emergency.Value, emergencyPath, "emergency", PolicyFields.Emergency.All);
                    if (Require(emergencyFields, emergency.Value, emergencyPath, PolicyFields.Emergency.Classes, "emergency", out PolicyJsonNode? classes))
                    {
                        tier.EmergencyClasses = ReadNameList(classes!, emergencyPath + ".classes", PolicyNames.WorkloadClasses, "workload class");
                    }

                    if (emergencyFields.TryGetValue(PolicyFields.Emergency.DebtMultiplier, out PolicyJsonProperty? debt))
                    {
                        tier.EmergencyDebtMultiplier = ReadNumber(debt.Value, emergencyPath + ".debtMultiplier", min: 0, minInclusive: true, max: 100) ?? 1d;
                    }
                }

                if (fields.TryGetValue(PolicyFields.Tier.Limits, out PolicyJsonProperty? limits) && ExpectObject(limits.Value, path + ".limits"))
                {
                    string limitsPath = path + ".limits";
                    Dictionary<string, PolicyJsonProperty> limitFields = Fields(limits.Value, limitsPath, "limits", PolicyFields.Limits.All);
                    (tier.MaxIterations, tier.MaxToolCalls, tier.MaxCostPerRun) = ReadRunLimits(limitFields, limitsPath);

                    if (limitFields.TryGetValue(PolicyFields.Limits.MaxCostPerDay, out PolicyJsonProperty? maxCostPerDay))
                    {
                        tier.MaxCostPerDay = ReadNumber(maxCostPerDay.Value, limitsPath + ".maxCostPerDay", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                    }

                    if (limitFields.TryGetValue(PolicyFields.Limits.MaxCostPerMonth, out PolicyJsonProperty? maxCostPerMonth))
                    {
                        tier.MaxCostPerMonth = ReadNumber(maxCostPerMonth.Value, limitsPath + ".maxCostPerMonth", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                    }
                }

                ValidateTierTrust(tier, fields, path);
                CheckShapes(tier, path, fields.TryGetValue(PolicyFields.Tier.Burst, out PolicyJsonProperty? burstField) ? burstField : null,
                    fields.TryGetValue(PolicyFields.Tier.Emergency, out PolicyJsonProperty? emergencyField) ? emergencyField : null);
            }
        }

        // Each bucket of the tier, with the tier's burst and emergency allowances, by the rules BucketLimits
        // applies when the policy is built (one set of limits, checked once): reported where the offending part is written.
        private void CheckShapes(TierModel tier, string path, PolicyJsonProperty? burst, PolicyJsonProperty? emergency)
        {
            foreach (CategoryModel category in tier.Categories)
            {
                if (category.RefillNode == null)
                {
                    continue; // capacity or refill already reported
                }

                double credits = tier.BurstMultiplier is double m && tier.BurstMaxSeconds is double seconds ? (m - 1) * category.RefillPerSecond * seconds : 0;
                double debt = emergency != null ? category.Capacity * tier.EmergencyDebtMultiplier : 0;
                BucketShapeProblem problem = BucketShapeRules.Check(category.Capacity, category.RefillPerSecond, credits, debt, out string reason);
                string categoryPath = PathOf(path + ".categories", category.Name);
                switch (problem)
                {
                    case BucketShapeProblem.Refill:
                    case BucketShapeProblem.Capacity:
                        Report(PolicyErrorKind.InvalidValue, reason, categoryPath + ".refillPerSecond", category.RefillNode);
                        break;
                    case BucketShapeProblem.Burst:
                        Report(PolicyErrorKind.InvalidValue, "category '" + category.Name + "': " + reason, path + ".burst", burst!.Line, burst.Column);
                        break;
                    case BucketShapeProblem.Debt:
                        Report(PolicyErrorKind.InvalidValue, "category '" + category.Name + "': " + reason, path + ".emergency", emergency!.Line, emergency.Column);
                        break;
                }
            }
        }

        private void ValidateCategories(TierModel tier, PolicyJsonNode categories, string path)
        {
            if (!ExpectObject(categories, path))
            {
                return;
            }

            if (categories.Properties.Count == 0)
            {
                Report(PolicyErrorKind.MissingField, "tier '" + tier.Name + "' must budget at least one category", path, categories);
            }

            if (TooMany(categories, path, PolicyNames.MaxCategoriesPerTier, "categories per tier", string.Empty))
            {
                return;
            }

            foreach (PolicyJsonProperty property in UniqueMembers(categories, path, "category"))
            {
                string categoryPath = PathOf(path, property.Name);
                CheckName(property, categoryPath, "category");
                if (!ExpectObject(property.Value, categoryPath))
                {
                    continue;
                }

                string what = "category '" + property.Name + "'";
                var category = new CategoryModel { Name = property.Name, Line = property.Line, Column = property.Column };
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, categoryPath, what, PolicyFields.Category.All);
                double? capacity = null, refill = null;
                if (Require(fields, property.Value, categoryPath, PolicyFields.Category.Capacity, what, out PolicyJsonNode? capacityNode))
                {
                    capacity = ReadNumber(capacityNode!, categoryPath + ".capacity", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                }

                if (Require(fields, property.Value, categoryPath, PolicyFields.Category.RefillPerSecond, what, out PolicyJsonNode? refillNode))
                {
                    refill = ReadNumber(refillNode!, categoryPath + ".refillPerSecond", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity);
                }

                category.RefillNode = capacity.HasValue && refill.HasValue ? refillNode : null; // shape checked with the tier's burst and emergency
                category.Capacity = capacity ?? 0;
                category.RefillPerSecond = refill ?? 0;
                tier.Categories.Add(category);
            }
        }

        private void ValidateTenants(PolicyJsonNode tenants)
        {
            if (!ExpectObject(tenants, "$.tenants")
                || TooMany(tenants, "$.tenants", PolicyNames.MaxTenants, "tenants", "; list only the tenants that need a tier other than the defaultTier"))
            {
                return;
            }

            foreach (PolicyJsonProperty property in UniqueMembers(tenants, "$.tenants", "tenant"))
            {
                string path = PathOf("$.tenants", property.Name);
                CheckName(property, path, "tenant id");
                if (!ExpectObject(property.Value, path))
                {
                    continue;
                }

                string what = "tenant '" + property.Name + "'";
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, path, what, PolicyFields.Tenant.All);
                if (Require(fields, property.Value, path, PolicyFields.Tenant.Tier, what, out PolicyJsonNode? tierNode))
                {
                    string? tier = ReadString(tierNode!, path + ".tier");
                    if (tier != null)
                    {
                        _model.Tenants[property.Name] = tier;
                        _tierReferences.Add(new KeyValuePair<PolicyJsonNode, string>(tierNode!, path + ".tier"));
                    }
                }

                ValidateTenantTrust(property.Name, fields, path);
            }
        }

        private void ValidateClasses(PolicyJsonNode classes)
        {
            if (!ExpectObject(classes, "$.classes"))
            {
                return;
            }

            double totalShare = 0;
            foreach (PolicyJsonProperty property in UniqueMembers(classes, "$.classes", "workload class"))
            {
                string path = PathOf("$.classes", property.Name);
                if (Array.IndexOf(PolicyNames.WorkloadClasses, property.Name) < 0)
                {
                    Report(PolicyErrorKind.UnknownReference,
                        "unknown workload class '" + property.Name + "'" + Suggest(property.Name, PolicyNames.WorkloadClasses) + KnownList("classes", PolicyNames.WorkloadClasses),
                        path, property.Line, property.Column);
                    continue;
                }

                if (!ExpectObject(property.Value, path))
                {
                    continue;
                }

                string what = "class '" + property.Name + "'";
                var model = new ClassModel { Name = property.Name };
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, path, what, PolicyFields.Class.All);
                if (fields.TryGetValue(PolicyFields.Class.ReservedShare, out PolicyJsonProperty? share))
                {
                    model.ReservedShare = ReadNumber(share.Value, path + ".reservedShare", min: 0, minInclusive: true, max: 1);
                    totalShare += model.ReservedShare ?? 0;
                }

                if (fields.TryGetValue(PolicyFields.Class.MaxQueueWait, out PolicyJsonProperty? wait))
                {
                    model.MaxQueueWait = ReadDuration(wait.Value, path + ".maxQueueWait");
                    if (model.MaxQueueWait > PolicyNames.MaxQueueWait)
                    {
                        Report(PolicyErrorKind.InvalidValue,
                            "maxQueueWait must be at most " + PolicyNames.MaxQueueWait.ToString("c", CultureInfo.InvariantCulture) + " (no request waits without a bound), but is " + wait.Value.StringValue,
                            path + ".maxQueueWait", wait.Value);
                        model.MaxQueueWait = null;
                    }
                }

                if (fields.TryGetValue(PolicyFields.Class.QueueLimit, out PolicyJsonProperty? queueLimit))
                {
                    model.QueueLimit = ReadInteger(queueLimit.Value, path + ".queueLimit", min: 0);
                }

                if (fields.TryGetValue(PolicyFields.Class.WaitBeforeDraft, out PolicyJsonProperty? draftWait))
                {
                    // How long a call of this class to a tool with a fallback may wait for the real tool before the
                    // draft serves it: bounded by the class's own maximum queue wait.
                    model.WaitBeforeDraft = ReadDuration(draftWait.Value, path + ".waitBeforeDraft");
                    TimeSpan bound = model.MaxQueueWait ?? PolicyNames.DefaultMaxQueueWait;
                    if (model.WaitBeforeDraft > bound)
                    {
                        Report(PolicyErrorKind.InvalidValue,
                            "waitBeforeDraft must be at most the class's maxQueueWait (" + bound.ToString("c", CultureInfo.InvariantCulture) + "), but is " + draftWait.Value.StringValue,
                            path + ".waitBeforeDraft", draftWait.Value);
                        model.WaitBeforeDraft = null;
                    }
                }

                _model.Classes.Add(model);
            }

            if (totalShare > 1 + 1e-9)
            {
                Report(PolicyErrorKind.InvalidValue,
                    "reserved shares add up to " + Format(totalShare) + "; together they must not exceed 1",
                    "$.classes", classes);
            }
        }

        private void ValidatePools(PolicyJsonNode pools)
        {
            if (!ExpectObject(pools, "$.pools") || TooMany(pools, "$.pools", PolicyNames.MaxPools, "pools", string.Empty))
            {
                return;
            }

            foreach (PolicyJsonProperty property in UniqueMembers(pools, "$.pools", "pool"))
            {
                string path = PathOf("$.pools", property.Name);
                CheckName(property, path, "pool");
                if (!ExpectObject(property.Value, path))
                {
                    continue;
                }

                string what = "pool '" + property.Name + "'";
                var pool = new PoolModel { Name = property.Name };
                Dictionary<string, PolicyJsonProperty> fields = Fields(property.Value, path, what, PolicyFields.Pool.All);
                if (Require(fields, property.Value, path, PolicyFields.Pool.Concurrency, what, out PolicyJsonNode? concurrency))
                {
                    pool.Concurrency = ReadInteger(concurrency!, path + ".concurrency", min: 1) ?? 0;
                }

                if (fields.TryGetValue(PolicyFields.Pool.Classes, out PolicyJsonProperty? classes))
                {
                    pool.Classes = ReadNameList(classes.Value, path + ".classes", PolicyNames.WorkloadClasses, "workload class");
                    if (pool.Classes != null && pool.Classes.Count == 0)
                    {
                        Report(PolicyErrorKind.InvalidValue, "a pool's classes must name at least one class; omit the field for a shared pool that serves all classes", path + ".classes", classes.Value);
                    }
                }

                if (fields.TryGetValue(PolicyFields.Pool.Privileged, out PolicyJsonProperty? privileged))
                {
                    pool.Privileged = ReadBoolean(privileged.Value, path + ".privileged") ?? false;
                }

                _model.Pools.Add(pool);
            }

            // Privileged pools take privileged tools only: with nothing else, ordinary calls could never run.
            if (_model.Pools.Count > 0 && _model.Pools.TrueForAll(p => p.Privileged))
            {
                Report(PolicyErrorKind.InvalidValue,
                    "every pool is privileged, so calls of tools that are not privileged could never run; add a pool without \"privileged\": true",
                    "$.pools", pools);
            }
        }

        private void ValidateDegradation(PolicyJsonNode degradation)
        {
            List<string>? modes = ReadNameList(degradation, "$.degradation", PolicyNames.DegradationModes, "degradation mode");
            if (modes == null)
            {
                return;
            }

            if (modes.Count == 0 || modes[0] != "Full")
            {
                Report(PolicyErrorKind.InvalidValue, "the degradation ladder must start with \"Full\"", "$.degradation", degradation);
            }

            for (int i = 1; i < modes.Count; i++)
            {
                if (Array.IndexOf(PolicyNames.DegradationModes, modes[i]) < Array.IndexOf(PolicyNames.DegradationModes, modes[i - 1]))
                {
                    Report(PolicyErrorKind.InvalidValue,
                        "the degradation ladder must go down in order Full, DraftOnly, ApprovalRequired, Queued; '" + modes[i] + "' comes after '" + modes[i - 1] + "'",
                        "$.degradation[" + i + "]", degradation.Items[i]);
                }
            }

            _model.Degradation = modes;
        }

        private void ValidateAnomaly(PolicyJsonNode anomaly)
        {
            if (!ExpectObject(anomaly, "$.anomaly"))
            {
                return;
            }

            Dictionary<string, PolicyJsonProperty> fields = Fields(anomaly, "$.anomaly", "anomaly", PolicyFields.Anomaly.All);
            var model = new AnomalyModel();
            if (Require(fields, anomaly, "$.anomaly", PolicyFields.Anomaly.Factor, "anomaly", out PolicyJsonNode? factor))
            {
                model.Factor = ReadNumber(factor!, "$.anomaly.factor", min: 1, minInclusive: false, max: 1_000_000) ?? 0;
            }

            if (Require(fields, anomaly, "$.anomaly", PolicyFields.Anomaly.Window, "anomaly", out PolicyJsonNode? window))
            {
                model.Window = ReadDuration(window!, "$.anomaly.window") ?? TimeSpan.Zero;
            }

            if (fields.TryGetValue(PolicyFields.Anomaly.QuarantineTier, out PolicyJsonProperty? quarantine))
            {
                model.QuarantineTier = ReadString(quarantine.Value, "$.anomaly.quarantineTier");
                if (model.QuarantineTier != null)
                {
                    _tierReferences.Add(new KeyValuePair<PolicyJsonNode, string>(quarantine.Value, "$.anomaly.quarantineTier"));
                }
            }

            if (fields.TryGetValue(PolicyFields.Anomaly.Interval, out PolicyJsonProperty? interval))
            {
                model.Interval = ReadDuration(interval.Value, "$.anomaly.interval");
                if (model.Interval is TimeSpan i && model.Window > TimeSpan.Zero)
                {
                    if (i >= model.Window)
                    {
                        Report(PolicyErrorKind.InvalidValue, "interval must be shorter than the window (" + model.Window.ToString("c", CultureInfo.InvariantCulture) + ")", "$.anomaly.interval", interval.Value);
                        model.Interval = null;
                    }
                    else if (model.Window.Ticks / i.Ticks > PolicyNames.MaxAnomalyIntervals)
                    {
                        Report(PolicyErrorKind.InvalidValue,
                            "the window holds " + (model.Window.Ticks / i.Ticks) + " intervals; use a longer interval so it holds at most " + PolicyNames.MaxAnomalyIntervals,
                            "$.anomaly.interval", interval.Value);
                        model.Interval = null;
                    }
                }
            }
            else if (model.Window > TimeSpan.Zero && DefaultInterval(model.Window) >= model.Window)
            {
                // The default interval is what the runtime uses: it must pass the same checks as one written down.
                Report(PolicyErrorKind.InvalidValue,
                    "a window of " + model.Window.ToString("c", CultureInfo.InvariantCulture) + " is too short to divide into intervals; give a longer window or an interval shorter than it",
                    "$.anomaly.window", window!);
            }

            if (fields.TryGetValue(PolicyFields.Anomaly.MinBaseline, out PolicyJsonProperty? minBaseline))
            {
                model.MinBaseline = ReadNumber(minBaseline.Value, "$.anomaly.minBaseline", min: 0, minInclusive: true, max: PolicyNames.MaxCapacity);
            }

            if (fields.TryGetValue(PolicyFields.Anomaly.Requests, out PolicyJsonProperty? requests))
            {
                model.Requests = ReadAnomalySignal(requests.Value, "$.anomaly.requests", "anomaly.requests");
            }

            if (fields.TryGetValue(PolicyFields.Anomaly.Tokens, out PolicyJsonProperty? tokens))
            {
                model.Tokens = ReadAnomalySignal(tokens.Value, "$.anomaly.tokens", "anomaly.tokens");
            }

            _model.Anomaly = model;
        }

        // A signal watched besides spend: { "factor": > 1, "minBaseline": >= 0? }, on the spend signal's window and interval.
        private AnomalySignalModel? ReadAnomalySignal(PolicyJsonNode node, string path, string section)
        {
            if (!ExpectObject(node, path))
            {
                return null;
            }

            Dictionary<string, PolicyJsonProperty> fields = Fields(node, path, section, PolicyFields.Anomaly.Signal);
            var signal = new AnomalySignalModel();
            if (!Require(fields, node, path, PolicyFields.Anomaly.Factor, section, out PolicyJsonNode? factor)
                || ReadNumber(factor!, path + ".factor", min: 1, minInclusive: false, max: 1_000_000) is not double f)
            {
                return null;
            }

            signal.Factor = f;
            if (fields.TryGetValue(PolicyFields.Anomaly.MinBaseline, out PolicyJsonProperty? minBaseline))
            {
                signal.MinBaseline = ReadNumber(minBaseline.Value, path + ".minBaseline", min: 0, minInclusive: true, max: 1e15) ?? 0;
            }

            return signal;
        }

        /// <summary>The anomaly interval when the policy gives none: window / 12, at least one tick (AnomalyPolicy uses this).</summary>
        internal static TimeSpan DefaultInterval(TimeSpan window) =>
            TimeSpan.FromTicks(Math.Max(1, window.Ticks / PolicyNames.DefaultAnomalyIntervals));

        private void ValidateCircuitBreaker(PolicyJsonNode breaker)
        {
            const string path = "$.circuitBreaker";
            if (!ExpectObject(breaker, path))
            {
                return;
            }

            var model = new CircuitBreakerModel();
            Dictionary<string, PolicyJsonProperty> fields = Fields(breaker, path, "circuitBreaker", PolicyFields.CircuitBreaker.All);
            if (fields.TryGetValue(PolicyFields.CircuitBreaker.Enabled, out PolicyJsonProperty? enabled))
            {
                model.Enabled = ReadBoolean(enabled.Value, path + ".enabled") ?? true;
            }

            if (fields.TryGetValue(PolicyFields.CircuitBreaker.FailureThreshold, out PolicyJsonProperty? threshold))
            {
                model.FailureThreshold = ReadBreakerThreshold(threshold.Value, path + ".failureThreshold");
            }

            if (fields.TryGetValue(PolicyFields.CircuitBreaker.BreakDuration, out PolicyJsonProperty? duration))
            {
                model.BreakDuration = ReadDuration(duration.Value, path + ".breakDuration");
            }

            if (fields.TryGetValue(PolicyFields.CircuitBreaker.Categories, out PolicyJsonProperty? categories) && ExpectObject(categories.Value, path + ".categories"))
            {
                foreach (PolicyJsonProperty property in UniqueMembers(categories.Value, path + ".categories", "category"))
                {
                    string categoryPath = PathOf(path + ".categories", property.Name);
                    CheckName(property, categoryPath, "category");
                    if (!ExpectObject(property.Value, categoryPath))
                    {
                        continue;
                    }

                    var category = new CircuitBreakerCategoryModel { Name = property.Name };
                    Dictionary<string, PolicyJsonProperty> categoryFields = Fields(property.Value, categoryPath, "circuit breaker of category '" + property.Name + "'", PolicyFields.CircuitBreaker.CategoryFields);
                    if (categoryFields.TryGetValue(PolicyFields.CircuitBreaker.FailureThreshold, out PolicyJsonProperty? categoryThreshold))
                    {
                        category.FailureThreshold = ReadBreakerThreshold(categoryThreshold.Value, categoryPath + ".failureThreshold");
                    }

                    if (categoryFields.TryGetValue(PolicyFields.CircuitBreaker.BreakDuration, out PolicyJsonProperty? categoryDuration))
                    {
                        category.BreakDuration = ReadDuration(categoryDuration.Value, categoryPath + ".breakDuration");
                    }

                    model.Categories.Add(category);

                    // A breaker for a category no tier budgets is almost certainly a typo.
                    bool budgeted = _model.Tiers.Any(t => t.FindCategory(property.Name) != null);
                    if (!budgeted && _model.Tiers.Count > 0)
                    {
                        IEnumerable<string> known = _model.Tiers.SelectMany(t => t.Categories.Select(c => c.Name)).Distinct(StringComparer.Ordinal);
                        Report(PolicyErrorKind.UnknownReference,
                            "no tier budgets category '" + property.Name + "'" + Suggest(property.Name, known) + KnownList("categories", known),
                            categoryPath, property.Line, property.Column);
                    }
                }
            }

            _model.CircuitBreaker = model;
        }

        private int? ReadBreakerThreshold(PolicyJsonNode node, string path)
        {
            int? value = ReadInteger(node, path, min: 1);
            if (value > 1_000_000)
            {
                Report(PolicyErrorKind.InvalidValue, "failureThreshold must be at most 1000000, but is " + node.RawNumber, path, node);
                return null;
            }

            return value;
        }

        private bool? ReadBoolean(PolicyJsonNode node, string path)
        {
            if (node.Kind == PolicyJsonKind.True)
            {
                return true;
            }

            if (node.Kind == PolicyJsonKind.False)
            {
                return false;
            }

            Report(PolicyErrorKind.WrongType, "expected true or false but found " + node.KindName + DescribeString(node), path, node);
            return null;
        }

        // ---- helpers -------------------------------------------------------------------------

        /// <summary>Collects an object's fields, reporting unknown and duplicate names.</summary>
        private Dictionary<string, PolicyJsonProperty> Fields(PolicyJsonNode node, string path, string what, params string[] known)
        {
            var fields = new Dictionary<string, PolicyJsonProperty>(StringComparer.Ordinal);
            foreach (PolicyJsonProperty property in node.Properties)
            {
                string fieldPath = PathOf(path, property.Name);
                if (Array.IndexOf(known, property.Name) < 0)
                {
                    Report(PolicyErrorKind.UnknownField,
                        "unknown field '" + property.Name + "' in " + what + Suggest(property.Name, known) + KnownList("fields", known),
                        fieldPath, property.Line, property.Column);
                    continue;
                }

                if (fields.TryGetValue(property.Name, out PolicyJsonProperty? first))
                {
                    Report(PolicyErrorKind.DuplicateName,
                        "duplicate field '" + property.Name + "' in " + what + " (first defined at line " + first.Line + ", column " + first.Column + ")",
                        fieldPath, property.Line, property.Column);
                    continue;
                }

                fields.Add(property.Name, property);
            }

            return fields;
        }

        /// <summary>Members of a name-to-definition map, without duplicates (which are reported).</summary>
        private List<PolicyJsonProperty> UniqueMembers(PolicyJsonNode node, string path, string what)
        {
            var seen = new Dictionary<string, PolicyJsonProperty>(StringComparer.Ordinal);
            var members = new List<PolicyJsonProperty>();
            foreach (PolicyJsonProperty property in node.Properties)
            {
                if (seen.TryGetValue(property.Name, out PolicyJsonProperty? first))
                {
                    Report(PolicyErrorKind.DuplicateName,
                        "duplicate " + what + " '" + property.Name + "' (first defined at line " + first.Line + ", column " + first.Column + ")",
                        PathOf(path, property.Name), property.Line, property.Column);
                    continue;
                }

                seen.Add(property.Name, property);
                members.Add(property);
            }

            return members;
        }

        // Names follow the identity-string rule (AgentIdentity): a tenant id the policy accepts is one a run can use.
        private void CheckName(PolicyJsonProperty property, string path, string what)
        {
            if (property.Name.Trim().Length == 0)
            {
                Report(PolicyErrorKind.InvalidValue, "a " + what + " name must not be empty", path, property.Line, property.Column);
            }
            else if (IdentityText.Problem(property.Name) is string problem)
            {
                Report(PolicyErrorKind.InvalidValue, what + " name '" + property.Name + "' " + problem, path, property.Line, property.Column);
            }
        }

        // Whether a name-to-definition map holds more members than a policy may; reported once, at the map.
        private bool TooMany(PolicyJsonNode node, string path, int max, string what, string hint)
        {
            if (node.Properties.Count <= max)
            {
                return false;
            }

            Report(PolicyErrorKind.InvalidValue,
                "a policy may define at most " + max + " " + what + ", but this one has " + node.Properties.Count + hint, path, node);
            return true;
        }

        private bool Require(Dictionary<string, PolicyJsonProperty> fields, PolicyJsonNode owner, string path, string name, string what, out PolicyJsonNode? value)
        {
            if (fields.TryGetValue(name, out PolicyJsonProperty? property))
            {
                value = property.Value;
                return true;
            }

            Report(PolicyErrorKind.MissingField, what + " is missing required field '" + name + "'", PathOf(path, name), owner);
            value = null;
            return false;
        }

        private bool ExpectObject(PolicyJsonNode node, string path)
        {
            if (node.Kind == PolicyJsonKind.Object)
            {
                return true;
            }

            Report(PolicyErrorKind.WrongType, "expected an object but found " + node.KindName, path, node);
            return false;
        }

        private string? ReadString(PolicyJsonNode node, string path)
        {
            if (node.Kind == PolicyJsonKind.String)
            {
                return node.StringValue;
            }

            Report(PolicyErrorKind.WrongType, "expected a string but found " + node.KindName, path, node);
            return null;
        }

        private double? ReadNumber(PolicyJsonNode node, string path, double min, bool minInclusive, double max)
        {
            if (node.Kind != PolicyJsonKind.Number)
            {
                Report(PolicyErrorKind.WrongType, "expected a number but found " + node.KindName + DescribeString(node), path, node);
                return null;
            }

            double value = node.NumberValue;
            string name = LastSegment(path);
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                Report(PolicyErrorKind.InvalidValue, name + " must be a finite number, not " + node.RawNumber, path, node);
                return null;
            }

            bool tooSmall = minInclusive ? value < min : value <= min;
            if (tooSmall || value > max)
            {
                string lower = minInclusive ? ">= " + Format(min) : "> " + Format(min);
                Report(PolicyErrorKind.InvalidValue, name + " must be " + lower + " and <= " + Format(max) + ", but is " + node.RawNumber, path, node);
                return null;
            }

            return value;
        }

        /// <summary>The per-run limits a tier's and a workflow's <c>limits</c> block share (absent fields are null).</summary>
        private (int? MaxIterations, int? MaxToolCalls, double? MaxCostPerRun) ReadRunLimits(Dictionary<string, PolicyJsonProperty> limitFields, string limitsPath)
        {
            int? maxIterations = limitFields.TryGetValue(PolicyFields.Limits.MaxIterations, out PolicyJsonProperty? iterations)
                ? ReadInteger(iterations.Value, limitsPath + ".maxIterations", min: 1)
                : null;
            int? maxToolCalls = limitFields.TryGetValue(PolicyFields.Limits.MaxToolCalls, out PolicyJsonProperty? toolCalls)
                ? ReadInteger(toolCalls.Value, limitsPath + ".maxToolCalls", min: 1)
                : null;
            double? maxCostPerRun = limitFields.TryGetValue(PolicyFields.Limits.MaxCostPerRun, out PolicyJsonProperty? costPerRun)
                ? ReadNumber(costPerRun.Value, limitsPath + ".maxCostPerRun", min: 0, minInclusive: false, max: PolicyNames.MaxCapacity)
                : null;
            return (maxIterations, maxToolCalls, maxCostPerRun);
        }

        private int? ReadInteger(PolicyJsonNode node, string path, int min)
        {
            double? value = ReadNumber(node, path, min, minInclusive: true, max: int.MaxValue);
            if (value == null)
            {
                return null;
            }

            string raw = node.RawNumber ?? string.Empty;
            if (Math.Floor(value.Value) != value.Value || raw.IndexOfAny(new[] { '.', 'e', 'E' }) >= 0)
            {
                Report(PolicyErrorKind.InvalidValue, LastSegment(path) + " must be a whole number written without a decimal point or exponent, but is " + raw, path, node);
                return null;
            }

            return (int)value.Value;
        }

        private TimeSpan? ReadDuration(PolicyJsonNode node, string path)
        {
            if (node.Kind != PolicyJsonKind.String)
            {
                Report(PolicyErrorKind.WrongType, "expected a duration string such as \"00:02:00\" but found " + node.KindName, path, node);
                return null;
            }

            if (!TimeSpan.TryParseExact(node.StringValue, "c", CultureInfo.InvariantCulture, out TimeSpan duration))
            {
                Report(PolicyErrorKind.InvalidDuration,
                    "'" + node.StringValue + "' is not a duration; write [d.]hh:mm:ss, e.g. \"00:02:00\" for two minutes",
                    path, node);
                return null;
            }

            if (duration <= TimeSpan.Zero)
            {
                Report(PolicyErrorKind.InvalidDuration, "'" + node.StringValue + "' must be a positive duration", path, node);
                return null;
            }

            return duration;
        }

        private List<string>? ReadNameList(PolicyJsonNode node, string path, string[] allowed, string what)
        {
            if (node.Kind != PolicyJsonKind.Array)
            {
                Report(PolicyErrorKind.WrongType, "expected an array of " + what + " names but found " + node.KindName, path, node);
                return null;
            }

            var names = new List<string>();
            var seen = new Dictionary<string, PolicyJsonNode>(StringComparer.Ordinal);
            for (int i = 0; i < node.Items.Count; i++)
            {
                PolicyJsonNode item = node.Items[i];
                string itemPath = path + "[" + i + "]";
                string? name = ReadString(item, itemPath);
                if (name == null)
                {
                    continue;
                }

                if (Array.IndexOf(allowed, name) < 0)
                {
                    Report(PolicyErrorKind.UnknownReference,
                        "unknown " + what + " '" + name + "'" + Suggest(name, allowed) + KnownList("values", allowed),
                        itemPath, item);
                    continue;
                }

                if (seen.TryGetValue(name, out PolicyJsonNode? first))
                {
                    Report(PolicyErrorKind.DuplicateName,
                        "'" + name + "' is listed twice (first at line " + first.Line + ", column " + first.Column + ")",
                        itemPath, item);
                    continue;
                }

                seen.Add(name, item);
                names.Add(name);
            }

            return names;
        }

        private void Report(PolicyErrorKind kind, string message, string path, PolicyJsonNode at) => Report(kind, message, path, at.Line, at.Column);

        // Past MaxErrors validation stops: nobody reads the rest, and a huge file must not cost its weight in errors.
        private void Report(PolicyErrorKind kind, string message, string path, int line, int column)
        {
            if (_issues.Count >= PolicyNames.MaxErrors)
            {
                throw new TooManyErrors(new PolicyIssue(kind,
                    "validation stopped after " + PolicyNames.MaxErrors + " errors; fix these and check again",
                    path, line, column));
            }

            _issues.Add(new PolicyIssue(kind, message, path, line, column));
        }

        private static string DescribeString(PolicyJsonNode node) =>
            node.Kind == PolicyJsonKind.String ? " (\"" + node.StringValue + "\"; remove the quotes)" : string.Empty;

        private static string LastSegment(string path)
        {
            int dot = path.LastIndexOf('.');
            return dot >= 0 ? path.Substring(dot + 1) : path;
        }

        internal static string PathOf(string parent, string name)
        {
            bool simple = name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_' || name[0] == '$');
            foreach (char c in name)
            {
                if (!(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '$'))
                {
                    simple = false;
                    break;
                }
            }

            return simple ? parent + "." + name : parent + "['" + name.Replace("'", "\\'") + "']";
        }

        private static string Format(double value) => value.ToString("0.############", CultureInfo.InvariantCulture);

        private static string KnownList(string what, IEnumerable<string> names)
        {
            var list = names.ToList();
            return list.Count == 0 ? string.Empty : " (known " + what + ": " + string.Join(", ", list) + ")";
        }

        /// <summary>"; did you mean 'x'?" for the closest name within two edits, ignoring case.</summary>
        private static string Suggest(string name, IEnumerable<string> candidates)
        {
            string? best = NameSuggestion.Closest(name, candidates);
            return best == null ? string.Empty : "; did you mean '" + best + "'?";
        }
    }
}
