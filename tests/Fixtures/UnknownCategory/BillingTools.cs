using AgentQuotas;

namespace UnknownCategory;

/// <summary>Tools budgeted in code, one of them in a category the policy does not know.</summary>
public sealed class BillingTools
{
    [AgentTool("search_invoices", "Searches invoices")]
    [QuotaCategory("search"), Cost(2)]
    public Task<string> SearchInvoicesAsync(string query) => Task.FromResult(query);

    // AQ0002: "payments" has no budget in agentquotas.json, so every call would be refused at run time.
    [AgentTool("charge", "Charges a card")]
    [QuotaCategory("payments"), Cost(1)]
    public Task<string> ChargeAsync(string customerId, decimal amount) => Task.FromResult(customerId);
}
