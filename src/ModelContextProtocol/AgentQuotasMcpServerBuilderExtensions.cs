using Microsoft.Extensions.DependencyInjection;

namespace AgentQuotas.ModelContextProtocol;

/// <summary>Puts an MCP server's tools under AgentQuotas: <c>services.AddMcpServer().WithTools&lt;T&gt;().AddAgentQuotas()</c>.</summary>
public static class AgentQuotasMcpServerBuilderExtensions
{
    /// <summary>
    /// Adds a call-tool filter that runs each tools/call request in an <see cref="AgentRun"/> of its own for the authenticated
    /// caller (see <see cref="AgentQuotasMcpServerOptions"/> for the claim mapping; no caller, no call) and guards it like a direct
    /// call of an annotated tool: the generated registry by the tool's method, else by name, else the policy's <c>tools</c>
    /// section, else refused. A refusal, a draft from the tool's fallback, or a refused caller comes back as a tool result
    /// (<c>IsError</c> for refusals) whose text is JSON with the reason and <c>retryAfterSeconds</c>, never as a protocol error.
    /// Adding it twice adds nothing.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Adjusts the options; defaults when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IMcpServerBuilder AddAgentQuotas(this IMcpServerBuilder builder, Action<AgentQuotasMcpServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(McpToolCallGuard)))
        {
            return builder;
        }

        var options = new AgentQuotasMcpServerOptions();
        configure?.Invoke(options);
        options.Validate();
        var guard = new McpToolCallGuard(options);
        builder.Services.AddSingleton(guard);
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(guard.Wrap));
    }
}
