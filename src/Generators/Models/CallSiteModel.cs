namespace AgentQuotas.Generators.Models
{
    /// <summary>One call to a guarded or loop method: the method and where to intercept it, or why it cannot be.</summary>
    internal sealed record CallSiteModel(string FileHint, MethodModel? Method, InterceptLocationModel? Location, DiagnosticInfo? Diagnostic);
}
