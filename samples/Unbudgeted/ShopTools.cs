using AgentQuotas;

namespace Unbudgeted;

/// <summary>Tools the shop assistant offers to the model.</summary>
[QuotaCategory("search")]
public sealed class ShopTools
{
    [AgentTool("search_catalog", "Searches the product catalog")]
    [Cost(5)]
    public Task<string> SearchCatalogAsync(string query) => Task.FromResult($"3 products match '{query}'");

    // AQ0001: the model can call this tool as often as it likes; nothing says what a call costs.
    [AgentTool("order_status", "Looks up the status of an order")]
    [QuotaCategory("orders")]
    public Task<string> OrderStatusAsync(string orderId) => Task.FromResult($"{orderId}: shipped");
}
