using AgentQuotas.Generators.Helpers;

namespace AgentQuotas.Generators.Models
{
    /// <summary>One call to a guarded or loop method: the method and where to intercept it, and any problem found (then no location).</summary>
    internal sealed record CallSiteModel(string FileHint, MethodModel? Method, InterceptLocationModel? Location, EquatableArray<DiagnosticInfo> Diagnostics);
}
