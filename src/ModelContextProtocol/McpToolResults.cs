using System.Text.Json;
using System.Text.Json.Nodes;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace AgentQuotas.ModelContextProtocol;

// What an MCP client (and the model behind it) reads when a call did not run in full: a tool result, not a protocol error.
// The text content is the same JSON the other integrations hand a model (ToolRefusal, FallbackToolResult).
internal static class McpToolResults
{
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static CallToolResult From(ToolCallResult result) => new()
    {
        IsError = result.Outcome != ToolCallOutcome.Drafted,
        Content = [new TextContentBlock { Text = JsonSerializer.Serialize(result.ToModelResult(), Compact) }],
    };

    public static CallToolResult Refused(string tool, string error, string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock
        {
            Text = new JsonObject { ["error"] = error, ["tool"] = tool, ["ran"] = false, ["message"] = message }.ToJsonString(Compact),
        }],
    };
}
