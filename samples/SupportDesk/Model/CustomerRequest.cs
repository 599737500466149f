using System.Globalization;
using System.Text.RegularExpressions;

namespace SupportDesk.Model;

/// <summary>
/// The scripted model's reading of a customer message: what it asks for, the order and amount of a refund, who to
/// email, and what to search for. Plain keyword rules, so the same message always gives the same plan.
/// </summary>
/// <param name="Kind">What the message asks for.</param>
/// <param name="Query">What to search the knowledge base for: the message's first sentence.</param>
/// <param name="CustomerEmail">Who to answer.</param>
/// <param name="OrderId">The order of a refund, if any.</param>
/// <param name="Amount">The refund amount in USD, if any.</param>
public sealed partial record CustomerRequest(RequestKind Kind, string Query, string CustomerEmail, string? OrderId, decimal? Amount)
{
    /// <summary>Reads a customer message.</summary>
    /// <param name="message">The message.</param>
    public static CustomerRequest Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequestKind kind =
            message.Contains("keep digging", StringComparison.OrdinalIgnoreCase) ? RequestKind.Runaway :
            message.Contains("summarize", StringComparison.OrdinalIgnoreCase) ? RequestKind.Summary : // "summarize ... refund policy" is a digest
            message.Contains("refund", StringComparison.OrdinalIgnoreCase) ? RequestKind.Refund :
            RequestKind.Lookup;
        Match email = EmailPattern().Match(message);
        Match order = OrderPattern().Match(message);
        Match amount = AmountPattern().Match(message);
        int end = message.IndexOfAny(['.', '?', '!']);
        string query = (end > 0 ? message[..end] : message).Trim();
        return new CustomerRequest(
            kind,
            query,
            email.Success ? email.Value : "customer@example.com",
            order.Success ? order.Groups[1].Value : null,
            amount.Success ? decimal.Parse(amount.Groups[1].Value, CultureInfo.InvariantCulture) : null);
    }

    [GeneratedRegex(@"[A-Za-z0-9._-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\border\s+([A-Z]-\d+)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"(\d+(?:\.\d{1,2})?)\s*USD\b")]
    private static partial Regex AmountPattern();
}
