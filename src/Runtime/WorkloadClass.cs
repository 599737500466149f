namespace AgentQuotas;

/// <summary>How urgent a run's work is. Lower values are served first when capacity is short.</summary>
public enum WorkloadClass
{
    /// <summary>Must run now (an outage responder, a payment in flight). May use emergency allowances.</summary>
    Critical = 0,

    /// <summary>Interactive work a person is waiting for.</summary>
    High = 1,

    /// <summary>Ordinary work. The default.</summary>
    Standard = 2,

    /// <summary>Background work that can wait, but always makes progress through its reserved share.</summary>
    Batch = 3,
}
