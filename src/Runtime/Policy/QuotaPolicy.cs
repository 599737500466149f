using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using AgentQuotas.Policy.Schema;
using AgentQuotas.Stores;

namespace AgentQuotas.Policy;

/// <summary>
/// The quota policy (agentquotas.json): tiers of per-category budgets and limits, tenant assignments,
/// workload classes, aging, pools, the degradation ladder and anomaly detection. Immutable; reload by
/// swapping instances through <see cref="QuotaPolicyProvider"/>.
/// </summary>
public sealed partial class QuotaPolicy
{
    private static readonly DegradationMode[] DefaultLadder =
        [DegradationMode.Full, DegradationMode.DraftOnly, DegradationMode.ApprovalRequired, DegradationMode.Queued];

    private readonly FrozenDictionary<string, TierPolicy> _tiers;
    private readonly FrozenDictionary<string, TierPolicy> _tenantTiers;
    private readonly ClassPolicy[] _classes;
    private global::AgentQuotas.Scheduling.SchedulingSettings? _scheduling;

    private QuotaPolicy(
        string version,
        string contentHash,
        string? source,
        FrozenDictionary<string, TierPolicy> tiers,
        FrozenDictionary<string, TierPolicy> tenantTiers,
        TierPolicy? defaultTier,
        ClassPolicy[] classes,
        AgingPolicy? aging,
        IReadOnlyList<PoolPolicy> pools,
        IReadOnlyList<DegradationMode> ladder,
        AnomalyPolicy? anomaly,
        CircuitBreakerPolicy circuitBreakers)
    {
        Version = version;
        ContentHash = contentHash;
        Source = source;
        _tiers = tiers;
        _tenantTiers = tenantTiers;
        DefaultTier = defaultTier;
        _classes = classes;
        Aging = aging;
        Pools = pools;
        DegradationLadder = ladder;
        Anomaly = anomaly;
        CircuitBreakers = circuitBreakers;
        HasReservedShares = classes.Any(c => c.ReservedShare > 0);
        AllowsQueueing = ladder.Contains(DegradationMode.Queued);
        AllowsDraftOnly = ladder.Contains(DegradationMode.DraftOnly);
    }

    /// <summary>The policy's <c>version</c> field, recorded with every decision.</summary>
    public string Version { get; }

    /// <summary>
    /// Lower-case hex SHA-256 of the policy in canonical form (comments, whitespace, member order and number
    /// spelling do not count; see docs/policy.md, "Policy integrity"): identifies what was reviewed, and is
    /// recorded with <see cref="Version"/> on every audit record.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>The file (or source name) the policy was loaded from, if any.</summary>
    public string? Source { get; }

    /// <summary>Tiers by name.</summary>
    public IReadOnlyDictionary<string, TierPolicy> Tiers => _tiers;

    /// <summary>Explicit tenant-to-tier assignments.</summary>
    public IReadOnlyDictionary<string, TierPolicy> Tenants => _tenantTiers;

    /// <summary>The tier of tenants not listed in <see cref="Tenants"/>; <see langword="null"/> to refuse them.</summary>
    public TierPolicy? DefaultTier { get; }

    /// <summary>Queue aging, if configured.</summary>
    public AgingPolicy? Aging { get; }

    /// <summary>Compute pools in document order.</summary>
    public IReadOnlyList<PoolPolicy> Pools { get; }

    /// <summary>The enabled rungs of the degradation ladder, starting with <see cref="DegradationMode.Full"/>.</summary>
    public IReadOnlyList<DegradationMode> DegradationLadder { get; }

    /// <summary>Spend-anomaly detection, if configured.</summary>
    public AnomalyPolicy? Anomaly { get; }

    /// <summary>Circuit breakers per category (defaults when the policy has no <c>circuitBreaker</c> field).</summary>
    public CircuitBreakerPolicy CircuitBreakers { get; }

    // Precomputed so the decision path reads a field instead of scanning lists.
    internal bool HasReservedShares { get; }

    internal bool AllowsQueueing { get; }

    internal bool AllowsDraftOnly { get; }

    internal global::AgentQuotas.Scheduling.SchedulingSettings Schedule => _scheduling ??= new global::AgentQuotas.Scheduling.SchedulingSettings(this);

    /// <summary>Loads and validates a policy file.</summary>
    /// <param name="path">Path to agentquotas.json.</param>
    /// <exception cref="PolicyValidationException">The file is not a valid policy (or larger than a policy may be); every error is listed.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static QuotaPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfTooLarge(new FileInfo(path) is { Exists: true } file ? file.Length : 0, path); // before reading it
        byte[] bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates policy JSON.</summary>
    /// <param name="json">The policy text.</param>
    /// <param name="source">A name for messages (a file path, "inline"...).</param>
    /// <exception cref="PolicyValidationException">The text is not a valid policy; every error is listed.</exception>
    public static QuotaPolicy Parse(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ThrowIfTooLarge(json.Length, source); // a character is at least one byte of UTF-8
        return Parse(Encoding.UTF8.GetBytes(json), source);
    }

    /// <summary>Parses and validates UTF-8 policy JSON.</summary>
    /// <param name="utf8Json">The policy bytes (a UTF-8 byte-order mark is allowed).</param>
    /// <param name="source">A name for messages.</param>
    /// <exception cref="PolicyValidationException">The bytes are not a valid policy; every error is listed.</exception>
    public static QuotaPolicy Parse(ReadOnlySpan<byte> utf8Json, string? source = null)
    {
        ThrowIfTooLarge(utf8Json.Length, source);
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8Json);
        }
        catch (DecoderFallbackException e)
        {
            throw new PolicyValidationException(
                [new PolicyError(PolicyErrorKind.Syntax, "the file is not valid UTF-8: " + e.Message, "$", 1, 1, source)], source);
        }

        // One parse: the validator's model is what the policy is built from.
        PolicyValidationResult validation = PolicySchemaValidator.Validate(text);
        if (validation.Model is not PolicyModel model)
        {
            throw new PolicyValidationException(
                validation.Issues.Select(i => new PolicyError(i.Kind, i.Message, i.Path, i.Line, i.Column, source)).ToArray(), source);
        }

        string hash = global::AgentQuotas.Trust.PolicyHash.Compute(text);
        try
        {
            return FromModel(model, hash, source);
        }
        catch (ArgumentException e)
        {
            // The validator applies the limits construction applies (one set, shared); reaching this is a bug, but
            // the caller (a CLI, a reload on a timer) still gets a policy error, never a crash.
            throw new PolicyValidationException([new PolicyError(PolicyErrorKind.InvalidValue, e.Message, "$", 1, 1, source)], source);
        }
    }

    /// <summary>Finds the tier that governs <paramref name="tenant"/>: its assignment, else the default tier.</summary>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="tier">The tier, when there is one.</param>
    /// <returns><see langword="false"/> when the tenant is unassigned and there is no default tier.</returns>
    public bool TryResolveTier(string tenant, [NotNullWhen(true)] out TierPolicy? tier)
    {
        if (_tenantTiers.TryGetValue(tenant, out tier))
        {
            return true;
        }

        tier = DefaultTier;
        return tier is not null;
    }

    /// <summary>The scheduling settings of <paramref name="workloadClass"/> (defaults when not configured).</summary>
    /// <param name="workloadClass">The class.</param>
    public ClassPolicy GetClass(WorkloadClass workloadClass) => _classes[(int)workloadClass];

    /// <summary>Whether the degradation ladder enables <paramref name="mode"/>.</summary>
    /// <param name="mode">The mode to check.</param>
    public bool Allows(DegradationMode mode) => mode switch
    {
        DegradationMode.Rejected or DegradationMode.Full => true,
        DegradationMode.DraftOnly => AllowsDraftOnly,
        DegradationMode.Queued => AllowsQueueing,
        _ => DegradationLadder.Contains(mode),
    };

    /// <inheritdoc/>
    public override string ToString() => $"QuotaPolicy {Version} ({ContentHash[..12]}, {_tiers.Count} tiers)";

    // Builds the policy from the validator's model of a valid document (every reference resolves, every value is in range).
    private static QuotaPolicy FromModel(PolicyModel model, string hash, string? source)
    {
        var tiers = new Dictionary<string, TierPolicy>(StringComparer.Ordinal);
        foreach (TierModel tier in model.Tiers)
        {
            BurstPolicy? burst = tier.BurstMultiplier is double multiplier && tier.BurstMaxSeconds is double maxSeconds
                ? new BurstPolicy(multiplier, maxSeconds)
                : null;
            EmergencyPolicy? emergency = tier.EmergencyClasses is null
                ? null
                : new EmergencyPolicy(tier.EmergencyClasses.Select(ParseClass).ToArray(), tier.EmergencyDebtMultiplier);
            var categories = new Dictionary<string, CategoryBudget>(StringComparer.Ordinal);
            foreach (CategoryModel budget in tier.Categories)
            {
                var limits = new BucketLimits(
                    budget.Capacity,
                    budget.RefillPerSecond,
                    burstCredits: burst?.CreditsFor(budget.RefillPerSecond) ?? 0,
                    emergencyDebt: emergency is null ? 0 : budget.Capacity * emergency.DebtMultiplier);
                categories.Add(budget.Name, new CategoryBudget(budget.Name, budget.Capacity, budget.RefillPerSecond, limits));
            }

            var tierLimits = tier.MaxIterations is null && tier.MaxToolCalls is null && tier.MaxCostPerRun is null
                && tier.MaxCostPerDay is null && tier.MaxCostPerMonth is null
                ? TierLimits.None
                : new TierLimits(tier.MaxIterations, tier.MaxToolCalls, tier.MaxCostPerRun, tier.MaxCostPerDay, tier.MaxCostPerMonth);
            tiers.Add(tier.Name, new TierPolicy(tier.Name, categories.ToFrozenDictionary(StringComparer.Ordinal), burst, emergency, tierLimits)
            {
                MaxClass = tier.MaxClass is null ? null : ParseClass(tier.MaxClass),
                Principal = tier.Principal is not PrincipalModel p ? null : new PrincipalPolicy(p.Share, p.Capacity, p.RefillPerSecond, p.MaxCostPerDay),
            });
        }

        var tenants = new Dictionary<string, TierPolicy>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> assignment in model.Tenants)
        {
            tenants.Add(assignment.Key, tiers[assignment.Value]);
        }

        var classes = new ClassPolicy[4];
        foreach (WorkloadClass c in Enum.GetValues<WorkloadClass>())
        {
            ClassModel? cm = model.Classes.Find(m => m.Name == c.ToString());
            classes[(int)c] = new ClassPolicy(c, cm?.ReservedShare ?? 0, cm?.MaxQueueWait, cm?.QueueLimit, cm?.WaitBeforeDraft);
        }

        var pools = model.Pools.Select(p => new PoolPolicy(p.Name, p.Concurrency, p.Classes?.Select(ParseClass).ToArray(), p.Privileged)).ToArray();
        DegradationMode[] ladder = model.Degradation is null ? DefaultLadder : model.Degradation.Select(Enum.Parse<DegradationMode>).ToArray();
        AnomalyPolicy? anomaly = model.Anomaly is not AnomalyModel a
            ? null
            : new AnomalyPolicy(a.Factor, a.Window, a.QuarantineTier, a.Interval, a.MinBaseline ?? 0)
            {
                Requests = a.Requests is { } r ? new AnomalySignalPolicy(r.Factor, r.MinBaseline) : null,
                Tokens = a.Tokens is { } t ? new AnomalySignalPolicy(t.Factor, t.MinBaseline) : null,
            };
        CircuitBreakerPolicy breakers = CircuitBreakerPolicy.Defaults;
        if (model.CircuitBreaker is CircuitBreakerModel cb)
        {
            var defaults = new CircuitBreakerSettings(
                cb.FailureThreshold ?? CircuitBreakerPolicy.DefaultFailureThreshold,
                cb.BreakDuration ?? CircuitBreakerPolicy.DefaultBreakDuration);
            breakers = new CircuitBreakerPolicy(
                cb.Enabled,
                defaults,
                cb.Categories.ToFrozenDictionary(
                    c => c.Name,
                    c => new CircuitBreakerSettings(c.FailureThreshold ?? defaults.FailureThreshold, c.BreakDuration ?? defaults.BreakDuration),
                    StringComparer.Ordinal));
        }

        AgingPolicy? aging = model.PromoteAfter is TimeSpan promoteAfter ? new AgingPolicy(promoteAfter) : null;
        TierPolicy? defaultTier = model.DefaultTier is null ? null : tiers[model.DefaultTier];

        var policy = new QuotaPolicy(
            model.Version,
            hash,
            source,
            tiers.ToFrozenDictionary(StringComparer.Ordinal),
            tenants.ToFrozenDictionary(StringComparer.Ordinal),
            defaultTier,
            classes,
            aging,
            pools,
            ladder,
            anomaly,
            breakers);
        policy.SetTools(model.Tools);
        policy.SetTrust(model);
        policy.SetModels(model);
        return policy;
    }

    private static void ThrowIfTooLarge(long bytes, string? source)
    {
        if (PolicySchemaValidator.CheckSize(bytes) is PolicyIssue issue)
        {
            throw new PolicyValidationException([new PolicyError(issue.Kind, issue.Message, issue.Path, issue.Line, issue.Column, source)], source);
        }
    }

    private static WorkloadClass ParseClass(string name) => Enum.Parse<WorkloadClass>(name);
}
