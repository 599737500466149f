using System.Globalization;

namespace SupportDesk.Workload;

/// <summary>Writes customer messages for a kind of conversation, drawing order numbers, amounts, topics and customers from a seeded random source.</summary>
public static class QuestionWriter
{
    private static readonly string[] DigestTopics = ["shipping delays", "refund policy", "damaged items", "payment declined", "password reset", "invoices and VAT", "coupon codes", "data export"];
    private static readonly string[] InvestigationTopics = ["payment declined cards", "shipping carrier delays", "locked account login", "api rate limits"];
    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    /// <summary>Writes one message.</summary>
    /// <param name="kind">The kind of conversation.</param>
    /// <param name="tenant">The tenant (for the customer's address).</param>
    /// <param name="random">The tenant's random source.</param>
    /// <returns>The message and the customer who sent it (the run's principal).</returns>
    public static (string Question, string Customer) Write(ConversationKind kind, string tenant, Random random)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(random);
        string customer = string.Create(CultureInfo.InvariantCulture, $"customer{random.Next(1, 500):000}@{tenant}.example");
        string order = string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + random.Next(0, 6))}-{random.Next(1000, 9999)}");
        string question = kind switch
        {
            ConversationKind.OrderStatus =>
                $"Hi, where is my order {order}? It was due on {Days[random.Next(Days.Length)]}. Thanks, {customer}",
            ConversationKind.Refund =>
                string.Create(CultureInfo.InvariantCulture, $"Order {order} arrived damaged. Please refund {random.Next(10, 240)}.{random.Next(0, 100):00} USD to my card. {customer}"),
            ConversationKind.Digest =>
                $"Please summarize the knowledge-base articles about {DigestTopics[random.Next(DigestTopics.Length)]} for our weekly report. Send it to support-leads@{tenant}.example.",
            ConversationKind.Escalation =>
                string.Create(CultureInfo.InvariantCulture, $"URGENT: checkout is failing with error 502 for our customers since {random.Next(8, 18):00}:{random.Next(0, 60):00}. What is the workaround? Reach me at {customer}"),
            ConversationKind.Investigation =>
                $"Investigate every article related to {InvestigationTopics[random.Next(InvestigationTopics.Length)]} and keep digging{(random.Next(2) == 0 ? " thoroughly" : string.Empty)} until nothing new turns up. Report to ops@{tenant}.example.",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown conversation kind."),
        };
        return (question, customer);
    }
}
