using AgentQuotas.Tools;
using Microsoft.SemanticKernel;

namespace AgentQuotas.SemanticKernel;

/// <summary>
/// The <see cref="IFunctionInvocationFilter"/> that guards every <see cref="KernelFunction"/> invocation through
/// <see cref="GuardedToolInvoker"/>: in the current <see cref="AgentRun"/> (fail closed outside one), under the tool's quota
/// (the generated registry by the function's underlying method, else by its plugin and function name, else by name, else
/// the policy's <c>tools</c> section; a function covered by none is refused). Prompt functions are model turns, not tools:
/// each counts as an iteration of the run. Added by <see cref="AgentQuotasKernelExtensions"/>.
/// </summary>
/// <remarks>
/// A manual invocation (<c>kernel.InvokeAsync(function)</c>) behaves as a direct call of an annotated method: a refusal throws
/// (<see cref="QuotaExceededException"/> with the reason and <c>RetryAfter</c>, <see cref="UnknownToolException"/>, or
/// <see cref="Guard.ToolArgumentException"/>), and a fallback's draft becomes the function's result, with the
/// <see cref="DegradedCall"/> in its metadata under <see cref="DegradationKey"/>. Under automatic function calling (the
/// <see cref="AgentQuotasAutoFunctionFilter"/> marks it) the model reads the refusal or the plainly marked draft as the
/// function's result instead. A streamed tool function is run to its end inside the guard, then replayed.
/// </remarks>
public sealed class AgentQuotasFunctionFilter : IFunctionInvocationFilter
{
    /// <summary>The <see cref="FunctionResult.Metadata"/> key of the <see cref="DegradedCall"/> of a result a fallback drafted.</summary>
    public const string DegradationKey = "agentquotas.degradation";

    private readonly AgentQuotasKernelOptions _options;

    /// <summary>Creates the filter.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public AgentQuotasFunctionFilter(AgentQuotasKernelOptions? options = null)
    {
        _options = options ?? new AgentQuotasKernelOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        KernelFunction function = context.Function;
        bool automatic = AutoInvocation.Take(function);
        if (KernelFunctions.IsPrompt(function))
        {
            await InvokeModelTurnAsync(context, next).ConfigureAwait(false);
            return;
        }

        FunctionResult? stream = null;
        if (context.IsStreaming)
        {
            // A streamed function starts only when its stream is read: get the (unread) stream now, read it inside the guard.
            await next(context).ConfigureAwait(false);
            stream = context.Result;
        }

        var call = new ToolCall(function.Name, context.Arguments)
        {
            Method = function.UnderlyingMethod,
            PluginName = function.PluginName,
            Target = function.UnderlyingMethod is { IsStatic: false, DeclaringType: Type type } ? _options.FindTarget(type, context.Kernel.Services) : null,
            Registry = _options.Registry,
        };
        ToolCallResult result = await GuardedToolInvoker.InvokeAsync(call, ct => RunAsync(context, next, stream, ct), context.CancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case ToolCallOutcome.Ran:
                return; // the function set its own result
            case ToolCallOutcome.Drafted when !automatic:
                var metadata = new Dictionary<string, object?> { [DegradationKey] = result.Degradation };
                object? draft = stream is null ? result.Value : StreamReplay.Single(stream, result);
                context.Result = new FunctionResult(function, draft, context.Kernel.Culture, metadata);
                return;
            default:
                if (!automatic)
                {
                    throw result.ToException();
                }

                // The model reads why (reason, RetryAfter) or the marked draft, as the function's result.
                context.Result = new FunctionResult(function, result.ToModelResult(), context.Kernel.Culture);
                return;
        }
    }

    private static async ValueTask<object?> RunAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next, FunctionResult? stream, CancellationToken cancellationToken)
    {
        if (stream is null)
        {
            await next(context).ConfigureAwait(false);
            return context.Result.GetValue<object>();
        }

        context.Result = await StreamReplay.BufferAsync(stream, cancellationToken).ConfigureAwait(false);
        return context.Result.GetValue<object>();
    }

    private async Task InvokeModelTurnAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        AgentRun run = AgentRun.RequireCurrent("Semantic Kernel prompt function '" + context.Function.Name + "'");
        if (!_options.CountModelTurns)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        run.TryBeginIteration().ThrowIfDenied();
        using PromptTurns.Scope scope = PromptTurns.Begin(run);
        await next(context).ConfigureAwait(false);
    }
}
