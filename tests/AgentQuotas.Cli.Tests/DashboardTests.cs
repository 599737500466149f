using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentQuotas.Audit;
using AgentQuotas.Cli.Dashboard;
using AgentQuotas.Policy;
using AgentQuotas.Postgres;
using AgentQuotas.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentQuotas.Cli.Tests;

public class DashboardTests
{
    private const string Policy = """
        {
          "version": "dash-1",
          "tiers": {
            "standard":   { "categories": { "search": { "capacity": 10, "refillPerSecond": 1 } } },
            "quarantine": { "categories": { "search": { "capacity": 1, "refillPerSecond": 0.01 } } }
          },
          "defaultTier": "standard",
          "pools": { "shared": { "concurrency": 2 } },
          "anomaly": { "factor": 3, "window": "00:01:00", "interval": "00:00:10", "quarantineTier": "quarantine" }
        }
        """;

    private static readonly QuotaTool Search = new("search_kb", "search");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // acme: a full pool and a call waiting for a slot; globex: its bucket spent, a call queued for units and a denial;
    // initech: flagged by the spend anomaly detector.
    private static (QuotaGate Gate, List<Task> Waiting) Scenario(FakeTimeProvider time)
    {
        var gate = new QuotaGate(QuotaPolicy.Parse(Policy), new QuotaGateOptions { TimeProvider = time, AuditSink = new InMemoryAuditSink() });
        var initech = new AgentIdentity("initech", "u");
        for (int i = 0; i < 6; i++)
        {
            gate.TryAcquire(new QuotaRequest(initech, Search, 1));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.True(gate.TryAcquire(new QuotaRequest(initech, Search, 4)).IsAdmitted); // 4x its baseline of 1: flagged
        Assert.True(gate.Anomalies.IsFlagged("initech"));

        AgentRun acme = gate.BeginRun(new AgentIdentity("acme", "u"), WorkloadClass.High);
        Assert.True(acme.Acquire(Search, 1).IsAdmitted);
        Assert.True(acme.Acquire(Search, 1).IsAdmitted);        // the pool's two slots held
        var waiting = new List<Task> { acme.AcquireAsync(Search, 1).AsTask() };

        var globex = new AgentIdentity("globex", "u");
        Assert.True(gate.TryAcquire(new QuotaRequest(globex, Search, 10)).IsAdmitted);
        Assert.False(gate.TryAcquire(new QuotaRequest(globex, Search, 20)).IsAdmitted); // more than the bucket holds
        waiting.Add(gate.AcquireAsync(new QuotaRequest(globex, Search, 2, WorkloadClass.Batch)).AsTask());
        return (gate, waiting);
    }

    [Fact]
    public async Task The_snapshot_endpoint_serves_buckets_queues_pools_anomalies_and_denials_from_an_in_process_gate()
    {
        FakeTimeProvider time = TestTime.Create();
        (QuotaGate gate, _) = Scenario(time);
        using (gate)
        {
            await using DashboardSource source = DashboardSource.ForGate(gate);
            await using DashboardServer server = DashboardServer.Start(source, "127.0.0.1", FreeLoopbackPort(), TimeSpan.FromSeconds(1));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            using JsonDocument first = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Address, "api/snapshot")));
            JsonElement s = first.RootElement;
            Assert.Equal("gate", s.GetProperty("source").GetString());
            Assert.Equal(["acme", "globex", "initech"], s.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("tenant").GetString()));
            JsonElement globex = s.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("tenant").GetString() == "globex");
            Assert.Equal(1, globex.GetProperty("queued").GetInt32());
            JsonElement batch = s.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("class").GetString() == "Batch");
            Assert.Equal(1, batch.GetProperty("inBucketQueues").GetInt32());
            JsonElement high = s.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("class").GetString() == "High");
            Assert.Equal(1, high.GetProperty("inPoolQueues").GetInt32());
            JsonElement pool = Assert.Single(s.GetProperty("pools").EnumerateArray());
            Assert.Equal((2, 2), (pool.GetProperty("inUse").GetInt32(), pool.GetProperty("concurrency").GetInt32()));
            Assert.Equal("initech", Assert.Single(s.GetProperty("anomalies").EnumerateArray()).GetProperty("tenant").GetString());
            Assert.Contains(s.GetProperty("denials").EnumerateArray(), d => d.GetProperty("tenant").GetString() == "globex" && d.GetProperty("reason").GetString() == "CostExceedsCapacity");

            // Live: the next poll sees what changed since.
            gate.Anomalies.Clear("initech");
            using JsonDocument second = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Address, "api/snapshot")));
            Assert.Empty(second.RootElement.GetProperty("anomalies").EnumerateArray());
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("example.com")]
    [InlineData("::")]
    public async Task A_non_loopback_bind_is_refused_with_a_clear_error(string host)
    {
        using var dir = new TempDir();
        string policy = dir.File("agentquotas.json", Policy);

        (int exit, _, string err) = await CliHarness.RunAsync("dashboard", "--policy", policy, "--demo", "--host", host);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains($"--host '{host}' is not a loopback address", err);
        Assert.Throws<ArgumentException>(() => DashboardServer.Start(DashboardSource.ForGate(new QuotaGate(QuotaPolicy.Parse(Policy))), host, 5299, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task The_command_needs_exactly_one_source()
    {
        using var dir = new TempDir();
        string policy = dir.File("agentquotas.json", Policy);

        (int exit, _, string err) = await CliHarness.RunAsync("dashboard", "--policy", policy);
        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("Give exactly one source", err);
        (exit, _, err) = await CliHarness.RunAsync("dashboard", "--policy", policy, "--demo", "--postgres", "Host=127.0.0.1");
        Assert.Equal(ExitCodes.InvalidInput, exit);
    }

    [Fact]
    public async Task The_page_renders_tenants_queues_pools_anomalies_and_denials_in_headless_chromium()
    {
        FakeTimeProvider time = TestTime.Create();
        (QuotaGate gate, _) = Scenario(time);
        using (gate)
        {
            await using DashboardSource source = DashboardSource.ForGate(gate);
            await using DashboardServer server = DashboardServer.Start(source, "127.0.0.1", FreeLoopbackPort(), TimeSpan.FromSeconds(1));

            // The DOM after the page's script ran (the first snapshot is inlined; the poll replaces it with the same).
            string dom = await DumpDomAsync(server.Address);
            foreach (string expected in new[]
            {
                "<td>acme</td>", "<td>globex</td>", "<td>initech</td>",                        // tenants and buckets
                "<td>Batch</td>", "<td>High</td>",                                              // queues by class
                "<td>shared</td>", "2 / 2",                                                     // pools
                "<tr class=\"flagged\"><td>initech</td>",                                       // anomalies
                "<td>CostExceedsCapacity</td>",                                                 // recent denials
            })
            {
                Assert.Contains(expected, dom);
            }

            Assert.Contains("source: gate", dom);                                              // the status line, not an error
            Assert.DoesNotContain("<div id=\"status\" class=\"error\"", dom);

            PngImage shot = await ScreenshotAsync(server.Address, 1400, 900);
            int bucketBars = 0, poolBars = 0, queueBars = 0, flagged = 0;
            for (int y = 0; y < shot.Height; y++)
            {
                for (int x = 0; x < shot.Width; x++)
                {
                    var (r, g, b) = shot[x, y];
                    if (Near(r, g, b, 0x2f, 0x7e, 0xd8)) bucketBars++;
                    if (Near(r, g, b, 0x8e, 0x44, 0xad)) poolBars++;
                    if (Near(r, g, b, 0xe6, 0x7e, 0x22)) queueBars++;
                    if (Near(r, g, b, 0xfd, 0xe2, 0xe2)) flagged++;
                }
            }

            Assert.True(bucketBars > 200, $"bucket level bars are not visible ({bucketBars} pixels)");
            Assert.True(poolBars > 200, $"the pool's occupancy bar is not visible ({poolBars} pixels)");
            Assert.True(queueBars > 200, $"the queue bars are not visible ({queueBars} pixels)");
            Assert.True(flagged > 500, $"the flagged tenant's rows are not highlighted ({flagged} pixels)");
        }
    }

    private static bool Near(int r, int g, int b, int er, int eg, int eb) => Math.Abs(r - er) < 12 && Math.Abs(g - eg) < 12 && Math.Abs(b - eb) < 12;

    private static async Task<string> DumpDomAsync(Uri page)
    {
        string profile = Directory.CreateTempSubdirectory("aq-chromium").FullName;
        try
        {
            (string stdout, _) = await RunChromiumAsync(profile, "--virtual-time-budget=3000", "--dump-dom", page.AbsoluteUri);
            return stdout;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static async Task<PngImage> ScreenshotAsync(Uri page, int width, int height)
    {
        string profile = Directory.CreateTempSubdirectory("aq-chromium").FullName;
        string png = Path.Combine(profile, "shot.png");
        try
        {
            (string stdout, string stderr) = await RunChromiumAsync(profile, $"--window-size={width},{height}", "--screenshot=" + png, page.AbsoluteUri);
            Assert.True(File.Exists(png), "Chromium wrote no screenshot: " + stderr + stdout);
            return PngImage.Decode(await File.ReadAllBytesAsync(png));
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    private static async Task<(string Out, string Err)> RunChromiumAsync(string profile, params string[] args)
    {
        var start = new ProcessStartInfo(HeadlessBrowser.FindChromium()) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
        }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (await stdout, await stderr);
    }
}

public class PostgresDashboardTests
{
    [Fact]
    public async Task The_postgres_source_reads_buckets_anomalies_and_denials_from_the_tables_and_shows_no_queues()
    {
        await using PostgresCluster cluster = await PostgresCluster.StartAsync();
        string db = await cluster.CreateDatabaseAsync("dashboard");
        QuotaPolicy policy = QuotaPolicy.Parse("""
            { "version": "pg-1", "tiers": { "standard": { "categories": { "search": { "capacity": 10, "refillPerSecond": 0.001 } } } }, "defaultTier": "standard" }
            """);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await using (PostgresQuotaStore store = await PostgresQuotaStore.OpenAsync(new PostgresQuotaStoreOptions { ConnectionString = db }))
        await using (PostgresAuditSink audit = await PostgresAuditSink.OpenAsync(new PostgresAuditSinkOptions { ConnectionString = db }))
        {
            using var gate = new QuotaGate(policy, new QuotaGateOptions { Store = store, AuditSink = audit });
            var search = new QuotaTool("search_kb", "search");
            Assert.True(gate.TryAcquire(new QuotaRequest(new AgentIdentity("globex", "u"), search, 7)).IsAdmitted);
            Assert.Equal(QuotaReason.BucketExhausted, gate.TryAcquire(new QuotaRequest(new AgentIdentity("globex", "u"), search, 5)).Reason);
            Assert.True(audit.TryWrite(Anomaly("initech", AuditDecision.AnomalyFlagged, now.AddMinutes(-2))));
            Assert.True(audit.TryWrite(Anomaly("acme", AuditDecision.AnomalyFlagged, now.AddMinutes(-3))));
            Assert.True(audit.TryWrite(Anomaly("acme", AuditDecision.AnomalyCleared, now.AddMinutes(-1))));   // cleared since
            await audit.FlushAsync();
        }

        await using PostgresDashboardSource source = await PostgresDashboardSource.OpenAsync(db, "agentquotas", policy, TimeProvider.System, CancellationToken.None);
        DashboardSnapshot snapshot = await source.ReadAsync(CancellationToken.None);

        Assert.Equal("postgres", snapshot.Source);
        DashboardBucket globex = Assert.Single(snapshot.Buckets, b => b.Tenant == "globex");
        Assert.InRange(globex.Level, 3, 3.5);                                          // 10 - 7, plus a little refill
        Assert.Equal(["acme", "globex", "initech"], snapshot.Buckets.Select(b => b.Tenant));
        Assert.Equal("initech", Assert.Single(snapshot.Anomalies).Tenant);
        DashboardDenial denial = Assert.Single(snapshot.Denials);
        Assert.Equal(("globex", "BucketExhausted"), (denial.Tenant, denial.Reason));
        Assert.Null(snapshot.Queues);
        Assert.Null(snapshot.Pools);
    }

    private static QuotaAuditRecord Anomaly(string tenant, AuditDecision decision, DateTimeOffset at) => new()
    {
        Timestamp = at,
        Tenant = tenant,
        Principal = "(operator)",
        WorkloadClass = WorkloadClass.Standard,
        Tool = "(anomaly)",
        Category = "(tenant)",
        Decision = decision,
        Reason = decision == AuditDecision.AnomalyFlagged ? QuotaReason.AnomalyQuarantine : QuotaReason.None,
        Mode = DegradationMode.Full,
        PolicyVersion = "pg-1",
        Detail = decision.ToString(),
    };
}
