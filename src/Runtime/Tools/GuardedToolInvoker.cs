using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AgentQuotas.Guard;
using AgentQuotas.Policy;

namespace AgentQuotas.Tools;

/// <summary>
/// The one entry every framework integration calls to run a tool under AgentQuotas: the same decision as a direct
/// call of an annotated method. In the current <see cref="AgentRun"/> (fail closed outside one), it finds the tool's
/// quota (the descriptor given, else <see cref="ToolRegistry"/>, else the policy's <c>tools</c> section, else the tool
/// is refused), acquires through the run (cost, run caps, buckets, approval, audit), runs the tool on admission and
/// completes or fails the ticket, serves the fallback on DraftOnly, and otherwise returns the refusal with its reason
/// and <c>RetryAfter</c>.
/// </summary>
/// <remarks>
/// Nothing is admitted twice and nothing stays charged for a tool that never ran: the first guard reached inside an admitted
/// call that is for the same tool (an intercepted call of the method in the framework's delegate, a guarded function wrapped
/// again) runs it without acquiring again (<see cref="AdmittedToolCall"/>), while any other tool called inside is guarded as
/// usual; a call cancelled while waiting for
/// admission is refunded by the gate, one cancelled between admission and the tool's start is withdrawn. A tool that
/// throws fails its ticket (its circuit breaker counts it) and the exception propagates, as for a direct call.
/// </remarks>
public static class GuardedToolInvoker
{
    /// <summary>Runs one tool call under the current run's quota.</summary>
    /// <param name="call">The call as the framework presents it.</param>
    /// <param name="invokeTool">Runs the real tool; called at most once, only when the gate admitted the call.</param>
    /// <param name="cancellationToken">Cancels waiting for admission and the tool.</param>
    /// <returns>What became of the call.</returns>
    /// <exception cref="InvalidOperationException">There is no current run (guarded calls fail closed).</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled; nothing stays charged unless the tool had started.</exception>
    public static async ValueTask<ToolCallResult> InvokeAsync(ToolCall call, Func<CancellationToken, ValueTask<object?>> invokeTool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(invokeTool);
        AgentRun run = AgentRun.RequireCurrent(call.ToString());
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryResolve(call, run.Gate.Policy, out ToolDescriptor? tool, out string? refusal))
        {
            return ToolCallResult.ForUnknown(call.Name, run.Gate.RefuseUnknownTool(run, call.Name, refusal));
        }

        if (AdmittedToolCall.TryPassThrough(tool.QuotaTool, out QuotaDecision admitted))
        {
            // A guard around this one (a framework's) already admitted this very call: run it, charged once, outside.
            object? passed = await invokeTool(cancellationToken).ConfigureAwait(false);
            return ToolCallResult.ForRan(tool, call.Name, passed, admitted);
        }

        double cost;
        try
        {
            cost = tool.EstimateCost(call.Arguments);
        }
        catch (ToolArgumentException e)
        {
            return ToolCallResult.ForInvalidArguments(tool, call.Name, e);
        }

        ApprovalBinding approval = default;
        if (tool.QuotaTool.RequiresApproval)
        {
            // The approval is bound to these arguments: a resume with other arguments is refused (ApprovalMismatch).
            try
            {
                approval = new ApprovalBinding(ApprovalBinding.DigestOf(call.Arguments), call.ApprovalId);
            }
            catch (ArgumentException e)
            {
                return ToolCallResult.ForInvalidArguments(tool, call.Name, new ToolArgumentException(call.Name, "arguments", e.Message, e));
            }
        }

        QuotaTicket ticket = await run.AcquirePrivilegedAsync(tool.QuotaTool, cost, approval, cancellationToken).ConfigureAwait(false);
        if (ticket.IsAdmitted)
        {
            return await RunAdmittedAsync(ticket, tool, call, invokeTool, cancellationToken).ConfigureAwait(false);
        }

        if (ticket.Mode == DegradationMode.DraftOnly && tool.Fallbacks.Count > 0)
        {
            return await RunFallbacksAsync(ticket, tool, call, cancellationToken).ConfigureAwait(false);
        }

        return ToolCallResult.ForDenied(tool, call.Name, ticket.Decision);
    }

    /// <summary>
    /// Serves a call degraded to DraftOnly from the tool's fallbacks (<see cref="ToolDescriptor.Fallbacks"/>), in order: a
    /// fallback that throws a <see cref="QuotaExceededException"/> (refused by its own guard, or a guarded call inside it was)
    /// hands over to the next; one that needs the tool's instance when the framework gave none is passed over. The last
    /// refusal propagates, as a single fallback's does; when no fallback could run at all, the call is refused saying so.
    /// </summary>
    private static async ValueTask<ToolCallResult> RunFallbacksAsync(QuotaTicket ticket, ToolDescriptor tool, ToolCall call, CancellationToken cancellationToken)
    {
        IReadOnlyList<ToolFallbackStep> steps = tool.Fallbacks;
        DegradedCall? degradation = null;
        QuotaExceededException? refused = null;
        for (int i = 0; i < steps.Count; i++)
        {
            ToolFallbackStep step = steps[i];
            if (step.NeedsTarget && call.Target is null)
            {
                continue;
            }

            degradation ??= ToolGuard.Degrade(ticket);
            try
            {
                object? draft = await step.Fallback(call.Target, call.Arguments, cancellationToken).ConfigureAwait(false);
                return ToolCallResult.ForDrafted(tool, call.Name, ToolGuard.ServedByFallback(degradation, draft), degradation);
            }
            catch (ToolArgumentException e)
            {
                return ToolCallResult.ForInvalidArguments(tool, call.Name, e);
            }
            catch (QuotaExceededException e) when (i < steps.Count - 1)
            {
                refused = e;
            }
        }

        if (refused is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refused);
        }

        return ToolCallResult.ForDenied(tool, call.Name, ticket.Decision, steps.Count == 1
            ? "Its fallback needs the tool's instance, which this framework did not provide, so no draft was made."
            : "Its fallbacks need the tool's instance, which this framework did not provide, so no draft was made.");
    }

    /// <summary>
    /// Finds the quota of a call's tool: the descriptor the call carries, else the registry (by method, by Semantic Kernel
    /// plugin and function, by name), else the policy's <c>tools</c> section.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="policy">The policy in force (its <c>tools</c> section).</param>
    /// <param name="tool">The tool's descriptor, when found.</param>
    /// <param name="refusal">When not found: why, naming the tool and the fix.</param>
    /// <returns><see langword="false"/> when nothing covers the tool: it must be refused.</returns>
    public static bool TryResolve(ToolCall call, QuotaPolicy policy, [NotNullWhen(true)] out ToolDescriptor? tool, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(policy);
        refusal = null;
        tool = call.Descriptor;
        if (tool is not null
            || (call.Method is not null && call.Registry.TryGet(call.Method, out tool))
            || (call.PluginName is not null && call.Registry.TryGet(call.PluginName, call.Name, out tool))
            || call.Registry.TryGet(call.Name, out tool))
        {
            return true;
        }

        // The name comes from the model: one that breaks the identity-string rule cannot be recorded or metered as
        // itself, so it is refused here instead of failing inside the gate.
        if (Policy.Schema.IdentityText.Problem(call.Name) is string problem)
        {
            refusal = string.Format(
                CultureInfo.InvariantCulture,
                "Tool '{0}' was refused: its name {1}, so no annotated tool or policy entry can be called by it and nothing ran.",
                Policy.Schema.IdentityText.Escape(call.Name), problem);
            return false;
        }

        if (policy.TryMatchTool(call.Name, out ToolQuotaRule? rule))
        {
            tool = rule.DescriptorFor(call.Name);
            return true;
        }

        string ambiguity = call.Registry.IsAmbiguous(call.Name)
            ? " Several annotated tools are called '" + call.Name + "', and the framework did not say which method this call is for."
            : string.Empty;
        refusal = string.Format(
            CultureInfo.InvariantCulture,
            "Tool '{0}' has no quota: it is not an annotated tool ([Cost] and [QuotaCategory] on its method) and no entry of the " +
            "policy's \"tools\" section (policy {1}) covers it, so it was refused and nothing ran.{2} Fix: annotate the method, or add " +
            "\"tools\": {{ \"{0}\": {{ \"category\": \"...\", \"cost\": 1 }} }} to agentquotas.json (a \"*\" entry gives every unlisted tool a quota).",
            call.Name, policy.Version, ambiguity);
        return false;
    }

    private static async ValueTask<ToolCallResult> RunAdmittedAsync(QuotaTicket ticket, ToolDescriptor tool, ToolCall call, Func<CancellationToken, ValueTask<object?>> invokeTool, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // Admitted, but the caller gave up before the tool started: give everything back.
            ticket.Withdraw("The caller cancelled after admission, before the tool started; nothing was charged.");
            cancellationToken.ThrowIfCancellationRequested();
        }

        object? value;
        try
        {
            // While the tool runs, the first guard inside it that is for the same tool passes the call through (AdmittedToolCall).
            using (AdmittedToolCall.Enter(ticket.Run, tool.QuotaTool, ticket.Decision))
            {
                value = await invokeTool(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            ticket.Fail(e);
            throw;
        }

        ticket.Complete(value is IActualCost reported ? reported.ActualCost : null);
        return ToolCallResult.ForRan(tool, call.Name, value, ticket.Decision);
    }
}
