using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>A diagnostic to report, as plain values.</summary>
    internal sealed record DiagnosticInfo(DiagnosticKind Kind, LocationInfo? Location, EquatableArray<string> Arguments);
}
