using System.Text.Json.Serialization;

namespace AgentQuotas.Policy;

// The agentquotas.json document as System.Text.Json binds it (through PolicyJsonContext, a
// source-generated context). Validation happens before binding, against the shared schema, so these
// types only carry values; the immutable public model is built from them.

internal sealed class PolicyFileDto
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; set; }

    public string Version { get; set; } = "";

    public Dictionary<string, TierDto> Tiers { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, TenantDto>? Tenants { get; set; }

    public string? DefaultTier { get; set; }

    public Dictionary<string, ClassDto>? Classes { get; set; }

    public AgingDto? Aging { get; set; }

    public Dictionary<string, PoolDto>? Pools { get; set; }

    public List<string>? Degradation { get; set; }

    public AnomalyDto? Anomaly { get; set; }

    public CircuitBreakerDto? CircuitBreaker { get; set; }

    public Dictionary<string, ToolDto>? Tools { get; set; }
}

internal sealed class TierDto
{
    public Dictionary<string, CategoryDto> Categories { get; set; } = new(StringComparer.Ordinal);

    public BurstDto? Burst { get; set; }

    public EmergencyDto? Emergency { get; set; }

    public LimitsDto? Limits { get; set; }
}

internal sealed class CategoryDto
{
    public double Capacity { get; set; }

    public double RefillPerSecond { get; set; }
}

internal sealed class BurstDto
{
    public double Multiplier { get; set; }

    public double MaxSeconds { get; set; }
}

internal sealed class EmergencyDto
{
    public List<string> Classes { get; set; } = [];

    public double? DebtMultiplier { get; set; }
}

internal sealed class LimitsDto
{
    public int? MaxIterations { get; set; }

    public int? MaxToolCalls { get; set; }

    public double? MaxCostPerRun { get; set; }

    public double? MaxCostPerDay { get; set; }

    public double? MaxCostPerMonth { get; set; }
}

internal sealed class TenantDto
{
    public string Tier { get; set; } = "";
}

internal sealed class ClassDto
{
    public double? ReservedShare { get; set; }

    public string? MaxQueueWait { get; set; }

    public int? QueueLimit { get; set; }
}

internal sealed class AgingDto
{
    public string PromoteAfter { get; set; } = "";
}

internal sealed class PoolDto
{
    public int Concurrency { get; set; }

    public List<string>? Classes { get; set; }
}

internal sealed class AnomalyDto
{
    public double Factor { get; set; }

    public string Window { get; set; } = "";

    public string? QuarantineTier { get; set; }

    public string? Interval { get; set; }

    public double? MinBaseline { get; set; }
}

internal sealed class CircuitBreakerDto
{
    public bool? Enabled { get; set; }

    public int? FailureThreshold { get; set; }

    public string? BreakDuration { get; set; }

    public Dictionary<string, CircuitBreakerCategoryDto>? Categories { get; set; }
}

internal sealed class CircuitBreakerCategoryDto
{
    public int? FailureThreshold { get; set; }

    public string? BreakDuration { get; set; }
}

internal sealed class ToolDto
{
    public string Category { get; set; } = "";

    public double Cost { get; set; }

    public bool? Privileged { get; set; }

    public bool? RequiresApproval { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyFileDto))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext
{
}
