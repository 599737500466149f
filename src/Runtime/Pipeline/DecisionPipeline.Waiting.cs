using AgentQuotas.Scheduling;
using AgentQuotas.Stores;

namespace AgentQuotas.Pipeline;

// The asynchronous path's waits: awaits what a step handed back, lets that step take the answer, and resumes
// the core at the step after. A caller that cancels a wait in a queue gets nothing charged and a record of it.
internal sealed partial class DecisionPipeline
{
    private async ValueTask<Admission> WaitAsync(Attempt a, Pending pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            Flow flow;
            Refusal refusal = default;
            try
            {
                PendingKind kind = pending.Kind;
                switch (kind)
                {
                    case PendingKind.Store:
                        QuotaStoreResult taken = await pending.Store.ConfigureAwait(false);
                        flow = Answered(ref a, ref pending).OnStoreAnswered(ref a, taken, canWait: true, ref pending, cancellationToken, ref refusal);
                        break;

                    case PendingKind.Principal:
                        QuotaStoreResult principal = await pending.Store.ConfigureAwait(false);
                        Answered(ref a, ref pending);
                        flow = PrincipalStep.OnAnswered(ref a, principal, ref refusal);
                        break;

                    case PendingKind.BucketEntry:
                        BucketEntry entry = await pending.Entering.ConfigureAwait(false);
                        flow = Answered(ref a, ref pending).OnEntered(ref a, entry, ref pending, ref refusal);
                        break;

                    case PendingKind.BucketWait or PendingKind.PoolWait:
                        WaitResult wait = await pending.Waiter!.Task.ConfigureAwait(false);
                        Answered(ref a, ref pending);
                        flow = kind == PendingKind.BucketWait ? BucketStep.OnWaited(ref a, wait, ref refusal) : PoolStep.OnWaited(ref a, wait, ref refusal);
                        break;

                    default:
                        ApprovalDecision approval = await pending.Approval.ConfigureAwait(false);
                        Answered(ref a, ref pending);
                        flow = ApprovalStep.OnAnswered(ref a, approval, ref refusal);
                        break;
                }

                if (flow == Flow.Next && a.Stage != Stage.Done)
                {
                    a.Stage++; // the step that waited is done
                    flow = Advance(ref a, canWait: true, ref pending, cancellationToken, ref refusal);
                }
            }
            catch (OperationCanceledException) when (pending.Kind is PendingKind.BucketWait or PendingKind.PoolWait)
            {
                TimeSpan waited = a.Waited + TimeSpan.FromTicks(_bucket.Buckets.Now() - pending.Waiter!.EnqueuedAt);
                await Undo(ref a, synchronous: false).ConfigureAwait(false);
                a.Timestamp = _clock.Timestamp();
                _record.Cancelled(in a, waited);
                throw;
            }
            catch
            {
                await Undo(ref a, synchronous: false).ConfigureAwait(false);
                throw;
            }

            if (flow == Flow.Next)
            {
                return Admit(ref a);
            }

            if (flow == Flow.Refused)
            {
                Admission refused = Refuse(ref a, in refusal, synchronous: false, out ValueTask undone);
                await undone.ConfigureAwait(false);
                return refused;
            }
        }
    }

    // A wait ended: the attempt's timestamp moves to now (the wait took time) and nothing is pending any more.
    private BucketStep Answered(ref Attempt a, ref Pending pending)
    {
        a.Timestamp = _clock.Timestamp();
        pending = default;
        return _bucket;
    }
}
