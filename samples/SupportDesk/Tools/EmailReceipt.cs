namespace SupportDesk.Tools;

/// <summary>What <c>send_email</c> returns once the mail is handed to the mail service.</summary>
/// <param name="MessageId">The mail service's message id.</param>
/// <param name="To">The recipient.</param>
/// <param name="Subject">The subject.</param>
public sealed record EmailReceipt(string MessageId, string To, string Subject);
