using System.Text.Json.Serialization;

namespace AgentQuotas.Audit;

/// <summary>Source-generated JSON for audit records (one object per line, camelCase, enums as names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QuotaAuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
}
