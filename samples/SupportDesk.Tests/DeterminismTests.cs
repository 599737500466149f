using SupportDesk.Hosting;
using SupportDesk.Reporting;

namespace SupportDesk.Tests;

/// <summary>On the memory store a run is a function of its options: the same seed gives the same report.</summary>
public class DeterminismTests
{
    [Fact]
    public async Task The_same_seed_gives_the_same_report_and_another_seed_another()
    {
        var options = new SupportDeskOptions { Seed = 7, Duration = TimeSpan.FromSeconds(90) };
        SupportDeskReport first = await SupportDeskRunner.RunAsync(options);
        SupportDeskReport second = await SupportDeskRunner.RunAsync(options);
        SupportDeskReport other = await SupportDeskRunner.RunAsync(new SupportDeskOptions { Seed = 8, Duration = TimeSpan.FromSeconds(90) });

        Assert.Equal(first.ToText(), second.ToText());
        Assert.Equal(first.AuditRecords, second.AuditRecords);
        Assert.Equal(first.Elapsed, second.Elapsed);
        Assert.NotEqual(first.ToText(), other.ToText());
    }

    [Fact]
    public async Task A_tenant_draws_its_own_traffic_whatever_else_runs()
    {
        // Each tenant has its own random sequence: with one tenant alone, acme starts the same conversations as among six.
        SupportDeskReport alone = await SupportDeskRunner.RunAsync(new SupportDeskOptions { Tenants = 1, Duration = TimeSpan.FromSeconds(60) });
        SupportDeskReport among = await SupportDeskRunner.RunAsync(new SupportDeskOptions { Tenants = 6, Duration = TimeSpan.FromSeconds(60) });

        Assert.Equal(["acme"], alone.Tenants.Select(t => t.Tenant));
        Assert.Equal(alone.Tenant("acme").Conversations.Started, among.Tenant("acme").Conversations.Started);
        Assert.Equal(alone.Tenant("acme").Classes, among.Tenant("acme").Classes);
    }

    [Fact]
    public async Task Progress_is_reported_on_the_runs_clock_up_to_the_end()
    {
        var snapshots = new List<ProgressSnapshot>();
        SupportDeskReport report = await SupportDeskRunner.RunAsync(
            new SupportDeskOptions { Duration = TimeSpan.FromSeconds(60), ProgressInterval = TimeSpan.FromSeconds(20) }, snapshots.Add);

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60)],
            snapshots.Take(4).Select(s => s.Elapsed));
        ProgressSnapshot last = snapshots[^1];
        Assert.True(last.Draining);
        Assert.Equal(report.Elapsed, last.Elapsed);
        Assert.Equal(report.Tenants.Sum(t => t.Conversations.Started), last.Tenants.Sum(t => t.Started));
        Assert.Equal(last.Tenants.Sum(t => t.Started), last.Tenants.Sum(t => t.Ended));
        Assert.Equal(0, last.WaitingNow);
        Assert.Equal(0, last.SlotsInUse);
    }
}
