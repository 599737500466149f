namespace AgentQuotas.Policy;

/// <summary>What happens to a run that asks for a workload class above its ceiling (the policy's <c>classCeiling</c>).</summary>
public enum ClassCeilingMode
{
    /// <summary>The run is opened at its ceiling; the audit records that it was lowered (<c>"lower"</c>, the default).</summary>
    Lower = 0,

    /// <summary>The run is refused with <see cref="QuotaReason.ClassCeiling"/>; the audit records the refusal (<c>"refuse"</c>).</summary>
    Refuse = 1,
}
