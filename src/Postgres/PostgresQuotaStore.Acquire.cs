using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres;

// Acquisition and settlement, direct or through a local lease.
public sealed partial class PostgresQuotaStore
{
    private async ValueTask<QuotaStoreResult> AcquireCoreAsync(QuotaStoreRequest request, bool async, CancellationToken cancellationToken)
    {
        BucketLimits limits = request.Limits;
        ArgumentNullException.ThrowIfNull(limits, nameof(request));
        ValidateKey(request.Key);
        cancellationToken.ThrowIfCancellationRequested();
        BucketShape shape = BucketShape.Of(limits);
        bool emergency = request.AllowEmergency && shape.DebtTicks > 0;
        if (request.Cost > limits.MaxAdmissibleCost(emergency))
        {
            double available = double.NaN;
            try
            {
                available = (await PeekCoreAsync(request.Key, limits, async, cancellationToken).ConfigureAwait(false)).Available;
            }
            catch (PostgresStoreException)
            {
                // The answer does not depend on the server; only the level reported does.
            }

            return new QuotaStoreResult(QuotaStoreOutcome.CostExceedsCapacity, available);
        }

        long costTicks = shape.ToTicks(request.Cost);
        if (_options.EnableLeasing)
        {
            // A slice is a fraction of the bucket, and of each spend ceiling, so no host holds a whole day's budget.
            double fraction = _options.LeaseFraction;
            long sliceTicks = shape.ToTicksFloor(limits.Capacity * fraction);
            if (request.MaxCostPerDay is double day)
            {
                sliceTicks = Math.Min(sliceTicks, shape.ToTicksFloor(day * fraction));
            }

            if (request.MaxCostPerMonth is double month)
            {
                sliceTicks = Math.Min(sliceTicks, shape.ToTicksFloor(month * fraction));
            }

            if (sliceTicks > costTicks)
            {
                return await AcquireLeasedAsync(request, shape, costTicks, sliceTicks, emergency, async, cancellationToken).ConfigureAwait(false);
            }
        }

        var args = new AcquireArgs(request.Key, shape, ToDecimal(request.Cost), costTicks, costTicks, emergency,
            ToCeiling(request.MaxCostPerDay), ToCeiling(request.MaxCostPerMonth), 0, 0);
        if (async && _options.MaxBatchSize > 1)
        {
            return await AcquireCombinedAsync(request, args, shape, costTicks, cancellationToken).ConfigureAwait(false);
        }

        (CallStatus status, AcquireRow row) = await CallAcquireAsync(args, "acquire", async, cancellationToken).ConfigureAwait(false);
        return status == CallStatus.Done
            ? ToResult(request.Key.Tenant, shape, row)
            : DecideUnavailable(request, shape, costTicks);
    }

    private async ValueTask<QuotaStoreResult> AcquireLeasedAsync(
        QuotaStoreRequest request, BucketShape shape, long costTicks, long sliceTicks, bool emergency, bool async, CancellationToken cancellationToken)
    {
        decimal cost = ToDecimal(request.Cost);
        while (true)
        {
            LocalLease lease = _leases.GetOrAdd(request.Key, static _ => new LocalLease());
            if (lease.TryTake(shape, costTicks, cost, LocalTicks(), out double remaining))
            {
                return LeasedAdmission(remaining);
            }

            if (!emergency && lease.TryRefuse(shape, costTicks, LocalTicks(), out long waitTicks, out double available))
            {
                Interlocked.Increment(ref _localRefusals);
                return new QuotaStoreResult(QuotaStoreOutcome.BucketExhausted, available, TimeSpan.FromTicks(waitTicks));
            }

            if (async)
            {
                await lease.Refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                lease.Refresh.Wait(cancellationToken);
            }

            try
            {
                if (lease.Retired)
                {
                    continue; // swept away meanwhile: a fresh lease is in the table
                }

                // Another caller may have refreshed it while this one waited.
                if (lease.TryTake(shape, costTicks, cost, LocalTicks(), out remaining))
                {
                    return LeasedAdmission(remaining);
                }

                // One round trip returns what is left of the old slice and takes a new one.
                LocalLease.Snapshot old = lease.Drain();
                var args = new AcquireArgs(request.Key, shape, cost, costTicks, sliceTicks, emergency,
                    ToCeiling(request.MaxCostPerDay), ToCeiling(request.MaxCostPerMonth),
                    old.IsEmpty ? 0 : old.Shape!.ConvertTicks(old.Ticks, shape), old.IsEmpty ? 0 : old.Units);
                (CallStatus status, AcquireRow row) = await CallAcquireAsync(args, "lease", async, cancellationToken).ConfigureAwait(false);
                if (status == CallStatus.Done)
                {
                    QuotaStoreResult result = ToResult(request.Key.Tenant, shape, row);
                    long now = LocalTicks();
                    lease.Observe(shape, row.RemainingTicks, now);
                    if (result.IsAdmitted && row.TakenTicks > costTicks)
                    {
                        // Keep the slice until LeaseDuration passes or the UTC day ends (spend belongs to its day).
                        long life = Math.Min(_options.LeaseDuration.Ticks, Math.Max(0, row.NextDayTicks - row.NowTicks));
                        lease.Fill(shape, row.TakenTicks - costTicks, row.TakenUnits - cost, now + life, result.Remaining);
                        return new QuotaStoreResult(QuotaStoreOutcome.Admitted, result.Remaining + shape.ToUnits(row.TakenTicks - costTicks), usedBurst: result.UsedBurst);
                    }

                    return result;
                }

                if (status is CallStatus.Refused or CallStatus.NotSent)
                {
                    lease.Restore(old); // nothing reached the server: the old slice is still ours
                }

                // Failed: the old slice may or may not have been returned; it is dropped (never used twice).
                return DecideUnavailable(request, shape, costTicks);
            }
            finally
            {
                lease.Refresh.Release();
            }
        }
    }

    private QuotaStoreResult LeasedAdmission(double remaining)
    {
        Interlocked.Increment(ref _leasedAdmissions);
        PostgresTelemetry.LeasedAdmissions.Add(1);
        return new QuotaStoreResult(QuotaStoreOutcome.Admitted, remaining);
    }

    private QuotaStoreResult ToResult(string tenant, BucketShape shape, in AcquireRow row)
    {
        if (row.DaySpent is decimal day && row.MonthSpent is decimal month)
        {
            _knownSpend[tenant] = new KnownSpend(DateOnly.FromDateTime(DateTime.UnixEpoch.AddTicks(row.NowTicks)), day, month);
        }

        TimeSpan? retryAfter = row.RetryTicks is long retry ? TimeSpan.FromTicks(retry) : null;
        return new QuotaStoreResult(row.Outcome, shape.ToUnits(row.RemainingTicks), retryAfter, row.UsedBurst, row.UsedEmergency);
    }

    private async ValueTask SettleCoreAsync(BucketKey key, BucketLimits limits, double delta, bool async, CancellationToken cancellationToken)
    {
        if (delta == 0)
        {
            return;
        }

        BucketShape shape = BucketShape.Of(limits);
        long deltaTicks = shape.ToCorrectionTicks(delta);
        decimal deltaUnits = ToDecimal(delta);
        if (_options.EnableLeasing && _leases.TryGetValue(key, out LocalLease? lease))
        {
            long sliceTicks = shape.ToTicksFloor(limits.Capacity * _options.LeaseFraction);
            if (lease.TryAdjust(shape, deltaTicks, deltaUnits, sliceTicks, LocalTicks()))
            {
                return;
            }
        }

        (CallStatus status, _) = await CallSettleAsync(key, shape, deltaTicks, deltaUnits, async, cancellationToken).ConfigureAwait(false);
        if (status != CallStatus.Done)
        {
            KeepCorrection(key, shape, deltaTicks, deltaUnits, status);
        }
    }

    /// <summary>The host's monotonic clock in 100 ns ticks (lease lifetimes, refill estimates).</summary>
    private long LocalTicks() => _time.GetElapsedTime(0).Ticks;
}
