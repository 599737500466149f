namespace SupportDesk.Workload;

/// <summary>The kinds of conversation tenants start.</summary>
public enum ConversationKind
{
    /// <summary>"Where is my order?": search, email.</summary>
    OrderStatus = 0,

    /// <summary>"Please refund my damaged order": search, refund (privileged, needs approval), email.</summary>
    Refund = 1,

    /// <summary>"Summarize the articles about ... for our weekly report": search, summarize, email.</summary>
    Digest = 2,

    /// <summary>"URGENT: checkout is failing": search, email. Sent as Critical work.</summary>
    Escalation = 3,

    /// <summary>"Investigate ... and keep digging": the scripted model never stops asking for searches.</summary>
    Investigation = 4,
}
