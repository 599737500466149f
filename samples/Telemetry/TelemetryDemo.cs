using System.Net;
using AgentQuotas;
using AgentQuotas.Guard;
using AgentQuotas.Policy;
using AgentQuotas.Telemetry;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace TelemetrySample;

/// <summary>
/// A gate whose meter is exported on <c>http://127.0.0.1:{port}/metrics</c> by OpenTelemetry's Prometheus
/// HttpListener exporter, after a short workload that exercises every instrument the dashboard charts.
/// </summary>
public sealed class TelemetryDemo : IAsyncDisposable
{
    private readonly MeterProvider _meters;
    private readonly QuotaGate _gate;
    private readonly List<AgentRun> _runs = [];
    private readonly List<Task> _waiting = [];
    private readonly CancellationTokenSource _stop = new();

    private TelemetryDemo(QuotaGate gate, FakeTimeProvider clock, MeterProvider meters, Uri scrape)
    {
        _gate = gate;
        Clock = clock;
        _meters = meters;
        ScrapeUri = scrape;
    }

    /// <summary>The Prometheus scrape endpoint.</summary>
    public Uri ScrapeUri { get; }

    /// <summary>The gate whose meter is exported.</summary>
    public QuotaGate Gate => _gate;

    /// <summary>The virtual clock the workload ran on.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>Starts the exporter on loopback <paramref name="port"/> and runs the workload.</summary>
    /// <param name="policyPath">The policy file.</param>
    /// <param name="port">The loopback port to serve <c>/metrics</c> on.</param>
    public static async Task<TelemetryDemo> StartAsync(string policyPath, int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        QuotaPolicy policy = QuotaPolicy.Load(policyPath);

        // Loopback only: the exporter's listener answers on 127.0.0.1, never on every interface.
        string prefix = "http://" + IPAddress.Loopback + ":" + port + "/";
        MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(QuotaTelemetry.MeterName)
            .AddPrometheusHttpListener(o =>
            {
                o.Host = IPAddress.Loopback.ToString();
                o.Port = port;
            })
            .Build();

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var gate = new QuotaGate(policy, new QuotaGateOptions { TimeProvider = clock, InlineQueueCompletions = true });
        var demo = new TelemetryDemo(gate, clock, meters, new Uri(prefix + "metrics"));
        await demo.RunWorkloadAsync().ConfigureAwait(false);
        return demo;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Task waiting in _waiting)
        {
            try
            {
                await waiting.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The waits the sample left queued end here.
            }
        }

        foreach (AgentRun run in _runs)
        {
            run.Dispose();
        }

        _meters.Dispose();
        await _gate.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    // Six minutes of steady traffic for two tenants (the anomaly baselines), then a minute in which globex's
    // request rate more than triples; along the way: completions and failures, a privileged tool, model tokens of
    // two models, a new tenant drawing burst credits, a full compute pool and calls left waiting (queue depth).
    private async Task RunWorkloadAsync()
    {
        var search = new QuotaTool("search_kb", "search");
        var chat = new QuotaTool("chat", "tokens");
        var refund = new QuotaTool("issue_refund", "admin", isPrivileged: true);
        AgentRun acme = await OpenAsync("acme", WorkloadClass.High);
        AgentRun globex = await OpenAsync("globex", WorkloadClass.Standard);

        for (int minute = 0; minute < 6; minute++)
        {
            foreach (AgentRun run in new[] { acme, globex })
            {
                for (int call = 0; call < 5; call++)
                {
                    QuotaTicket ticket = run.Acquire(search, 1);
                    if (call == 4)
                    {
                        ticket.Fail(new TimeoutException("search backend timed out"));
                    }
                    else
                    {
                        ticket.Complete();
                    }
                }

                run.RecordUsage(chat, 2, run == acme ? "gpt-small" : "gpt-large", ModelTokenUsage.From(800, 200, null));
            }

            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        acme.Acquire(refund, 1).Complete();                 // privileged, admitted
        acme.Acquire(refund, 50);                            // privileged, refused (more than the bucket holds)

        for (int call = 0; call < 22; call++)
        {
            QuotaTicket ticket = globex.Acquire(search, 1);  // the request rate triples: flagged, then quarantined (refusals)
            if (ticket.IsAdmitted)
            {
                ticket.Complete();
            }
        }

        // Calls left waiting: the queue-depth gauge and a full pool show on the dashboard.
        AgentRun batch = await OpenAsync("acme", WorkloadClass.Batch);
        QuotaTicket held1 = batch.Acquire(search, 1);
        QuotaTicket held2 = batch.Acquire(search, 1);
        QuotaTicket held3 = batch.Acquire(search, 1);       // the shared pool (3 slots) is full
        _waiting.Add(batch.AcquireAsync(search, 1, _stop.Token).AsTask());
        _ = (held1, held2, held3);
        // A new tenant (no baseline yet, so not judged) spends its bucket and its banked burst credits, then waits.
        AgentRun initech = await OpenAsync("initech", WorkloadClass.High);
        while (initech.Acquire(search, 5) is { IsAdmitted: true } drained)
        {
            drained.Complete();
        }

        QuotaTicket draft = initech.Acquire(new QuotaTool("draft_reply", "search", hasFallback: true), 1);
        if (draft.Decision.Mode != DegradationMode.DraftOnly)
        {
            throw new InvalidOperationException("The sample expected a draft (degraded) answer: " + draft.Decision.Reason);
        }

        ValueTask<QuotaTicket> waited = initech.AcquireAsync(search, 1, _stop.Token);
        Clock.Advance(TimeSpan.FromSeconds(1));             // served by refill after a second's wait: the queue-wait histogram
        (await waited.ConfigureAwait(false)).Complete();
        _waiting.Add(initech.AcquireAsync(search, 5, _stop.Token).AsTask());
    }

    // Each tenant's run is opened in a flow of its own (a run is the current run of the flow that opens it, and a
    // flow cannot hold runs of two tenants), as each request of a server would be.
    private async Task<AgentRun> OpenAsync(string tenant, WorkloadClass workloadClass)
    {
        AgentRun run = await Task.Run(() => _gate.BeginRun(new AgentIdentity(tenant, tenant + "-agent"), workloadClass)).ConfigureAwait(false);
        _runs.Add(run);
        return run;
    }
}
