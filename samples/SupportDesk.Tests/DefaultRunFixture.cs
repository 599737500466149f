using SupportDesk.Hosting;
using SupportDesk.Reporting;

namespace SupportDesk.Tests;

/// <summary>The README's run (six tenants, three simulated minutes, memory store), once for the class that asserts on it.</summary>
public sealed class DefaultRunFixture : IAsyncLifetime
{
    public const int Seed = 42;

    public SupportDeskReport Report { get; private set; } = null!;

    public async Task InitializeAsync() => Report = await SupportDeskRunner.RunAsync(new SupportDeskOptions { Seed = Seed });

    public Task DisposeAsync() => Task.CompletedTask;
}
