using AgentQuotas.Guard;
using AgentQuotas.Tools;
using Microsoft.Extensions.AI;

namespace AgentQuotas.Extensions.AI;

// One function invocation of a FunctionInvokingChatClient under the guard: shared by AgentQuotasFunctionInvokingChatClient
// and the Agent Framework middleware (which hooks an agent's own client through FunctionInvoker).
internal static class FunctionGuard
{
    public static async ValueTask<object?> InvokeAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>> next,
        ToolRegistry registry,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        AIFunction function = context.Function;
        if (GuardedFunctions.IsGuarded(function))
        {
            try
            {
                return await next(context, cancellationToken).ConfigureAwait(false);
            }
            catch (QuotaExceededException e)
            {
                return ToolRefusal.From(e);   // a generated AIFunction's denial: tell the model why and when to retry
            }
            catch (ToolArgumentException e)
            {
                return ToolRefusal.From(e);
            }
        }

        var call = new ToolCall(function.Name, context.Arguments) { Method = function.UnderlyingMethod, Registry = registry };
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(call, ct => next(context, ct), cancellationToken).ConfigureAwait(false);
        return result.ToModelResult();
    }
}
