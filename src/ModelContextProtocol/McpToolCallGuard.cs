using System.Reflection;
using System.Text.Json;
using AgentQuotas.Tools;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentQuotas.ModelContextProtocol;

// The call-tool filter: one tools/call request, in a run of its own for the authenticated caller, through GuardedToolInvoker.
internal sealed class McpToolCallGuard(AgentQuotasMcpServerOptions options)
{
    public McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) => InvokeAsync(request, next, cancellationToken);

    private async ValueTask<CallToolResult> InvokeAsync(
        RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, CallToolResult> next, CancellationToken cancellationToken)
    {
        string? name = request.Params?.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return await next(request, cancellationToken).ConfigureAwait(false);   // malformed: the SDK answers with a protocol error
        }

        AgentIdentity? identity;
        try
        {
            identity = options.Identify(request.User);
        }
        catch (ArgumentException e)
        {
            return McpToolResults.Refused(name, "unauthenticated", $"Tool '{name}' was refused: the caller's identity is not valid ({e.Message}). Nothing ran.");
        }

        if (identity is null)
        {
            return McpToolResults.Refused(name, "unauthenticated",
                $"Tool '{name}' was refused: the request has no authenticated caller with a tenant and a principal, and AgentQuotas runs " +
                "guarded tools only for one. Nothing ran.");
        }

        if ((options.Gate ?? request.Services?.GetService<QuotaGate>()) is not QuotaGate gate)
        {
            return McpToolResults.Refused(name, "not_configured",
                $"Tool '{name}' was refused: AgentQuotas has no QuotaGate (set AgentQuotasMcpServerOptions.Gate or register one with " +
                "services.AddAgentQuotas(policyPath)). Nothing ran.");
        }

        using AgentRun run = gate.BeginRun(identity, options.WorkloadClass, options.Workflow, options.Limits);
        MethodInfo? method = (request.MatchedPrimitive as McpServerTool)?.Metadata.OfType<MethodInfo>().FirstOrDefault();
        var call = new ToolCall(name, Arguments(request.Params!.Arguments)) { Method = method, Registry = options.Registry };
        object? target = FallbackTarget(call, gate, method, request.Services, out bool created);
        if (target is not null)
        {
            call = new ToolCall(name, call.Arguments) { Method = method, Registry = options.Registry, Target = target };
        }

        try
        {
            ToolCallResult result = await GuardedToolInvoker.InvokeAsync(
                call, async ct => await next(request, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return result.Outcome == ToolCallOutcome.Ran ? (CallToolResult)result.Value! : McpToolResults.From(result);
        }
        finally
        {
            if (created)
            {
                await DisposeAsync(target).ConfigureAwait(false);
            }
        }
    }

    private static Dictionary<string, object?> Arguments(IDictionary<string, JsonElement>? arguments) =>
        arguments is null ? [] : arguments.ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal);

    // The SDK creates the instance of an instance tool per request and does not expose it; an instance fallback gets one made
    // the same way (from the request's services), and only when the tool has one.
    private static object? FallbackTarget(ToolCall call, QuotaGate gate, MethodInfo? method, IServiceProvider? services, out bool created)
    {
        created = false;
        if (method is not { IsStatic: false, DeclaringType: Type type } || services is null
            || !GuardedToolInvoker.TryResolve(call, gate.Policy, out ToolDescriptor? tool, out _) || !tool.Fallbacks.Any(step => step.NeedsTarget))
        {
            return null;
        }

        if (services.GetService(type) is object registered)
        {
            return registered;
        }

        created = true;
        return ActivatorUtilities.CreateInstance(services, type);
    }

    private static async ValueTask DisposeAsync(object? target)
    {
        if (target is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (target is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
