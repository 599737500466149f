using System.Globalization;
using TelemetrySample;

// dotnet run --project samples/Telemetry [-- --port 9464 --seconds 60]
// Serves the gate's metrics on http://127.0.0.1:<port>/metrics (loopback only) until Ctrl+C or --seconds pass.
int port = 9464;
int? seconds = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is > 0 and < 65536:
            port = p;
            i++;
            break;
        case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0:
            seconds = s;
            i++;
            break;
        default:
            Console.Error.WriteLine($"Unknown or invalid argument '{args[i]}'. Usage: Telemetry [--port <1-65535>] [--seconds <n>]");
            return 2;
    }
}

await using TelemetryDemo demo = await TelemetryDemo.StartAsync(Path.Combine(AppContext.BaseDirectory, "agentquotas.json"), port);
Console.WriteLine($"Serving AgentQuotas metrics on {demo.ScrapeUri} (loopback only). Import docs/dashboards/agentquotas.grafana.json into Grafana.");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
try
{
    await Task.Delay(seconds is int n ? TimeSpan.FromSeconds(n) : Timeout.InfiniteTimeSpan, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C
}

return 0;
