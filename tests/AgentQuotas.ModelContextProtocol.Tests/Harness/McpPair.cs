using System.IO.Pipelines;
using System.Security.Claims;
using AgentQuotas.Integrations.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentQuotas.ModelContextProtocol.Tests.Harness;

/// <summary>
/// A real MCP server with AgentQuotas and a real MCP client, connected in process by pipes. The transport authenticates
/// nothing, so an incoming message filter stands in for an authenticating transport: it sets the request's user to
/// <see cref="Caller"/> (null: anonymous), as ASP.NET Core authentication does for the HTTP transport.
/// </summary>
internal sealed class McpPair : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private McpPair(Fixture fixture, Action<AgentQuotasMcpServerOptions>? configure, bool guarded)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Counters);
        services.AddSingleton(fixture.Gate);
        IMcpServerBuilder builder = services.AddMcpServer()
            .WithStreamServerTransport(_toServer.Reader.AsStream(), _toClient.Writer.AsStream())
            .WithTools<CrmTools>()
            .WithTools([
                McpServerTool.Create((string query) => { Interlocked.Increment(ref Counters.WebSearches); return "web hits for " + query; }, new() { Name = "web_search" }),
                McpServerTool.Create(() => { Interlocked.Increment(ref Counters.Drops); return "dropped"; }, new() { Name = "drop_tables" }),
            ])
            .WithMessageFilters(f => f.AddIncomingFilter(next => (context, ct) =>
            {
                context.User = Caller;
                return next(context, ct);
            }));
        if (guarded)
        {
            builder.AddAgentQuotas(configure);
        }

        _services = services.BuildServiceProvider();
        _serving = _services.GetRequiredService<McpServer>().RunAsync(_stop.Token);
    }

    public static ClaimsPrincipal User(string tenant, string principal) =>
        new(new ClaimsIdentity([new Claim("tenant", tenant), new Claim("sub", principal)], authenticationType: "test"));

    public ToolCounters Counters { get; } = new();

    public ClaimsPrincipal? Caller { get; set; } = User("acme", "user-42");

    public McpClient Client { get; private set; } = null!;

    public static async Task<McpPair> StartAsync(Fixture fixture, Action<AgentQuotasMcpServerOptions>? configure = null, bool guarded = true)
    {
        var pair = new McpPair(fixture, configure, guarded);
        pair.Client = await McpClient.CreateAsync(new StreamClientTransport(pair._toServer.Writer.AsStream(), pair._toClient.Reader.AsStream()))
            .WaitAsync(TimeSpan.FromSeconds(30));
        return pair;
    }

    public Task<CallToolResult> CallAsync(string tool, params (string Name, object? Value)[] arguments) =>
        Client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        _toServer.Writer.Complete();
        await _serving.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _services.DisposeAsync();
        _stop.Dispose();
    }
}
