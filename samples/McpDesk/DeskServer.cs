using System.Net;
using AgentQuotas.Audit;
using AgentQuotas.ModelContextProtocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Client;

namespace McpDesk;

/// <summary>
/// The multi-tenant CRM MCP server, on loopback HTTP (127.0.0.1, a free port): API-key authentication names the caller,
/// and <c>.AddAgentQuotas()</c> runs each tools/call in an agent run for that caller, guarded by the tools' annotations.
/// </summary>
public sealed class DeskServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DeskServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The MCP endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>What the tools did.</summary>
    public Ledger Ledger => _app.Services.GetRequiredService<Ledger>();

    /// <summary>The audit trail.</summary>
    public IReadOnlyList<QuotaAuditRecord> AuditTrail => _app.Services.GetRequiredService<InMemoryAuditSink>().Snapshot();

    /// <summary>Starts the server.</summary>
    /// <param name="policyPath">The policy; <c>agentquotas.json</c> beside the executable when <see langword="null"/>.</param>
    /// <param name="time">The gate's clock; the system clock when <see langword="null"/> (tests pass a manual one).</param>
    public static async Task<DeskServer> StartAsync(string? policyPath = null, TimeProvider? time = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<Ledger>();
        builder.Services.AddSingleton<InMemoryAuditSink>();
        builder.Services.AddSingleton<IQuotaAuditSink>(sp => sp.GetRequiredService<InMemoryAuditSink>());
        builder.Services.AddAgentQuotas(policyPath ?? Path.Combine(AppContext.BaseDirectory, "agentquotas.json"), watchPolicyFile: false);
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddMcpServer()
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<CrmTools>()
            .AddAgentQuotas();          // every tools/call: a run for the authenticated caller, guarded; no caller, no call

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.MapMcp("/mcp");             // a real server would also .RequireAuthorization(); the guard refuses anonymous calls either way
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DeskServer(app, new Uri(address + "/mcp"));
    }

    /// <summary>Connects an MCP client with an API key (none: anonymous).</summary>
    /// <param name="apiKey">The caller's key.</param>
    public Task<McpClient> ConnectAsync(string? apiKey)
    {
        var options = new HttpClientTransportOptions { Endpoint = Endpoint, TransportMode = HttpTransportMode.StreamableHttp };
        if (apiKey is not null)
        {
            options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + apiKey };
        }

        return McpClient.CreateAsync(new HttpClientTransport(options));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
