using System.CommandLine;
using AgentQuotas.Audit;
using AgentQuotas.Cli.Dashboard;
using AgentQuotas.Policy;
using Spectre.Console;

namespace AgentQuotas.Cli.Commands;

/// <summary>
/// <c>agentquotas dashboard --policy &lt;file&gt; (--postgres &lt;connection&gt; | --demo) [--host 127.0.0.1] [--port 5299]</c>:
/// serves a live HTML page of per-tenant buckets, queues, pools, anomalies and recent denials on loopback.
/// </summary>
internal static class DashboardCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var policy = new Option<FileInfo>("--policy") { Description = "The policy in force (it names the tenants' tiers and buckets).", Required = true };
        var postgres = new Option<string?>("--postgres") { Description = "Read a PostgreSQL store: its buckets and audit tables (connection string)." };
        var schema = new Option<string>("--schema") { Description = "The PostgreSQL schema.", DefaultValueFactory = _ => Postgres.PostgresSchema.DefaultSchema };
        var demo = new Option<bool>("--demo") { Description = "Show an in-process gate under the policy, fed a little demonstration traffic." };
        var host = new Option<string>("--host") { Description = "Loopback address to bind: localhost, 127.0.0.1 or ::1 (anything else is refused).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to serve on.", DefaultValueFactory = _ => 5299 };
        var poll = new Option<TimeSpan>("--poll") { Description = "How often the page refreshes, e.g. 00:00:02.", DefaultValueFactory = _ => TimeSpan.FromSeconds(2) };
        var command = new Command("dashboard", "Serve a live dashboard (buckets, queues, pools, anomalies, recent denials) on a loopback address until Ctrl+C.")
        {
            policy, postgres, schema, demo, host, port, poll,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            console,
            error,
            parse.GetRequiredValue(policy),
            parse.GetValue(postgres),
            parse.GetRequiredValue(schema),
            parse.GetValue(demo),
            parse.GetRequiredValue(host),
            parse.GetValue(port),
            parse.GetValue(poll),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, TextWriter error, FileInfo policyFile, string? postgres, string schema, bool demo,
        string host, int port, TimeSpan poll, CancellationToken cancellationToken)
    {
        if (!DashboardServer.IsLoopback(host))
        {
            error.WriteLine($"--host '{host}' is not a loopback address: the dashboard has no authentication and shows every tenant's state, " +
                "so it binds to localhost, 127.0.0.1 or ::1 only. To view it from another machine, forward the port over SSH.");
            return ExitCodes.InvalidInput;
        }

        if (port is < 1 or > 65535)
        {
            error.WriteLine($"--port {port} is not a port number (1 to 65535).");
            return ExitCodes.InvalidInput;
        }

        if (poll < TimeSpan.FromMilliseconds(200) || poll > TimeSpan.FromHours(1))
        {
            error.WriteLine($"--poll {poll} is out of range: give 00:00:00.2 to 01:00:00.");
            return ExitCodes.InvalidInput;
        }

        if ((postgres is null) == !demo)
        {
            error.WriteLine("Give exactly one source: --postgres <connection string> to read a PostgreSQL store, or --demo for an in-process gate.");
            return ExitCodes.InvalidInput;
        }

        QuotaPolicy policy;
        try
        {
            policy = QuotaPolicy.Load(policyFile.FullName);
        }
        catch (PolicyValidationException e)
        {
            foreach (PolicyError e2 in e.Errors)
            {
                error.WriteLine($"{policyFile.FullName}({e2.Line},{e2.Column}): error: {e2.Kind} at {e2.Path}: {e2.Message}");
            }

            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Cannot read '{policyFile.FullName}': {e.Message}");
            return ExitCodes.Unavailable;
        }

        QuotaGate? gate = null;
        DashboardSource source;
        try
        {
            if (postgres is not null)
            {
                source = await PostgresDashboardSource.OpenAsync(postgres, schema, policy, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                gate = new QuotaGate(policy, new QuotaGateOptions { AuditSink = new InMemoryAuditSink() });
                DemoTraffic.Run(gate);
                source = DashboardSource.ForGate(gate);
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Postgres.PostgresStoreException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            error.WriteLine($"Cannot open the PostgreSQL store: {e.Message}");
            return ExitCodes.Unavailable;
        }

        await using (source.ConfigureAwait(false))
        {
            DashboardServer server;
            try
            {
                server = DashboardServer.Start(source, host, port, poll);
            }
            catch (System.Net.HttpListenerException e)
            {
                error.WriteLine($"Cannot listen on {host}:{port}: {e.Message}");
                gate?.Dispose();
                return ExitCodes.Unavailable;
            }

            await using (server.ConfigureAwait(false))
            {
                console.MarkupLineInterpolated($"Dashboard on [link]{server.Address}[/] (loopback only; Ctrl+C stops it)");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C
                }
            }
        }

        gate?.Dispose();
        return ExitCodes.Success;
    }
}
