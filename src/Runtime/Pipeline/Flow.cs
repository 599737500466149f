namespace AgentQuotas.Pipeline;

/// <summary>What a step did with an attempt.</summary>
internal enum Flow : byte
{
    /// <summary>Passed: on to the next step.</summary>
    Next,

    /// <summary>Refused (the step's <see cref="Refusal"/> says why).</summary>
    Refused,

    /// <summary>Must wait for what <see cref="Pending"/> holds (asynchronous path only).</summary>
    Wait,
}
