using System.Net;
using System.Text;
using System.Text.Json;

namespace AgentQuotas.Cli.Dashboard;

/// <summary>
/// Serves the live dashboard on a loopback address: <c>/</c> is the page (with the first snapshot inlined, so it
/// shows data on first paint), <c>/api/snapshot</c> the JSON it polls. The page has no authentication, so any
/// address other than loopback is refused.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpListener _listener = new();
    private readonly DashboardSource _source;
    private readonly TimeSpan _poll;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private DashboardServer(DashboardSource source, Uri address, TimeSpan poll)
    {
        _source = source;
        Address = address;
        _poll = poll;
    }

    /// <summary>The page's address.</summary>
    public Uri Address { get; }

    /// <summary>Whether <paramref name="host"/> names a loopback address (<c>localhost</c>, 127.0.0.0/8, <c>::1</c>).</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip));

    /// <summary>Starts serving; throws <see cref="ArgumentException"/> for a host that is not loopback.</summary>
    public static DashboardServer Start(DashboardSource source, string host, int port, TimeSpan poll)
    {
        if (!IsLoopback(host))
        {
            throw new ArgumentException(
                $"The dashboard binds to loopback only (localhost, 127.0.0.1 or ::1), not '{host}': it has no authentication and shows every tenant's state. " +
                "To view it from another machine, forward the port over SSH.", nameof(host));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        string authority = IPAddress.TryParse(host, out IPAddress? ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ip + "]" : host;
        var server = new DashboardServer(source, new Uri($"http://{authority}:{port}/"), poll);
        server._listener.Prefixes.Add(server.Address.AbsoluteUri);
        server._listener.Start();
        server._loop = server.ServeAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopping the listener ends the pending GetContextAsync.
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context = await _listener.GetContextAsync().ConfigureAwait(false);
            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            string path = context.Request.Url?.AbsolutePath ?? "/";
            if (context.Request.HttpMethod != "GET")
            {
                response.StatusCode = 405;
            }
            else if (path == "/api/snapshot")
            {
                await WriteAsync(response, "application/json; charset=utf-8", await SnapshotJsonAsync().ConfigureAwait(false)).ConfigureAwait(false);
            }
            else if (path == "/")
            {
                string page = DashboardPage.Render(await SnapshotJsonAsync().ConfigureAwait(false), _poll);
                await WriteAsync(response, "text/html; charset=utf-8", page).ConfigureAwait(false);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A source that cannot be read (PostgreSQL down) is shown as an error, and the page keeps polling.
            response.StatusCode = 503;
            await WriteAsync(response, "text/plain; charset=utf-8", "The dashboard's source could not be read: " + e.Message).ConfigureAwait(false);
        }
        finally
        {
            response.Close();
        }
    }

    private async Task<string> SnapshotJsonAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        DashboardSnapshot snapshot = await _source.ReadAsync(timeout.Token).ConfigureAwait(false);
        return JsonSerializer.Serialize(snapshot, Json);
    }

    private static async Task WriteAsync(HttpListenerResponse response, string contentType, string body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.Headers["Cache-Control"] = "no-store";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }
}
