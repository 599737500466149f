using Microsoft.Extensions.AI;

namespace Unbudgeted;

/// <summary>Answers a customer by asking the model until it stops asking for tools.</summary>
public sealed class ShopAssistant(IChatClient chat, ShopTools tools)
{
    // AQ0003: nothing bounds this loop; a model that keeps asking for more searches runs until the budget is gone.
    public async Task<string> AnswerAsync(string question)
    {
        var messages = new List<ChatMessage> { new(ChatRole.User, question) };
        while (true)
        {
            ChatResponse response = await chat.GetResponseAsync(messages);
            if (!response.Text.StartsWith("search:", StringComparison.Ordinal))
            {
                return response.Text;
            }

            string results = await tools.SearchCatalogAsync(response.Text["search:".Length..]);
            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }
    }
}
