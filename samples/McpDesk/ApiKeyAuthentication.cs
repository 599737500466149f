using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace McpDesk;

/// <summary>
/// The sample's authentication: a bearer API key names the tenant and the principal (claims <c>tenant</c> and <c>sub</c>,
/// AgentQuotas' default mapping). A real server would validate a token from its identity provider instead; what matters
/// is that the identity comes from authentication, never from a tool argument.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The sample's keys: key, tenant, principal.</summary>
    public static readonly IReadOnlyDictionary<string, (string Tenant, string Principal)> Keys = new Dictionary<string, (string, string)>
    {
        ["acme-key"] = ("acme", "ann"),
        ["globex-key"] = ("globex", "bob"),
    };

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!Keys.TryGetValue(header["Bearer ".Length..], out (string Tenant, string Principal) caller))
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var identity = new ClaimsIdentity([new Claim("tenant", caller.Tenant), new Claim("sub", caller.Principal)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
