using AgentQuotas.Testing;
using SupportDesk.Hosting;
using SupportDesk.Reporting;

namespace SupportDesk.Tests;

/// <summary>
/// <c>--store postgres</c>: the same sample against a throwaway PostgreSQL cluster (initdb + pg_ctl on a free loopback
/// port, removed afterwards), in real time, with the buckets and the spend ledger in the database.
/// </summary>
public sealed class PostgresRunTests : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_sample_runs_on_PostgreSQL_in_real_time_with_its_buckets_in_the_database()
    {
        string connection = await _cluster!.CreateDatabaseAsync("supportdesk");
        var options = new SupportDeskOptions
        {
            Store = SupportDeskStore.Postgres,
            ConnectionString = connection,
            Duration = TimeSpan.FromSeconds(6),
            Tenants = 3,
            ProgressInterval = TimeSpan.FromSeconds(2),
        };
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var snapshots = new List<ProgressSnapshot>();
        SupportDeskReport report = await SupportDeskRunner.RunAsync(options, s =>
        {
            lock (snapshots)
            {
                snapshots.Add(s);
            }
        });

        Assert.Equal("postgres", report.Store);
        Assert.False(report.VirtualTime);
        Assert.True(wall.Elapsed >= TimeSpan.FromSeconds(6), $"a real-time run of 6 s took {wall.Elapsed}");
        Assert.True(report.Elapsed >= TimeSpan.FromSeconds(6));
        Assert.True(snapshots.Count >= 3, $"{snapshots.Count} progress reports");
        Assert.All(report.Tenants, t => Assert.True(t.Calls.Admitted > 0, $"{t.Tenant} had no admitted calls"));
        Assert.All(report.Tenants, t => Assert.Equal(t.Conversations.Started, t.Conversations.Answered + t.Conversations.Stopped + t.Conversations.CutOff));

        // The buckets the gate used live in PostgreSQL, one row per tenant and category, and every admission is in the ledger.
        long buckets = await PostgresCluster.ScalarAsync<long>(connection,
            "SELECT count(*) FROM agentquotas.buckets WHERE tenant IN ('acme', 'globex', 'umbrella') AND category IN ('search', 'model', 'email')");
        Assert.Equal(9, buckets);
        decimal spent = await PostgresCluster.ScalarAsync<decimal>(connection, "SELECT coalesce(sum(spent), 0) FROM agentquotas.spend WHERE period = 'D'");
        Assert.True(spent > 0, "the spend ledger is empty");
    }
}
