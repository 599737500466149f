using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace AgentQuotas.Pipeline;

/// <summary>
/// Step 6: the approval service, asked only when the call could run (so approvers never see calls that would be
/// refused anyway). The synchronous path takes only an answer given synchronously; the asynchronous path waits
/// at most the approval timeout. A failing service, a late answer or no answer count as "not approved".
/// </summary>
internal sealed class ApprovalStep
{
    private readonly IApprovalService _approval;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ApprovalStep(IApprovalService approval, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _approval = approval;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow Ask(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal) =>
        a.Tool.RequiresApproval ? AskService(ref a, canWait, ref pending, cancellationToken, ref refusal) : Flow.Next;

    private Flow AskService(ref Attempt a, bool canWait, ref Pending pending, CancellationToken cancellationToken, ref Refusal refusal)
    {
        if (!canWait)
        {
            return OnAnswered(ref a, AskSynchronously(in a), ref refusal);
        }

        ValueTask<ApprovalDecision> answer = AskBoundedAsync(CreateRequest(in a), a.Tool.Name, a.Identity.Tenant, cancellationToken);
        if (answer.IsCompletedSuccessfully)
        {
            return OnAnswered(ref a, answer.Result, ref refusal);
        }

        pending.Kind = PendingKind.Approval;
        pending.Approval = answer;
        return Flow.Wait;
    }

    public static Flow OnAnswered(ref Attempt a, ApprovalDecision approval, ref Refusal refusal)
    {
        a.Approval = approval.Approval;
        if (approval.Status == ApprovalStatus.Approved)
        {
            a.Detail = approval.Approval is null ? "approved by " + approval.Approver : "approved by " + approval.Approver + " (approval " + approval.Approval.Id + ")";
            return Flow.Next;
        }

        QuotaReason reason = approval.Refusal != QuotaReason.None ? approval.Refusal
            : approval.Status == ApprovalStatus.Denied ? QuotaReason.ApprovalDenied : QuotaReason.ApprovalRequired;
        string detail = approval.Status == ApprovalStatus.Denied && approval.Approver is not null
            ? $"Refused by {approval.Approver}: {approval.Reason}"
            : approval.Reason ?? "approval required";
        refusal = new Refusal(reason, new Stores.QuotaStoreResult(Stores.QuotaStoreOutcome.Admitted, a.Taken.Remaining + a.Cost), detail, approval: approval.Approval);
        return Flow.Refused;
    }

    private ApprovalRequest CreateRequest(in Attempt a) =>
        new(a.Identity, a.WorkloadClass, a.Workflow, a.Run?.Id, a.Tool, a.Cost, a.Policy.Version, _time.GetUtcNow(),
            a.Binding.ArgumentsDigest, a.Binding.ApprovalId);

    private ApprovalDecision AskSynchronously(in Attempt a)
    {
        ValueTask<ApprovalDecision> answer;
        try
        {
            answer = _approval.RequestApprovalAsync(CreateRequest(in a), CancellationToken.None);
            if (answer.IsCompletedSuccessfully)
            {
                return answer.Result;
            }

            if (answer.IsCompleted)
            {
                return answer.GetAwaiter().GetResult(); // rethrows the fault, handled below
            }
        }
        catch (Exception e)
        {
            Log.ApprovalServiceFailed(_logger, e, a.Tool.Name, a.Identity.Tenant);
            return ApprovalDecision.Pending("the approval service failed (" + e.GetType().Name + "); the call is not approved");
        }

        // The request stays filed with the approval service; this call does not wait for it.
        _ = Observe(answer.AsTask());
        return ApprovalDecision.Pending("the approval service answers asynchronously; call the tool on its async path to wait for the answer");
    }

    // Waits for the approval service at most the timeout (on the gate's clock). A late answer counts as
    // "not approved"; the request stays with the service, and its outcome (or fault) is observed and dropped.
    private async ValueTask<ApprovalDecision> AskBoundedAsync(ApprovalRequest request, string tool, string tenant, CancellationToken cancellationToken)
    {
        try
        {
            ValueTask<ApprovalDecision> answer = _approval.RequestApprovalAsync(request, cancellationToken);
            if (answer.IsCompleted)
            {
                return answer.GetAwaiter().GetResult();
            }

            Task<ApprovalDecision> pending = answer.AsTask();
            try
            {
                return await pending.WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!pending.IsCompleted)
            {
                _ = Observe(pending);
                return ApprovalDecision.Pending(
                    "the approval service did not answer within " + QuotaMessages.FormatDuration(_timeout) + "; the call is not approved");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !pending.IsCompleted)
            {
                _ = Observe(pending);
                throw;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Log.ApprovalServiceFailed(_logger, e, tool, tenant);
            return ApprovalDecision.Pending("the approval service failed (" + e.GetType().Name + "); the call is not approved");
        }
    }

    private static async Task Observe(Task<ApprovalDecision> late)
    {
        try
        {
            await late.ConfigureAwait(false);
        }
        catch
        {
            // Nothing waits for this answer any more.
        }
    }
}
