using System.Globalization;

namespace AgentQuotas;

/// <summary>Messages a person can act on: what was denied, why, and what to do about it.</summary>
internal static class QuotaMessages
{
    public static string Describe(in QuotaDecision d)
    {
        var c = CultureInfo.InvariantCulture;
        string head = string.Format(c, "Tool '{0}' was denied for tenant '{1}': ", d.Tool, d.Tenant);
        string why = d.Reason switch
        {
            QuotaReason.BucketExhausted => string.Format(c, "the '{0}' budget has {1:0.##} units left and the call costs {2:0.##}.", d.Category, Math.Max(0, d.Remaining), d.Cost),
            QuotaReason.CostExceedsCapacity => string.Format(c, "the call costs {0:0.##} units, more than the '{1}' bucket can ever hold; lower the cost or raise the capacity in the policy.", d.Cost, d.Category),
            QuotaReason.RunIterationLimit => "the run reached its iteration cap.",
            QuotaReason.RunToolCallLimit => "the run reached its tool-call cap.",
            QuotaReason.RunCostLimit => string.Format(c, "the run's spend would exceed its cost cap (this call costs {0:0.##}).", d.Cost),
            QuotaReason.RunDeadlineExceeded => "the run's deadline has passed.",
            QuotaReason.DailyCostLimit => "the tenant reached its spending ceiling for today (maxCostPerDay).",
            QuotaReason.MonthlyCostLimit => "the tenant reached its spending ceiling for this month (maxCostPerMonth).",
            QuotaReason.ApprovalRequired => "approval required; nothing was done.",
            QuotaReason.ApprovalDenied => "an approver refused the call; nothing was done.",
            QuotaReason.UnknownTenant => "the tenant is not in the policy and the policy has no defaultTier.",
            QuotaReason.UnknownCategory => string.Format(c, "the tenant's tier has no budget for category '{0}'; add it to the policy.", d.Category),
            QuotaReason.CircuitOpen => string.Format(c, "the '{0}' circuit breaker is open after repeated failures.", d.Category),
            QuotaReason.QueueFull => "the queue for its workload class is full.",
            QuotaReason.QueueTimeout => "its wait for quota would exceed, or has reached, its class's maximum queue wait (maxQueueWait).",
            QuotaReason.StoreUnavailable => "quota store unavailable; the gate fails closed.",
            QuotaReason.AuditUnavailable => "the audit sink could not record the decision and the gate requires a record for every decision.",
            QuotaReason.PoolExhausted => "no compute-pool slot is free for its workload class.",
            QuotaReason.AnomalyQuarantine => "the tenant is quarantined after a spend anomaly.",
            QuotaReason.Cancelled => "the caller cancelled while it waited in the queue; nothing was charged.",
            QuotaReason.UnknownTool => "no quota is defined for this tool (it is not annotated and the policy's \"tools\" section does not cover it); nothing ran.",
            _ => d.Reason.ToString() + ".",
        };

        string detail = string.IsNullOrEmpty(d.Detail) ? string.Empty : " " + d.Detail;
        string retry = d.RetryAfter is TimeSpan r ? string.Format(c, " Retry after {0}.", FormatDuration(r)) : string.Empty;
        return head + why + detail + retry + " (policy " + d.PolicyVersion + ")";
    }

    public static string FormatDuration(TimeSpan span)
    {
        var c = CultureInfo.InvariantCulture;
        if (span < TimeSpan.FromSeconds(1))
        {
            return string.Format(c, "{0:0.#} ms", span.TotalMilliseconds);
        }

        if (span < TimeSpan.FromMinutes(2))
        {
            return string.Format(c, "{0:0.##} s", span.TotalSeconds);
        }

        if (span < TimeSpan.FromHours(2))
        {
            return string.Format(c, "{0:0.#} min", span.TotalMinutes);
        }

        return string.Format(c, "{0:0.#} h", span.TotalHours);
    }
}
