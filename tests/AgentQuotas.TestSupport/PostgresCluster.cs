using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace AgentQuotas.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb in a fresh temp directory, a server on a free loopback port
/// (and a socket in the same directory), removed on dispose. As root (CI), the server runs as an
/// unprivileged system user, created if missing, because initdb and postgres refuse to run as root.
/// A watchdog process stops the server and removes the directory if the test process dies first.
/// Every wait is bounded. Tests run it without durability (fsync off); the benchmarks use it too and
/// start it with PostgreSQL's default durability.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string ServiceUser = "agentquotas_pg";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly bool _asRoot;
    private Process? _watchdog;
    private readonly int _maxPoolSize;
    private int _databases;

    private PostgresCluster(string bin, string directory, int port, bool asRoot, int maxPoolSize)
    {
        _bin = bin;
        _maxPoolSize = maxPoolSize;
        Directory = directory;
        Port = port;
        _asRoot = asRoot;
    }

    /// <summary>The cluster's temp directory (data, socket, log).</summary>
    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public int Port { get; }

    public bool IsRunning { get; private set; }

    /// <summary>A superuser connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres", string user = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Database = database,
            Timeout = 5,
            MaxPoolSize = _maxPoolSize,
        }.ConnectionString;

    /// <summary>Creates and starts a cluster.</summary>
    /// <param name="durable">fsync and full_page_writes on (PostgreSQL's defaults) rather than off.</param>
    /// <param name="maxPoolSize">The connection pool size of <see cref="ConnectionString"/>.</param>
    public static async Task<PostgresCluster> StartAsync(bool durable = false, int maxPoolSize = 40)
    {
        string bin = FindBinaries();
        bool asRoot = Environment.UserName == "root" || geteuid() == 0;
        if (asRoot)
        {
            await EnsureServiceUserAsync().ConfigureAwait(false);
        }

        // Short path: the socket path must stay under ~100 characters.
        string directory = Path.Combine("/tmp", "aqpg-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        var cluster = new PostgresCluster(bin, directory, FreePort(), asRoot, maxPoolSize);
        try
        {
            if (asRoot)
            {
                await RunAsync("chown", [ServiceUser, directory]).ConfigureAwait(false);
            }

            await cluster.RunPgAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]).ConfigureAwait(false);
            string conf = $"""

                listen_addresses = '127.0.0.1'
                port = {cluster.Port}
                unix_socket_directories = '{directory}'
                max_connections = 300
                shared_buffers = 64MB
                fsync = {(durable ? "on" : "off")}
                full_page_writes = {(durable ? "on" : "off")}
                log_min_messages = warning
                """;
            await File.AppendAllTextAsync(Path.Combine(cluster.DataDirectory, "postgresql.conf"), conf).ConfigureAwait(false);
            cluster.StartWatchdog();
            await cluster.StartServerAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "start"]).ConfigureAwait(false);
        IsRunning = true;
    }

    /// <summary>Stops the server: fast mode ends sessions and shuts down cleanly (everything committed is on disk).</summary>
    public async Task StopServerAsync(string mode = "fast")
    {
        IsRunning = false;
        await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"]).ConfigureAwait(false);
    }

    /// <summary>Creates a fresh database and returns a superuser connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        string name = (prefix.ToLowerInvariant() + "_" + Interlocked.Increment(ref _databases)).Replace('.', '_');
        if (name.Length > 60)
        {
            name = name[^60..];
        }

        await using var connection = new NpgsqlConnection(Unpooled(ConnectionString()));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Runs SQL as the superuser in <paramref name="connectionString"/>'s database.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    /// <summary>The database clock, in 100 ns ticks since the Unix epoch (as the store counts).</summary>
    public static Task<long> DatabaseTicksAsync(string connectionString) =>
        ScalarAsync<long>(connectionString, "SELECT (extract(epoch FROM clock_timestamp()) * 10000000)::bigint");

    // Test helpers open a fresh connection each time, so a restarted server never hands them a dead pooled one.
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                try
                {
                    await StopServerAsync("fast").ConfigureAwait(false);
                }
                catch (Exception)
                {
                    await StopServerAsync("immediate").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (_watchdog is { HasExited: false })
            {
                _watchdog.Kill(entireProcessTree: true);
            }

            _watchdog?.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        string? configured = Environment.GetEnvironmentVariable("AGENTQUOTAS_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            string? newest = System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. Install them " +
            "(apt-get install postgresql; .ci/setup.sh does it) or set AGENTQUOTAS_PG_BIN to their directory.");
    }

    private static async Task EnsureServiceUserAsync()
    {
        (int code, _) = await TryRunAsync("id", ["-u", ServiceUser]).ConfigureAwait(false);
        if (code != 0)
        {
            (int created, string output) = await TryRunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ServiceUser]).ConfigureAwait(false);
            if (created != 0 && created != 9) // 9: created meanwhile by a parallel run
            {
                throw new InvalidOperationException($"Could not create the system user '{ServiceUser}' to run PostgreSQL as: {output}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // If this process dies without disposing, stop the server and remove the directory anyway.
    private void StartWatchdog()
    {
        string stop = (_asRoot ? $"runuser -u {ServiceUser} -- " : "") + $"'{_bin}/pg_ctl' -D '{DataDirectory}' -m immediate -w -t 30 stop";
        string script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 2; done; {stop} >/dev/null 2>&1; rm -rf '{Directory}'";
        var start = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _watchdog = Process.Start(start);
    }

    private Task RunPgAsync(string tool, string[] arguments)
    {
        string path = Path.Combine(_bin, tool);
        return _asRoot
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        (int code, string output) = await TryRunAsync(file, arguments).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {code}:\n{output}");
        }
    }

    private static async Task<(int Code, string Output)> TryRunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{file}'.");
        var output = new StringBuilder();
        Task stdout = process.StandardOutput.ReadToEndAsync().ContinueWith(t => { lock (output) { output.Append(t.Result); } }, TaskScheduler.Default);
        Task stderr = process.StandardError.ReadToEndAsync().ContinueWith(t => { lock (output) { output.Append(t.Result); } }, TaskScheduler.Default);
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', arguments)}' did not finish within {CommandTimeout}.");
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        return (process.ExitCode, output.ToString());
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
