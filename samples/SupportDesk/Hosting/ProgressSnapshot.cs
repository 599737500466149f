namespace SupportDesk.Hosting;

/// <summary>The state of a run at one moment, for live progress.</summary>
/// <param name="Elapsed">Time on the run's clock since the start.</param>
/// <param name="Duration">How long tenants send new conversations.</param>
/// <param name="Draining">Whether new conversations have stopped and the run waits for the last ones.</param>
/// <param name="Tenants">Per tenant.</param>
/// <param name="WaitingNow">Tool calls waiting in the gate's queues right now.</param>
/// <param name="SlotsInUse">Compute-pool slots in use right now, over all pools.</param>
/// <param name="Slots">Compute-pool slots in all.</param>
public sealed record ProgressSnapshot(TimeSpan Elapsed, TimeSpan Duration, bool Draining, IReadOnlyList<TenantProgress> Tenants, int WaitingNow, int SlotsInUse, int Slots);
