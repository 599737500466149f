using System.Runtime.CompilerServices;
using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;

namespace AgentQuotas.Postgres;

// What happens while the server is away, and how the store catches up when it returns.
public sealed partial class PostgresQuotaStore
{
    private readonly ConditionalWeakTable<BucketLimits, BucketLimits> _fallbackLimits = new();
    private readonly object _fallbackLock = new();
    private InMemoryQuotaStore? _fallback;
    private readonly SemaphoreSlim _replayLock = new(1, 1);
    private Task _availabilityCallbacks = Task.CompletedTask; // the last change handed to OnAvailabilityChanged

    private QuotaStoreResult DecideUnavailable(in QuotaStoreRequest request, BucketShape shape, long costTicks)
    {
        Interlocked.Increment(ref _unavailableDecisions);
        PostgresTelemetry.Unavailable.Add(1, new KeyValuePair<string, object?>(PostgresTelemetry.Tags.FailureMode, _options.FailureMode.ToString()));
        string reason = "quota store unavailable (" + _availability.Reason + ")";
        switch (_options.FailureMode)
        {
            case StoreFailureMode.FailOpen:
                KeepCorrection(request.Key, shape, costTicks, ToDecimal(request.Cost), CallStatus.Refused);
                return new QuotaStoreResult(QuotaStoreOutcome.Admitted, double.NaN, detail: "admitted fail-open: " + reason);

            case StoreFailureMode.LocalFallback:
                return DecideFromFallback(request, shape, costTicks, reason);

            default:
                return QuotaStoreResult.Unavailable(reason);
        }
    }

    private QuotaStoreResult DecideFromFallback(in QuotaStoreRequest request, BucketShape shape, long costTicks, string reason)
    {
        int hosts = _options.ExpectedHosts;
        BucketLimits share = _fallbackLimits.GetValue(request.Limits, l => new BucketLimits(l.Capacity / hosts, l.RefillPerSecond / hosts, l.BurstCredits / hosts, l.EmergencyDebt / hosts));
        string shareText = hosts == 1 ? "the whole budget" : $"1/{hosts} of the shared budget";
        if (request.Cost > share.MaxAdmissibleCost(request.AllowEmergency))
        {
            return QuotaStoreResult.Unavailable($"{reason}; the cost {request.Cost} exceeds this host's local fallback bucket ({shareText})");
        }

        // Spend ceilings: this host's share of what was left when the server was last seen.
        DateTimeOffset utcNow = _time.GetUtcNow();
        _knownSpend.TryGetValue(request.Key.Tenant, out KnownSpend known);
        DateOnly today = DateOnly.FromDateTime(utcNow.UtcDateTime);
        decimal daySpent = known.Day == today ? known.DaySpent : 0;
        decimal monthSpent = known.Day.Year == today.Year && known.Day.Month == today.Month ? known.MonthSpent : 0;
        var local = new QuotaStoreRequest(request.Key, share, request.Cost, request.AllowEmergency,
            ShareOfCeiling(request.MaxCostPerDay, daySpent, hosts), ShareOfCeiling(request.MaxCostPerMonth, monthSpent, hosts));

        // One fallback store for the store's lifetime: its buckets refill by the host's clock between outages,
        // so a flapping server never hands out a fresh share on every flap.
        InMemoryQuotaStore fallback;
        lock (_fallbackLock)
        {
            fallback = _fallback ??= new InMemoryQuotaStore(new InMemoryQuotaStoreOptions { TimeProvider = _time });
        }

        QuotaStoreResult decided = fallback.TryAcquire(local);
        if (decided.IsAdmitted)
        {
            KeepCorrection(request.Key, shape, costTicks, ToDecimal(request.Cost), CallStatus.Refused);
            return new QuotaStoreResult(QuotaStoreOutcome.Admitted, decided.Remaining, null, decided.UsedBurst, decided.UsedEmergency,
                $"admitted by the local fallback bucket ({shareText}): {reason}");
        }

        return new QuotaStoreResult(decided.Outcome, decided.Remaining, decided.RetryAfter,
            detail: $"refused by the local fallback bucket ({shareText}): {reason}");

        static double? ShareOfCeiling(double? ceiling, decimal spent, int hosts) =>
            ceiling is double c ? Math.Max(0, c - (double)spent) / hosts : null;
    }

    private void DisposeFallback()
    {
        lock (_fallbackLock)
        {
            _fallback?.Dispose();
        }
    }

    /// <summary>
    /// Keeps a correction that could not be sent, to replay when the server returns. When the statement was
    /// sent but its outcome is unknown, a charge is kept (charging twice is safe) and a refund is dropped
    /// (refunding twice would hand out units that were never returned).
    /// </summary>
    private void KeepCorrection(BucketKey key, BucketShape shape, long ticks, decimal units, CallStatus status)
    {
        if (status == CallStatus.Failed && ticks < 0)
        {
            return;
        }

        if (!_pending.Add(key, shape, ticks, units))
        {
            long lost = Interlocked.Increment(ref _lostCorrections);
            Log.CorrectionLost(_logger, _target, _options.MaxPendingCorrections, units, key.ToString(), lost);
        }
    }

    private void OnRoundTripSucceeded(bool probe)
    {
        if (_availability.OnSuccess(probe))
        {
            Log.StoreRecovered(_logger, _target, _pending.Count);
        }

        if (_pending.Count > 0 && _replayLock.CurrentCount > 0)
        {
            _ = Task.Run(async () => await ReplayPendingAsync(async: true, CancellationToken.None, background: true).ConfigureAwait(false));
        }
    }

    private void OnRoundTripFailed(Exception e, bool probe)
    {
        string reason = PostgresErrors.Reason(e);
        if (_availability.OnFailure(reason, probe))
        {
            Log.StoreUnavailable(_logger, _target, reason, _options.FailureMode);
            _dataSource.Clear(); // pooled connections to a restarted server are dead: open fresh ones later
        }
    }

    // Called by StoreAvailability under its lock as each change is made, so changes arrive here in the
    // order they happened. Each is chained after the one before: the callback sees them in that order, one
    // at a time, on the thread pool (a continuation is never run inline, so no request waits for it).
    private void OnAvailabilityChanged(bool available, string? reason)
    {
        Func<StoreAvailabilityChangedArguments, ValueTask>? callback = _options.OnAvailabilityChanged;
        if (callback is null)
        {
            return;
        }

        var arguments = new StoreAvailabilityChangedArguments(available, reason, _options.FailureMode);
        _availabilityCallbacks = _availabilityCallbacks.ContinueWith(
            (_, state) => DeliverAvailabilityChangedAsync(callback, (StoreAvailabilityChangedArguments)state!),
            arguments,
            CancellationToken.None,
            TaskContinuationOptions.DenyChildAttach,
            TaskScheduler.Default).Unwrap();
    }

    private async Task DeliverAvailabilityChangedAsync(Func<StoreAvailabilityChangedArguments, ValueTask> callback, StoreAvailabilityChangedArguments arguments)
    {
        try
        {
            await callback(arguments).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.AvailabilityCallbackFailed(_logger, e, _target); // the chain goes on: the next change is still told
        }
    }

    /// <summary>
    /// Sends waiting corrections. A background replay (after a round trip succeeds) skips when one is running;
    /// an explicit one (dispose, <see cref="ReturnLeasesAsync"/>) waits for it, so it returns with nothing in flight.
    /// </summary>
    private async ValueTask ReplayPendingAsync(bool async, CancellationToken cancellationToken, bool background = false)
    {
        if (background)
        {
            if (!_replayLock.Wait(0))
            {
                return;
            }
        }
        else if (async)
        {
            await _replayLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _replayLock.Wait(cancellationToken);
        }

        try
        {
            List<PendingCorrections.Entry> entries = _pending.TakeAll();
            int sent = 0;
            for (; sent < entries.Count; sent++)
            {
                PendingCorrections.Entry e = entries[sent];
                CallStatus status;
                try
                {
                    (status, _) = await CallSettleAsync(e.Key, e.Shape, e.Ticks, e.Units, async, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    status = CallStatus.Refused; // not sent: keep it and the rest
                }

                if (status != CallStatus.Done)
                {
                    KeepCorrection(e.Key, e.Shape, e.Ticks, e.Units, status);
                    for (int rest = sent + 1; rest < entries.Count; rest++)
                    {
                        KeepCorrection(entries[rest].Key, entries[rest].Shape, entries[rest].Ticks, entries[rest].Units, CallStatus.Refused);
                    }

                    break;
                }
            }

            if (sent > 0)
            {
                Log.CorrectionsReplayed(_logger, _target, sent);
            }
        }
        finally
        {
            _replayLock.Release();
        }
    }

    private void OnLeaseSweep()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        LastSweep = Task.Run(async () =>
        {
            try
            {
                await SweepLeasesAsync().ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        });
    }

    /// <summary>The sweep the lease timer started last (tests wait for it).</summary>
    internal Task LastSweep { get; private set; } = Task.CompletedTask;

    /// <summary>Returns expired leases' unused units and drops empty leases.</summary>
    private async Task SweepLeasesAsync()
    {
        foreach (KeyValuePair<BucketKey, LocalLease> entry in _leases)
        {
            LocalLease lease = entry.Value;
            if (!lease.IsExpiredOrEmpty(LocalTicks()) || !lease.Refresh.Wait(0))
            {
                continue;
            }

            try
            {
                if (!lease.IsExpiredOrEmpty(LocalTicks()))
                {
                    continue;
                }

                LocalLease.Snapshot taken = lease.Drain();
                if (taken.IsEmpty)
                {
                    lease.Retired = true;
                    _leases.TryRemove(entry);
                }
                else
                {
                    await ReturnLeaseAsync(entry.Key, taken, async: true, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                lease.Refresh.Release();
            }
        }
    }

    private async ValueTask ReturnAllLeasesAsync(bool async, CancellationToken cancellationToken)
    {
        foreach (KeyValuePair<BucketKey, LocalLease> entry in _leases)
        {
            LocalLease lease = entry.Value;
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
                LocalLease.Snapshot taken = lease.Drain();
                if (!taken.IsEmpty)
                {
                    await ReturnLeaseAsync(entry.Key, taken, async, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                lease.Refresh.Release();
            }
        }
    }

    private async ValueTask ReturnLeaseAsync(BucketKey key, LocalLease.Snapshot taken, bool async, CancellationToken cancellationToken)
    {
        (CallStatus status, _) = await CallSettleAsync(key, taken.Shape!, -taken.Ticks, -taken.Units, async, cancellationToken).ConfigureAwait(false);
        if (status != CallStatus.Done)
        {
            KeepCorrection(key, taken.Shape!, -taken.Ticks, -taken.Units, status);
        }
    }
}
