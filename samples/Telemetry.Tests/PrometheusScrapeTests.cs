using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TelemetrySample.Tests;

public partial class PrometheusScrapeTests
{
    private static string PolicyPath => Path.Combine(AppContext.BaseDirectory, "agentquotas.json");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> ScrapeAsync(TelemetryDemo demo)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(demo.ScrapeUri);
    }

    // The value of the first sample of `metric` whose labels contain every `label="value"` given.
    private static double Sample(string scrape, string metric, params string[] labels)
    {
        foreach (string line in scrape.Split('\n'))
        {
            if (line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                string value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
                return double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new Xunit.Sdk.XunitException($"No sample of {metric} with {string.Join(", ", labels)} in:\n{scrape}");
    }

    [Fact]
    public async Task The_sample_serves_the_dashboard_gauges_and_counters_on_loopback()
    {
        await using TelemetryDemo demo = await TelemetryDemo.StartAsync(PolicyPath, FreeLoopbackPort());
        Assert.Equal("127.0.0.1", demo.ScrapeUri.Host);

        string scrape = await ScrapeAsync(demo);

        Assert.Equal(1, Sample(scrape, "agentquotas_queue_depth", "agentquotas_class=\"Batch\"", "agentquotas_queue=\"pool\""));
        Assert.Equal(1, Sample(scrape, "agentquotas_queue_depth", "agentquotas_class=\"High\"", "agentquotas_queue=\"bucket\""));
        Assert.Equal(3, Sample(scrape, "agentquotas_pool_in_use", "agentquotas_pool=\"shared\""));
        Assert.Equal(3, Sample(scrape, "agentquotas_pool_concurrency", "agentquotas_pool=\"shared\""));
        Assert.Equal(1, Sample(scrape, "agentquotas_anomalies_flagged"));
        Assert.True(Sample(scrape, "agentquotas_denied_total", "agentquotas_tenant=\"globex\"", "agentquotas_reason=\"AnomalyQuarantine\"") > 0);
        Assert.Equal(1, Sample(scrape, "agentquotas_anomalies_total", "agentquotas_anomaly_signal=\"requests\"", "agentquotas_tenant=\"globex\""));
        Assert.Equal(6, Sample(scrape, "agentquotas_failed_total", "agentquotas_tenant=\"acme\""));
        Assert.Equal(1, Sample(scrape, "agentquotas_privileged_calls_total", "agentquotas_decision=\"refused\""));
        Assert.Equal(6 * 800, Sample(scrape, "agentquotas_model_tokens_total", "agentquotas_model=\"gpt-large\"", "agentquotas_token_type=\"input\""));
        Assert.True(Sample(scrape, "agentquotas_burst_used_total", "agentquotas_tenant=\"initech\"") > 0);
    }

    [Fact]
    public async Task Every_metric_the_grafana_dashboard_queries_is_served_by_the_sample()
    {
        string dashboard = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "agentquotas.grafana.json"));
        using JsonDocument json = JsonDocument.Parse(dashboard);
        string[] queries = json.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.TryGetProperty("targets", out JsonElement t) ? t.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToArray();
        // Metric names, not the label names of `by (...)` groupings.
        string[] metrics = queries.SelectMany(q => MetricName().Matches(Grouping().Replace(q, string.Empty)).Select(m => m.Value)).Distinct().Order().ToArray();
        Assert.True(metrics.Length >= 12, "the dashboard queries " + string.Join(", ", metrics));

        await using TelemetryDemo demo = await TelemetryDemo.StartAsync(PolicyPath, FreeLoopbackPort());
        string scrape = await ScrapeAsync(demo);
        string[] served = scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('{', ' ')[0]).Distinct().ToArray();

        string[] missing = metrics.Except(served).ToArray();
        Assert.True(missing.Length == 0, "not served: " + string.Join(", ", missing));
    }

    [GeneratedRegex("agentquotas_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\b(by|without)\s*\([^)]*\)")]
    private static partial Regex Grouping();
}
