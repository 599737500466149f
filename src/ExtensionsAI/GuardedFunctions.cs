using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

internal static class GuardedFunctions
{
    private const string GeneratedNamespace = "AgentQuotas.Generated";

    /// <summary>
    /// Whether invoking <paramref name="function"/> already goes through the guard: it (or a function it delegates to)
    /// is an <see cref="IGuardedTool"/>, or it is a generated AIFunction (which guards itself).
    /// </summary>
    public static bool IsGuarded(AIFunction function) =>
        function.GetService(typeof(IGuardedTool)) is not null
        || string.Equals(function.GetType().Namespace, GeneratedNamespace, StringComparison.Ordinal);
}
