using AgentQuotas.Tools;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

/// <summary>
/// The <see cref="IAutoFunctionInvocationFilter"/> of AgentQuotas, for automatic function calling
/// (<c>FunctionChoiceBehavior.Auto()</c>): it marks the invocation as the model's, so the <see cref="AgentQuotasFunctionFilter"/>
/// beneath it answers a refusal or a draft with a result the model reads (reason, <c>RetryAfter</c>, or the marked draft)
/// instead of throwing; and inside a prompt function it counts each further model round trip as an iteration of the run.
/// When the run allows no further turn, the calls of that round are refused and function calling ends
/// (<see cref="Microsoft.Extensions.AI.FunctionInvocationContext.Terminate"/>), so the loop cannot run away.
/// Added by <see cref="AgentQuotasKernelExtensions"/>; the guard itself is the function-invocation filter, so it applies to
/// automatic and manual invocations alike.
/// </summary>
public sealed class AgentQuotasAutoFunctionFilter : IAutoFunctionInvocationFilter
{
    /// <inheritdoc/>
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (PromptTurns.Current?.OnFunctionCall(context.RequestSequenceIndex) is QuotaDecision refused)
        {
            context.Terminate = true;
            context.Result = new FunctionResult(context.Function, ToolRefusal.From(refused.ToException()));
            return;
        }

        using AutoInvocation.Scope scope = AutoInvocation.Begin(context.Function);
        await next(context).ConfigureAwait(false);
    }
}
