using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

/// <summary>Wraps a chat client in a <see cref="GuardedChatClient"/>.</summary>
public static class GuardedChatClientExtensions
{
    /// <summary>
    /// Returns a client that counts each model turn against the current agent run, charges token usage
    /// and withholds tools once the run's tool budget is spent. With a <c>ChatClientBuilder</c>, use
    /// <c>builder.Use(inner =&gt; inner.WithAgentQuotas(options))</c>.
    /// </summary>
    /// <param name="client">The client that talks to the model.</param>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public static GuardedChatClient WithAgentQuotas(this IChatClient client, GuardedChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new GuardedChatClient(client, options);
    }
}
