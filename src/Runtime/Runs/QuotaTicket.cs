using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;

namespace AgentQuotas;

/// <summary>
/// The outcome of acquiring for one guarded call in a run. When admitted, end it with
/// <see cref="Complete"/> or <see cref="Fail"/> so actual cost, failures (for circuit breakers), the
/// compute-pool slot and the audit trail are recorded, exactly once: a second <see cref="Complete"/> or
/// <see cref="Fail"/>, of the ticket or any copy of it, throws and changes nothing. A value type: admitting
/// allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaTicket
{
    private readonly TicketSlot? _slot;
    private readonly long _version;
    private readonly QuotaDecision _decision;

    internal QuotaTicket(AgentRun run, QuotaTool tool, CategoryBudget? budget, in QuotaDecision decision, Activity? activity, PoolLease lease = default,
        PrincipalPolicy? principal = null, long admittedAt = 0, long auditHandle = 0)
    {
        Principal = principal;
        AdmittedAt = admittedAt;
        AuditHandle = auditHandle;
        if (decision.IsAdmitted)
        {
            _slot = run.RentTicketSlot();
            _version = _slot.Version;
        }

        Lease = lease;
        Run = run;
        Tool = tool;
        Budget = budget;
        _decision = decision;
        Activity = activity;
    }

    /// <summary>The decision.</summary>
    public QuotaDecision Decision => _decision;

    // The decision without a copy, for the gate's end of the call.
    [UnscopedRef]
    internal ref readonly QuotaDecision DecisionRef => ref _decision;

    /// <summary>Whether the call may run in full.</summary>
    public bool IsAdmitted => _decision.IsAdmitted;

    /// <summary>The degradation mode that applies (see <see cref="QuotaDecision.Mode"/>).</summary>
    public DegradationMode Mode => _decision.Mode;

    /// <summary>The run the call belongs to.</summary>
    public AgentRun Run { get; }

    /// <summary>The tool.</summary>
    public QuotaTool Tool { get; }

    internal CategoryBudget? Budget { get; }

    /// <summary>The principal block whose bucket the call took its planned cost from, so settling corrects it too (null when none).</summary>
    internal PrincipalPolicy? Principal { get; }

    internal Activity? Activity { get; }

    /// <summary>When the admission's audit record was stamped (UTC ticks): the record that ends the call is never earlier.</summary>
    internal long AdmittedAt { get; }

    /// <summary>The admission's record in an audit sink that writes the call's end into it (0 when none).</summary>
    internal long AuditHandle { get; }

    /// <summary>The compute-pool slot the call holds until it is completed or failed (none without pools).</summary>
    internal PoolLease Lease { get; }

    /// <summary>Records that the admitted call finished, with its actual cost when known. A ticket settles once.</summary>
    /// <param name="actualCost">The real cost (finite, zero or more), or <see langword="null"/> to keep the planned cost.</param>
    /// <exception cref="InvalidOperationException">
    /// The call was not admitted, or the ticket (this value or a copy of it) was already completed or failed:
    /// nothing is recorded, charged or refunded again.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative or not finite (the ticket stays open).</exception>
    public void Complete(double? actualCost = null)
    {
        RequireAdmitted();
        if (actualCost is double actual && (!double.IsFinite(actual) || actual < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(actualCost), actual, $"The actual cost reported by '{Decision.Tool}' must be a finite number, zero or more.");
        }

        Settle();
        Run.Gate.Complete(this, actualCost);
    }

    /// <summary>Records that the admitted call failed (counts toward the category's circuit breaker). A ticket settles once.</summary>
    /// <param name="exception">What went wrong, if known.</param>
    /// <exception cref="InvalidOperationException">The call was not admitted, or the ticket (this value or a copy of it) was already completed or failed.</exception>
    public void Fail(Exception? exception = null)
    {
        RequireAdmitted();
        Settle();
        Run.Gate.Fail(this, exception);
    }

    /// <summary>
    /// Gives back everything the admitted call took because its tool never started (see <see cref="QuotaGate"/>'s
    /// withdrawal). Settles the ticket like <see cref="Complete"/> and <see cref="Fail"/>: once, copies included.
    /// </summary>
    internal void Withdraw(string detail)
    {
        RequireAdmitted();
        Settle();
        Run.Gate.Withdraw(this, detail);
    }

    /// <summary>Throws <see cref="QuotaExceededException"/> unless the call was admitted.</summary>
    public void ThrowIfDenied() => Decision.ThrowIfDenied();

    private void RequireAdmitted()
    {
        if (Run is null || !_decision.IsAdmitted || _slot is null)
        {
            throw new InvalidOperationException("Only an admitted call can be completed or failed.");
        }
    }

    // Exactly one Complete or Fail, of this value and every copy, gets past here.
    private void Settle()
    {
        if (!_slot!.TrySettle(_version))
        {
            throw new InvalidOperationException(
                $"The ticket of '{Decision.Tool}' was already completed or failed; a ticket settles once (copies of it included), so nothing was recorded again.");
        }

        Run.ReturnTicketSlot(_slot);
    }
}
