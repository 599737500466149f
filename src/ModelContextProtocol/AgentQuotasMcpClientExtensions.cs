using AgentQuotas.Extensions.AI;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;

namespace AgentQuotas.ModelContextProtocol;

/// <summary>
/// Puts the tools of an MCP client under AgentQuotas before a model sees them: <c>(await client.ListToolsAsync()).WithAgentQuotas()</c>
/// or <c>await client.ListToolsWithAgentQuotasAsync()</c>.
/// </summary>
/// <remarks>
/// An MCP client's tools belong to someone else, so nothing annotates them: each call takes its quota from the policy's
/// <c>tools</c> section by the tool's name (an entry or a pattern such as <c>"crm_*"</c>), and a tool no entry covers is refused.
/// Each call runs in the caller's current agent run (fail closed outside one). The wrapper is AgentQuotas.Extensions.AI's
/// <see cref="GuardedAIFunction"/> (an <see cref="McpClientTool"/> is an <see cref="AIFunction"/>), so a refusal reaches the
/// model as a <see cref="ToolRefusal"/> with the reason and <c>RetryAfter</c>, and a pipeline built with <c>UseAgentQuotas()</c>
/// does not guard the call a second time.
/// </remarks>
public static class AgentQuotasMcpClientExtensions
{
    // A server names its own tools: a name must not borrow the annotations of a local tool that happens to share it.
    private static readonly ToolRegistry NoAnnotatedTools = new();

    /// <summary>Wraps each tool so its every invocation is guarded by the policy's quota for its name.</summary>
    /// <param name="tools">Tools from <c>McpClient.ListToolsAsync</c>.</param>
    /// <param name="registry">
    /// Annotated tools to look a client tool up in before the policy; by default none, so the quota comes from the policy
    /// alone (a server chooses its tools' names, and a name must not borrow the annotations of a local tool that shares it).
    /// </param>
    /// <returns>The guarded functions, in order, to put in <c>ChatOptions.Tools</c> or give to an agent.</returns>
    public static IList<AIFunction> WithAgentQuotas(this IEnumerable<McpClientTool> tools, ToolRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        return [.. tools.Select(t => t.WithAgentQuotas(registry: registry ?? NoAnnotatedTools))];
    }

    /// <summary>Lists the server's tools and wraps them like <see cref="WithAgentQuotas(IEnumerable{McpClientTool}, ToolRegistry?)"/>.</summary>
    /// <param name="client">The MCP client.</param>
    /// <param name="registry">Annotated tools to look a client tool up in before the policy; by default none.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The guarded functions.</returns>
    public static async Task<IList<AIFunction>> ListToolsWithAgentQuotasAsync(this McpClient client, ToolRegistry? registry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return tools.WithAgentQuotas(registry);
    }
}
