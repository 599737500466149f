using Spectre.Console;

namespace SupportDesk.Reporting;

/// <summary>
/// The result of a SupportDesk run: per tenant and per class, what the gate admitted, queued, degraded (and to
/// which mode) and denied (and why), queue-wait percentiles, cost spent and anomalies flagged. Built from the
/// audit trail, the agent's view of each conversation, the tool backend's ledger and the gate's statistics.
/// </summary>
public sealed record SupportDeskReport
{
    /// <summary>The seed the workload was drawn from.</summary>
    public required int Seed { get; init; }

    /// <summary>How long tenants sent new conversations.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Time on the run's clock from start to end, including the wait for conversations still running.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Whether the run used virtual time (the memory store) or real time (PostgreSQL).</summary>
    public required bool VirtualTime { get; init; }

    /// <summary>The store: <c>memory</c> or <c>postgres</c>.</summary>
    public required string Store { get; init; }

    /// <summary>The version of the policy that made every decision.</summary>
    public required string PolicyVersion { get; init; }

    /// <summary>Per tenant, in catalog order.</summary>
    public required IReadOnlyList<TenantReport> Tenants { get; init; }

    /// <summary>Per class, Critical first.</summary>
    public required IReadOnlyList<ClassReport> Classes { get; init; }

    /// <summary>Anomalies flagged, in order.</summary>
    public required IReadOnlyList<AnomalyReport> Anomalies { get; init; }

    /// <summary>The compute pools and their peak use.</summary>
    public required IReadOnlyList<PoolUsage> Pools { get; init; }

    /// <summary>Model turns per model, as the policy's models section routed them (docs/routing.md).</summary>
    public IReadOnlyList<ModelUsage> Models { get; init; } = [];

    /// <summary>The Batch class's reserved share in the policy (0 to 1).</summary>
    public required double BatchReservedShare { get; init; }

    /// <summary>Audit records the run produced.</summary>
    public required long AuditRecords { get; init; }

    /// <summary>The report of one tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <exception cref="KeyNotFoundException">The tenant was not in the run.</exception>
    public TenantReport Tenant(string tenant) =>
        Tenants.FirstOrDefault(t => t.Tenant == tenant) ?? throw new KeyNotFoundException($"Tenant '{tenant}' was not in the run.");

    /// <summary>The report of one class.</summary>
    /// <param name="workloadClass">The class.</param>
    /// <exception cref="KeyNotFoundException">No work of the class was in the run.</exception>
    public ClassReport Class(AgentQuotas.WorkloadClass workloadClass) =>
        Classes.FirstOrDefault(c => c.Class == workloadClass) ?? throw new KeyNotFoundException($"No work of class {workloadClass} was in the run.");

    /// <summary>The report as plain text (the tables the program prints, without colour).</summary>
    /// <param name="width">The width to lay the tables out for.</param>
    public string ToText(int width = 200)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        ReportRenderer.Write(console, this);
        return writer.ToString();
    }
}
