namespace AgentQuotas;

/// <summary>Which rung of the degradation ladder served (or did not serve) a call.</summary>
public enum DegradationMode
{
    /// <summary>The tool itself ran.</summary>
    Full = 0,

    /// <summary>The tool's <see cref="FallbackAttribute"/> method ran instead: a draft, not the real action.</summary>
    DraftOnly = 1,

    /// <summary>Nothing ran: the call waits for a person's approval.</summary>
    ApprovalRequired = 2,

    /// <summary>The call waited in the scheduler's queue before it was served.</summary>
    Queued = 3,

    /// <summary>Nothing ran and nothing will: the call was refused.</summary>
    Rejected = 4,

    /// <summary>
    /// Nothing ran yet: the call was accepted as a deferred job (<see cref="Deferred.DeferredJobRunner"/>), stored, and
    /// runs through the gate when capacity returns; the caller polls or awaits its handle.
    /// </summary>
    Deferred = 5,
}
