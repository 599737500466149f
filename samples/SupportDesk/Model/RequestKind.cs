namespace SupportDesk.Model;

/// <summary>What a customer message asks for, as the scripted model reads it.</summary>
public enum RequestKind
{
    /// <summary>A question the knowledge base answers (order status, an outage): search, then email the customer.</summary>
    Lookup = 0,

    /// <summary>A refund: search the policy, refund (a privileged tool that needs approval), email the customer.</summary>
    Refund = 1,

    /// <summary>A digest: search, summarize what was found, email it.</summary>
    Summary = 2,

    /// <summary>
    /// An open-ended investigation the model never considers finished: it keeps asking for more searches, so only
    /// the agent loop's caps (and the anomaly detector) stop it.
    /// </summary>
    Runaway = 3,
}
