namespace SupportDesk.Workload;

/// <summary>How refunds of a tenant are approved (the sample's approval service decides by it).</summary>
public enum RefundApproval
{
    /// <summary>Nobody has answered yet: the request is filed for the refund desk, and the agent gets a draft.</summary>
    Review = 0,

    /// <summary>The tenant signed a standing refund delegation: refunds are approved at once and run.</summary>
    Delegated = 1,

    /// <summary>The tenant's plan does not allow refunds through the agent: refused, and the agent gets a draft.</summary>
    Refused = 2,
}
