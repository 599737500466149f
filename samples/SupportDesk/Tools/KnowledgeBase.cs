namespace SupportDesk.Tools;

/// <summary>
/// A small, fixed support knowledge base with a deterministic keyword search: the same query always returns the
/// same articles in the same order, so a run is reproducible from its seed.
/// </summary>
public sealed class KnowledgeBase
{
    private static readonly char[] Separators = [' ', ',', '.', ';', ':', '?', '!', '-', '(', ')', '"', '\'', '/', '\n'];

    private readonly (KbArticle Article, string[] Keywords)[] _articles;

    /// <summary>Creates the knowledge base the sample ships with.</summary>
    public KnowledgeBase()
    {
        _articles =
        [
            Article("KB-101", "Where is my order?", "Orders ship within two business days; the tracking link is in the confirmation email.", "order", "orders", "where", "tracking", "status", "shipping", "late", "due"),
            Article("KB-102", "Shipping delays this week", "A carrier backlog adds up to three days to ground shipping; express is unaffected.", "shipping", "delay", "delays", "late", "carrier", "due", "order"),
            Article("KB-103", "International shipping", "International orders clear customs in 3-10 days; duties are shown at checkout.", "international", "customs", "duties", "shipping"),
            Article("KB-110", "Refund policy", "Damaged or missing items are refunded in full to the original payment method within 5 days.", "refund", "refunds", "money", "back", "policy", "damaged", "card"),
            Article("KB-111", "Damaged items", "Keep the packaging; a photo of the damage speeds up a refund or replacement.", "damaged", "broken", "arrived", "item", "replacement", "refund"),
            Article("KB-112", "Returns", "Unused items can be returned within 30 days with the prepaid label from the account page.", "return", "returns", "label", "unused"),
            Article("KB-113", "Refunds above 500 USD", "Refunds above 500 USD need a second approval from the finance team.", "refund", "large", "approval", "finance"),
            Article("KB-120", "Checkout is failing", "If checkout fails with error 502, customers can pay by invoice until the payment provider recovers.", "checkout", "failing", "fails", "error", "outage", "payment", "workaround", "urgent"),
            Article("KB-121", "Payment declined", "A declined card is usually a bank-side fraud check; retrying after 10 minutes often succeeds.", "payment", "declined", "card", "bank"),
            Article("KB-122", "Invoices and VAT", "Invoices with VAT numbers are available as PDF in the billing section.", "invoice", "invoices", "vat", "billing", "pdf"),
            Article("KB-130", "Password reset", "The reset link is valid for one hour; single sign-on accounts reset with their identity provider.", "password", "reset", "login", "sso"),
            Article("KB-131", "Locked accounts", "Five failed logins lock an account for 15 minutes; support can unlock it sooner after verification.", "locked", "account", "login", "unlock"),
            Article("KB-140", "API rate limits", "The public API allows 100 requests per minute per key; 429 responses carry Retry-After.", "api", "rate", "limits", "429", "integration"),
            Article("KB-141", "Data export", "Account owners can export all orders as CSV from settings; large exports arrive by email.", "export", "data", "csv", "report"),
            Article("KB-142", "Deleting personal data", "Deletion requests are completed within 30 days and confirmed by email.", "delete", "deletion", "gdpr", "privacy", "data"),
            Article("KB-150", "Subscription plans", "Plans can be changed at any time; the difference is prorated on the next invoice.", "plan", "plans", "subscription", "upgrade", "downgrade"),
            Article("KB-151", "Coupon codes", "One coupon per order; codes are case-insensitive and expire at midnight UTC.", "coupon", "code", "discount", "promotion"),
            Article("KB-152", "Gift cards", "Gift cards never expire and can be combined with a coupon.", "gift", "card", "cards"),
            Article("KB-160", "Warranty claims", "Electronics carry a two-year warranty; claims need the order number and serial number.", "warranty", "claim", "broken", "repair"),
            Article("KB-161", "Price match", "We match a lower price from listed retailers within 14 days of purchase.", "price", "match", "cheaper"),
            Article("KB-170", "Weekly support digest", "The digest groups tickets by topic and lists the knowledge-base articles that resolved them.", "weekly", "digest", "report", "tickets", "summary"),
            Article("KB-199", "Contacting support", "Support answers within four hours on business days; urgent outages are handled around the clock.", "help", "support", "contact", "urgent"),
        ];
    }

    /// <summary>The number of articles.</summary>
    public int Count => _articles.Length;

    /// <summary>
    /// Returns up to <paramref name="top"/> articles that share the most keywords with <paramref name="query"/> (ties by
    /// id), or the general help article when nothing matches.
    /// </summary>
    /// <param name="query">Free text.</param>
    /// <param name="top">Most articles returned; at least 1.</param>
    public IReadOnlyList<KbArticle> Search(string query, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var words = new HashSet<string>(query.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        KbArticle[] matches = _articles
            .Select(a => (a.Article, Score: a.Keywords.Count(words.Contains)))
            .Where(m => m.Score > 0)
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Article.Id, StringComparer.Ordinal)
            .Take(top)
            .Select(m => m.Article)
            .ToArray();
        return matches.Length > 0 ? matches : [_articles[^1].Article];
    }

    private static (KbArticle, string[]) Article(string id, string title, string summary, params string[] keywords) =>
        (new KbArticle(id, title, summary), keywords);
}
