using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

    /// <summary>Lower-case hex SHA-256 of the policy's bytes: identifies exactly what was reviewed.</summary>
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

        PolicyValidationResult validation = PolicySchemaValidator.Validate(text);
        if (!validation.IsValid)
        {
            throw new PolicyValidationException(
                validation.Issues.Select(i => new PolicyError(i.Kind, i.Message, i.Path, i.Line, i.Column, source)).ToArray(), source);
        }

        PolicyFileDto dto;
        try
        {
            dto = JsonSerializer.Deserialize(text, PolicyJsonContext.Default.PolicyFileDto)
                ?? throw new JsonException("The policy is null.");
        }
        catch (JsonException e)
        {
            // The shared validator accepts exactly what binding accepts; reaching this is a bug, but the
            // caller still gets a located error rather than a crash.
            int line = (int)(e.LineNumber ?? 0) + 1;
            int column = (int)(e.BytePositionInLine ?? 0) + 1;
            throw new PolicyValidationException([new PolicyError(PolicyErrorKind.Syntax, e.Message, e.Path ?? "$", line, column, source)], source);
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(utf8Json));
        try
        {
            return FromDto(dto, hash, source);
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

    /// <summary>Writes the policy back as JSON (normalized: no comments, defaults omitted).</summary>
    public string ToJson() => JsonSerializer.Serialize(ToDto(), PolicyJsonContext.Default.PolicyFileDto);

    /// <inheritdoc/>
    public override string ToString() => $"QuotaPolicy {Version} ({ContentHash[..12]}, {_tiers.Count} tiers)";

    private static QuotaPolicy FromDto(PolicyFileDto dto, string hash, string? source)
    {
        var tiers = new Dictionary<string, TierPolicy>(StringComparer.Ordinal);
        foreach ((string name, TierDto tier) in dto.Tiers)
        {
            BurstPolicy? burst = tier.Burst is null ? null : new BurstPolicy(tier.Burst.Multiplier, tier.Burst.MaxSeconds);
            EmergencyPolicy? emergency = tier.Emergency is null
                ? null
                : new EmergencyPolicy(tier.Emergency.Classes.Select(ParseClass).ToArray(), tier.Emergency.DebtMultiplier ?? 1d);
            var categories = new Dictionary<string, CategoryBudget>(StringComparer.Ordinal);
            foreach ((string category, CategoryDto budget) in tier.Categories)
            {
                var limits = new BucketLimits(
                    budget.Capacity,
                    budget.RefillPerSecond,
                    burstCredits: burst?.CreditsFor(budget.RefillPerSecond) ?? 0,
                    emergencyDebt: emergency is null ? 0 : budget.Capacity * emergency.DebtMultiplier);
                categories.Add(category, new CategoryBudget(category, budget.Capacity, budget.RefillPerSecond, limits));
            }

            LimitsDto? l = tier.Limits;
            var tierLimits = l is null ? TierLimits.None : new TierLimits(l.MaxIterations, l.MaxToolCalls, l.MaxCostPerRun, l.MaxCostPerDay, l.MaxCostPerMonth);
            tiers.Add(name, new TierPolicy(name, categories.ToFrozenDictionary(StringComparer.Ordinal), burst, emergency, tierLimits));
        }

        var tenants = new Dictionary<string, TierPolicy>(StringComparer.Ordinal);
        foreach ((string tenant, TenantDto assignment) in dto.Tenants ?? [])
        {
            tenants.Add(tenant, tiers[assignment.Tier]);
        }

        var classes = new ClassPolicy[4];
        foreach (WorkloadClass c in Enum.GetValues<WorkloadClass>())
        {
            ClassDto? cd = dto.Classes?.GetValueOrDefault(c.ToString());
            classes[(int)c] = new ClassPolicy(c, cd?.ReservedShare ?? 0, ParseDuration(cd?.MaxQueueWait), cd?.QueueLimit);
        }

        var pools = (dto.Pools ?? [])
            .Select(p => new PoolPolicy(p.Key, p.Value.Concurrency, p.Value.Classes?.Select(ParseClass).ToArray()))
            .ToArray();
        DegradationMode[] ladder = dto.Degradation is null ? DefaultLadder : dto.Degradation.Select(Enum.Parse<DegradationMode>).ToArray();
        AnomalyPolicy? anomaly = dto.Anomaly is null
            ? null
            : new AnomalyPolicy(dto.Anomaly.Factor, ParseDuration(dto.Anomaly.Window)!.Value, dto.Anomaly.QuarantineTier,
                ParseDuration(dto.Anomaly.Interval), dto.Anomaly.MinBaseline ?? 0);
        CircuitBreakerPolicy breakers = CircuitBreakerPolicy.Defaults;
        if (dto.CircuitBreaker is CircuitBreakerDto cb)
        {
            var defaults = new CircuitBreakerSettings(
                cb.FailureThreshold ?? CircuitBreakerPolicy.DefaultFailureThreshold,
                ParseDuration(cb.BreakDuration) ?? CircuitBreakerPolicy.DefaultBreakDuration);
            breakers = new CircuitBreakerPolicy(
                cb.Enabled ?? true,
                defaults,
                (cb.Categories ?? []).ToFrozenDictionary(
                    c => c.Key,
                    c => new CircuitBreakerSettings(c.Value.FailureThreshold ?? defaults.FailureThreshold, ParseDuration(c.Value.BreakDuration) ?? defaults.BreakDuration),
                    StringComparer.Ordinal));
        }

        AgingPolicy? aging = dto.Aging is null ? null : new AgingPolicy(ParseDuration(dto.Aging.PromoteAfter)!.Value);
        TierPolicy? defaultTier = dto.DefaultTier is null ? null : tiers[dto.DefaultTier];

        var policy = new QuotaPolicy(
            dto.Version,
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
        policy.SetTools(dto.Tools);
        return policy;
    }

    private PolicyFileDto ToDto()
    {
        static string Duration(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
        return new PolicyFileDto
        {
            Version = Version,
            Tiers = _tiers.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToDictionary(
                t => t.Name,
                t => new TierDto
                {
                    Categories = t.Categories.Values.OrderBy(c => c.Category, StringComparer.Ordinal).ToDictionary(
                        c => c.Category,
                        c => new CategoryDto { Capacity = c.Capacity, RefillPerSecond = c.RefillPerSecond }),
                    Burst = t.Burst is null ? null : new BurstDto { Multiplier = t.Burst.Multiplier, MaxSeconds = t.Burst.MaxSeconds },
                    Emergency = t.Emergency is null ? null : new EmergencyDto
                    {
                        Classes = t.Emergency.Classes.Select(c => c.ToString()).ToList(),
                        DebtMultiplier = t.Emergency.DebtMultiplier,
                    },
                    Limits = t.Limits == TierLimits.None ? null : new LimitsDto
                    {
                        MaxIterations = t.Limits.MaxIterations,
                        MaxToolCalls = t.Limits.MaxToolCalls,
                        MaxCostPerRun = t.Limits.MaxCostPerRun,
                        MaxCostPerDay = t.Limits.MaxCostPerDay,
                        MaxCostPerMonth = t.Limits.MaxCostPerMonth,
                    },
                },
                StringComparer.Ordinal),
            Tenants = _tenantTiers.Count == 0 ? null : _tenantTiers.OrderBy(t => t.Key, StringComparer.Ordinal)
                .ToDictionary(t => t.Key, t => new TenantDto { Tier = t.Value.Name }, StringComparer.Ordinal),
            DefaultTier = DefaultTier?.Name,
            Classes = _classes.Where(c => c.ReservedShare > 0 || c.MaxQueueWait is not null || c.QueueLimit is not null).ToDictionary(
                c => c.Class.ToString(),
                c => new ClassDto
                {
                    ReservedShare = c.ReservedShare > 0 ? c.ReservedShare : null,
                    MaxQueueWait = c.MaxQueueWait is TimeSpan w ? Duration(w) : null,
                    QueueLimit = c.QueueLimit,
                }),
            Aging = Aging is null ? null : new AgingDto { PromoteAfter = Duration(Aging.PromoteAfter) },
            Pools = Pools.Count == 0 ? null : Pools.ToDictionary(
                p => p.Name,
                p => new PoolDto { Concurrency = p.Concurrency, Classes = p.Classes?.Select(c => c.ToString()).ToList() }),
            Degradation = DegradationLadder.Select(m => m.ToString()).ToList(),
            Anomaly = Anomaly is null ? null : new AnomalyDto
            {
                Factor = Anomaly.Factor,
                Window = Duration(Anomaly.Window),
                QuarantineTier = Anomaly.QuarantineTier,
                Interval = Duration(Anomaly.Interval),
                MinBaseline = Anomaly.MinBaseline > 0 ? Anomaly.MinBaseline : null,
            },
            CircuitBreaker = ReferenceEquals(CircuitBreakers, CircuitBreakerPolicy.Defaults) ? null : new CircuitBreakerDto
            {
                Enabled = CircuitBreakers.Enabled ? null : false,
                FailureThreshold = CircuitBreakers.Default.FailureThreshold,
                BreakDuration = Duration(CircuitBreakers.Default.BreakDuration),
                Categories = CircuitBreakers.Categories.Count == 0 ? null : CircuitBreakers.Categories.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(
                    c => c.Key,
                    c => new CircuitBreakerCategoryDto { FailureThreshold = c.Value.FailureThreshold, BreakDuration = Duration(c.Value.BreakDuration) },
                    StringComparer.Ordinal),
            },
            Tools = ToolsDto(),
        };
    }

    private static void ThrowIfTooLarge(long bytes, string? source)
    {
        if (PolicySchemaValidator.CheckSize(bytes) is PolicyIssue issue)
        {
            throw new PolicyValidationException([new PolicyError(issue.Kind, issue.Message, issue.Path, issue.Line, issue.Column, source)], source);
        }
    }

    private static WorkloadClass ParseClass(string name) => Enum.Parse<WorkloadClass>(name);

    private static TimeSpan? ParseDuration(string? text) =>
        text is null ? null : TimeSpan.ParseExact(text, "c", CultureInfo.InvariantCulture);
}
