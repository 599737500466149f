namespace SupportDesk.Tools;

/// <summary>What the backend systems did for one tenant.</summary>
public sealed record TenantActivity
{
    /// <summary>Knowledge-base searches run.</summary>
    public int Searches { get; set; }

    /// <summary>Summaries written.</summary>
    public int Summaries { get; set; }

    /// <summary>Refunds paid out.</summary>
    public int RefundsIssued { get; set; }

    /// <summary>Money paid out, in USD.</summary>
    public decimal RefundedAmount { get; set; }

    /// <summary>Refund drafts filed for a person to approve (no money moved).</summary>
    public int RefundsDrafted { get; set; }

    /// <summary>Emails sent.</summary>
    public int EmailsSent { get; set; }
}
