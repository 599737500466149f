namespace SupportDesk.Reporting;

/// <summary>What the systems behind the tools really did for a tenant: drafts moved no money, refused emails were not sent.</summary>
/// <param name="Searches">Knowledge-base searches run.</param>
/// <param name="Summaries">Summaries written.</param>
/// <param name="RefundsIssued">Refunds paid out (approved).</param>
/// <param name="RefundedAmount">Money paid out, USD.</param>
/// <param name="RefundsDrafted">Refund drafts filed (not approved: DraftOnly).</param>
/// <param name="EmailsSent">Emails sent.</param>
public sealed record TenantActivityView(int Searches, int Summaries, int RefundsIssued, decimal RefundedAmount, int RefundsDrafted, int EmailsSent);
