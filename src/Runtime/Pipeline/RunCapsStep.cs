using AgentQuotas.Policy;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 3: the run's deadline and caps (its own and its ancestors', tightened by the tier's limits). A tool call
/// reserves one call and its cost in the run and every ancestor; a model turn counts one iteration; usage paid
/// for afterwards needs the run within its deadline and cost cap.
/// </summary>
internal static class RunCapsStep
{
    /// <summary>Reserves one tool call and the cost in the run and its ancestors.</summary>
    public static Flow Reserve(ref Attempt a, ref Refusal refusal)
    {
        if (a.Run is not AgentRun run)
        {
            return Flow.Next;
        }

        if (Expired(in a, run, ref refusal))
        {
            return Flow.Refused;
        }

        TierLimits limits = a.Tier!.Limits;
        QuotaReason capped = run.TryReserve(a.Cost, limits, out AgentRun? limiting);
        if (capped != QuotaReason.None)
        {
            refusal = new Refusal(capped, detail: limiting!.DescribeCaps(limits, capped));
            return Flow.Refused;
        }

        a.RunReserved = true;
        return Flow.Next;
    }

    /// <summary>Counts one iteration (model turn) of the run.</summary>
    public static Flow CountIteration(ref Attempt a, ref Refusal refusal)
    {
        AgentRun run = a.Run!;
        if (Expired(in a, run, ref refusal))
        {
            return Flow.Refused;
        }

        if (!run.TryCountIteration(a.Tier!.Limits, out _))
        {
            refusal = new Refusal(QuotaReason.RunIterationLimit, detail: run.DescribeCaps(a.Tier.Limits, QuotaReason.RunIterationLimit));
            return Flow.Refused;
        }

        a.IterationCounted = true;
        return Flow.Next;
    }

    /// <summary>Checks, without reserving, that usage may start: within the deadline and below the cost cap.</summary>
    public static Flow CheckUsage(in Attempt a, ref Refusal refusal)
    {
        AgentRun run = a.Run!;
        if (Expired(in a, run, ref refusal))
        {
            return Flow.Refused;
        }

        if (run.FindCostCapReached(a.Tier!.Limits) is AgentRun capped)
        {
            refusal = new Refusal(QuotaReason.RunCostLimit, detail: capped.DescribeCaps(a.Tier.Limits, QuotaReason.RunCostLimit));
            return Flow.Refused;
        }

        return Flow.Next;
    }

    /// <summary>Undo: gives back the reservation or the iteration.</summary>
    public static void Release(ref Attempt a)
    {
        if (a.RunReserved)
        {
            a.RunReserved = false;
            a.Run!.Release(a.Cost);
        }

        if (a.IterationCounted)
        {
            a.IterationCounted = false;
            a.Run!.UncountIteration();
        }
    }

    private static bool Expired(in Attempt a, AgentRun run, ref Refusal refusal)
    {
        if (run.FindExpired(a.Timestamp) is AgentRun expired)
        {
            refusal = new Refusal(QuotaReason.RunDeadlineExceeded, detail: expired.Describe() + " is past its deadline.");
            return true;
        }

        return false;
    }
}
