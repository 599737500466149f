using System.Security.Claims;
using AgentQuotas.Tools;

namespace AgentQuotas.ModelContextProtocol;

/// <summary>Options of <see cref="AgentQuotasMcpServerBuilderExtensions.AddAgentQuotas"/>. Validated when the server is configured.</summary>
/// <remarks>
/// Who a tools/call request runs for comes only from the request's authenticated user (<c>RequestContext.User</c>, which the
/// HTTP transport fills from ASP.NET Core authentication): by default the tenant is the first of <see cref="TenantClaimTypes"/>
/// the user has and the principal the first of <see cref="PrincipalClaimTypes"/>; <see cref="IdentityMapper"/> replaces that
/// mapping. A request without an authenticated user, or whose user lacks either claim, is refused. Tool arguments are never
/// read for identity.
/// </remarks>
public sealed class AgentQuotasMcpServerOptions
{
    /// <summary>The gate runs are opened on; default the <see cref="QuotaGate"/> registered in the server's services (<c>services.AddAgentQuotas(policyPath)</c>).</summary>
    public QuotaGate? Gate { get; set; }

    /// <summary>Claim types read for the tenant, first match wins. Default <c>tenant</c>, then <c>tid</c> (Microsoft Entra ID's tenant id).</summary>
    public IList<string> TenantClaimTypes { get; } = ["tenant", "tid"];

    /// <summary>Claim types read for the principal, first match wins. Default <c>sub</c>, then <see cref="ClaimTypes.NameIdentifier"/>.</summary>
    public IList<string> PrincipalClaimTypes { get; } = ["sub", ClaimTypes.NameIdentifier];

    /// <summary>
    /// Maps the authenticated user to the run's identity instead of <see cref="TenantClaimTypes"/> and
    /// <see cref="PrincipalClaimTypes"/>; return <see langword="null"/> to refuse the request. Called only for an
    /// authenticated user.
    /// </summary>
    public Func<ClaimsPrincipal, AgentIdentity?>? IdentityMapper { get; set; }

    /// <summary>The workload class of each request's run. Default <see cref="WorkloadClass.Standard"/>.</summary>
    public WorkloadClass WorkloadClass { get; set; } = WorkloadClass.Standard;

    /// <summary>The workflow name of each request's run, for audit and the policy's workflows. Default <c>mcp</c>.</summary>
    public string Workflow { get; set; } = "mcp";

    /// <summary>Caps of each request's run (tightened by the tier's limits); <see langword="null"/> for none of its own.</summary>
    public RunLimits? Limits { get; set; }

    /// <summary>Where annotated tools are looked up. Default <see cref="ToolRegistry.Default"/>, which generated code fills.</summary>
    public ToolRegistry Registry { get; set; } = ToolRegistry.Default;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Registry, nameof(Registry));
        ArgumentException.ThrowIfNullOrWhiteSpace(Workflow, nameof(Workflow));
        if (!Enum.IsDefined(WorkloadClass))
        {
            throw new ArgumentOutOfRangeException(nameof(WorkloadClass), WorkloadClass, "Unknown workload class.");
        }

        if (IdentityMapper is null && (TenantClaimTypes.Count == 0 || PrincipalClaimTypes.Count == 0 ||
            TenantClaimTypes.Concat(PrincipalClaimTypes).Any(string.IsNullOrWhiteSpace)))
        {
            throw new ArgumentException("TenantClaimTypes and PrincipalClaimTypes each need at least one claim type (or set IdentityMapper).", nameof(TenantClaimTypes));
        }
    }

    internal AgentIdentity? Identify(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true })
        {
            return null;
        }

        if (IdentityMapper is not null)
        {
            return IdentityMapper(user);
        }

        string? tenant = First(user, TenantClaimTypes);
        string? principal = First(user, PrincipalClaimTypes);
        return tenant is null || principal is null ? null : new AgentIdentity(tenant, principal);
    }

    private static string? First(ClaimsPrincipal user, IList<string> types)
    {
        foreach (string type in types)
        {
            if (user.FindFirst(type)?.Value is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return null;
    }
}
