using System.Diagnostics;
using System.Runtime.InteropServices;
using AgentQuotas.Policy;
using AgentQuotas.Scheduling;

namespace AgentQuotas;

/// <summary>
/// The outcome of acquiring for one guarded call in a run. When admitted, end it with
/// <see cref="Complete"/> or <see cref="Fail"/> so actual cost, failures (for circuit breakers), the
/// compute-pool slot and the audit trail are recorded. A value type: admitting allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct QuotaTicket
{
    internal QuotaTicket(AgentRun run, QuotaTool tool, CategoryBudget? budget, QuotaDecision decision, Activity? activity, PoolLease lease = default)
    {
        Lease = lease;
        Run = run;
        Tool = tool;
        Budget = budget;
        Decision = decision;
        Activity = activity;
    }

    /// <summary>The decision.</summary>
    public QuotaDecision Decision { get; }

    /// <summary>Whether the call may run in full.</summary>
    public bool IsAdmitted => Decision.IsAdmitted;

    /// <summary>The degradation mode that applies (see <see cref="QuotaDecision.Mode"/>).</summary>
    public DegradationMode Mode => Decision.Mode;

    /// <summary>The run the call belongs to.</summary>
    public AgentRun Run { get; }

    /// <summary>The tool.</summary>
    public QuotaTool Tool { get; }

    internal CategoryBudget? Budget { get; }

    internal Activity? Activity { get; }

    /// <summary>The compute-pool slot the call holds until it is completed or failed (none without pools).</summary>
    internal PoolLease Lease { get; }

    /// <summary>Records that the admitted call finished, with its actual cost when known.</summary>
    /// <param name="actualCost">The real cost (finite, zero or more), or <see langword="null"/> to keep the planned cost.</param>
    /// <exception cref="InvalidOperationException">The call was not admitted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="actualCost"/> is negative or not finite.</exception>
    public void Complete(double? actualCost = null)
    {
        RequireAdmitted();
        Run.Gate.Complete(this, actualCost);
    }

    /// <summary>Records that the admitted call failed (counts toward the category's circuit breaker).</summary>
    /// <param name="exception">What went wrong, if known.</param>
    /// <exception cref="InvalidOperationException">The call was not admitted.</exception>
    public void Fail(Exception? exception = null)
    {
        RequireAdmitted();
        Run.Gate.Fail(this, exception);
    }

    /// <summary>Throws <see cref="QuotaExceededException"/> unless the call was admitted.</summary>
    public void ThrowIfDenied() => Decision.ThrowIfDenied();

    private void RequireAdmitted()
    {
        if (Run is null || !Decision.IsAdmitted)
        {
            throw new InvalidOperationException("Only an admitted call can be completed or failed.");
        }
    }
}
