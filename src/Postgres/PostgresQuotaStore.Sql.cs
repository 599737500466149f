using System.Diagnostics;
using AgentQuotas.Postgres.Internal;
using AgentQuotas.Stores;
using Npgsql;
using NpgsqlTypes;

namespace AgentQuotas.Postgres;

// Round trips. Each call goes through RunAsync, which consults and updates availability, counts the
// round trip, and tells a failure before the statement was sent (nothing happened) from one after it
// (the outcome is unknown). One body serves both the synchronous and the asynchronous API: with
// async = false every await below completes synchronously.
public sealed partial class PostgresQuotaStore
{
    private static readonly decimal MaxDecimalAsDouble = 7.9e27m;

    private enum CallStatus
    {
        /// <summary>The server answered.</summary>
        Done,

        /// <summary>Not tried: the server is known to be down and it is not time to try again.</summary>
        Refused,

        /// <summary>The connection could not be opened: the statement was not sent.</summary>
        NotSent,

        /// <summary>The statement was sent and failed or its answer was lost: the outcome is unknown.</summary>
        Failed,
    }

    private static decimal ToDecimal(double value) =>
        Math.Abs(value) >= (double)MaxDecimalAsDouble ? Math.Sign(value) * MaxDecimalAsDouble : (decimal)value;

    private static decimal? ToCeiling(double? value) => value is double v ? ToDecimal(v) : null;

    private async ValueTask<(CallStatus Status, T Result)> RunAsync<TArgs, T>(
        string sql, string operation, TArgs args, Action<NpgsqlParameterCollection, TArgs> bind, Func<NpgsqlDataReader, T> read,
        bool async, CancellationToken cancellationToken, Action<NpgsqlDataReader, TArgs>? readEachRow = null)
    {
        if (!_availability.TryEnter(out bool probe))
        {
            return (CallStatus.Refused, default!);
        }

        Interlocked.Increment(ref _roundTrips);
        PostgresTelemetry.RoundTrips.Add(1, new KeyValuePair<string, object?>(PostgresTelemetry.Tags.Operation, operation));
        CallStatus failure = CallStatus.NotSent;
        try
        {
            NpgsqlConnection connection = async
                ? await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false)
                : _dataSource.OpenConnection();
            T result;
            try
            {
                failure = CallStatus.Failed;
                NpgsqlCommand command = connection.CreateCommand();
                try
                {
                    command.CommandText = sql;
                    command.CommandTimeout = _commandTimeoutSeconds;
                    bind(command.Parameters, args);
                    NpgsqlDataReader reader = async
                        ? await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false)
                        : command.ExecuteReader();
                    try
                    {
                        bool hasRow = async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read();
                        Debug.Assert(hasRow, "the store's functions always return one row");
                        result = read(reader);
                        if (readEachRow is not null)
                        {
                            // Functions that return a set (acquire_many): every row, the first included.
                            do
                            {
                                readEachRow(reader, args);
                            }
                            while (async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read());
                        }
                    }
                    finally
                    {
                        if (async)
                        {
                            await reader.DisposeAsync().ConfigureAwait(false);
                        }
                        else
                        {
                            reader.Dispose();
                        }
                    }
                }
                finally
                {
                    if (async)
                    {
                        await command.DisposeAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        command.Dispose();
                    }
                }
            }
            finally
            {
                if (async)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    connection.Dispose();
                }
            }

            OnRoundTripSucceeded(probe);
            return (CallStatus.Done, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (probe)
            {
                _availability.AbandonProbe();
            }

            throw;
        }
        catch (PostgresException e) when (PostgresErrors.IsRequestError(e))
        {
            // The server answered: it is available, for this request's tenant as for every other. The request
            // itself cannot be served (nothing was applied: its transaction rolled back).
            OnRoundTripSucceeded(probe);
            throw new PostgresStoreException($"PostgreSQL at {_target} refused the {operation} request: {PostgresErrors.Reason(e)}", e);
        }
        catch (Exception e) when (PostgresErrors.IsStoreFailure(e))
        {
            OnRoundTripFailed(e, probe);
            return (failure, default!);
        }
    }

    private ValueTask<(CallStatus Status, AcquireRow Row)> CallAcquireAsync(in AcquireArgs args, string operation, bool async, CancellationToken cancellationToken) =>
        RunAsync(_acquireSql, operation, args, BindAcquire, ReadAcquire, async, cancellationToken);

    private ValueTask<(CallStatus Status, long Remaining)> CallSettleAsync(BucketKey key, BucketShape shape, long deltaTicks, decimal deltaUnits, bool async, CancellationToken cancellationToken) =>
        RunAsync(_settleSql, "settle", (key, shape, deltaTicks, deltaUnits), BindSettle, static r => r.GetInt64(0), async, cancellationToken);

    // One round trip for a batch of acquisitions of any buckets (acquire_many). The rows come back in order;
    // each is stored at its ordinal.
    private ValueTask<(CallStatus Status, int First)> CallAcquireManyAsync(AcquireBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _acquireManyCalls);
        return RunAsync(_acquireManySql, "acquire_many", batch, BindAcquireMany,
            static r => r.GetInt32(0), async: true, cancellationToken,
            static (r, b) => b.Requests[r.GetInt32(0) - 1].Row = ReadAcquire(r, offset: 1));
    }

    // One round trip for a batch of acquisitions of one bucket under one pair of ceilings (acquire_batch): it
    // locks one bucket row and one tenant's spend rows, and is cheaper per call than acquire_many's arrays of
    // buckets. The rows come back in order; each is stored at its ordinal.
    private ValueTask<(CallStatus Status, int First)> CallAcquireBatchAsync(PendingAcquire[] batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _acquireBatchCalls);
        return RunAsync(_acquireBatchSql, "acquire_batch", batch, BindAcquireBatch,
            static r => r.GetInt32(0), async: true, cancellationToken,
            static (r, b) => b[r.GetInt32(0) - 1].Row = ReadAcquire(r, offset: 1));
    }

    // $1..$14: the bucket ($1..$8), debt ticks, the day and month ceilings, then each request's cost, cost ticks and emergency flag.
    private static void BindAcquireBatch(NpgsqlParameterCollection p, PendingAcquire[] batch)
    {
        AcquireArgs first = batch[0].Args;
        BindBucket(p, first.Key, first.Shape);
        p.Add(new NpgsqlParameter<long> { TypedValue = first.Shape.DebtTicks });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Numeric, Value = first.DayCeiling is decimal d ? d : DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Numeric, Value = first.MonthCeiling is decimal m ? m : DBNull.Value });
        int n = batch.Length;
        decimal[] costs = new decimal[n];
        long[] ticks = new long[n];
        bool[] emergency = new bool[n];
        for (int i = 0; i < n; i++)
        {
            AcquireArgs a = batch[i].Args;
            costs[i] = a.Cost;
            ticks[i] = a.CostTicks;
            emergency[i] = a.Emergency;
        }

        p.Add(new NpgsqlParameter<decimal[]> { TypedValue = costs });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = ticks });
        p.Add(new NpgsqlParameter<bool[]> { TypedValue = emergency });
    }

    private static void BindAcquireMany(NpgsqlParameterCollection p, AcquireBatch b)
    {
        int m = b.Buckets.Count;
        string[] tenants = new string[m], categories = new string[m];
        double[] capacity = new double[m], refill = new double[m], burst = new double[m], debt = new double[m];
        long[] capacityTicks = new long[m], burstTicks = new long[m], debtTicks = new long[m];
        for (int k = 0; k < m; k++)
        {
            AcquireArgs a = b.Buckets[k];
            BucketLimits limits = a.Shape.Limits;
            tenants[k] = a.Key.Tenant;
            categories[k] = a.Key.Category;
            capacity[k] = limits.Capacity;
            refill[k] = limits.RefillPerSecond;
            burst[k] = limits.BurstCredits;
            debt[k] = limits.EmergencyDebt;
            capacityTicks[k] = a.Shape.CapacityTicks;
            burstTicks[k] = a.Shape.BurstTicks;
            debtTicks[k] = a.Shape.DebtTicks;
        }

        int n = b.Requests.Length;
        decimal[] costs = new decimal[n];
        long[] ticks = new long[n];
        bool[] emergency = new bool[n];
        decimal?[] dayCeilings = new decimal?[n], monthCeilings = new decimal?[n];
        for (int i = 0; i < n; i++)
        {
            AcquireArgs a = b.Requests[i].Args;
            costs[i] = a.Cost;
            ticks[i] = a.CostTicks;
            emergency[i] = a.Emergency;
            dayCeilings[i] = a.DayCeiling;
            monthCeilings[i] = a.MonthCeiling;
        }

        p.Add(new NpgsqlParameter<string[]> { TypedValue = tenants });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = categories });
        p.Add(new NpgsqlParameter<double[]> { TypedValue = capacity });
        p.Add(new NpgsqlParameter<double[]> { TypedValue = refill });
        p.Add(new NpgsqlParameter<double[]> { TypedValue = burst });
        p.Add(new NpgsqlParameter<double[]> { TypedValue = debt });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = capacityTicks });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = burstTicks });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = debtTicks });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = b.BucketOf });
        p.Add(new NpgsqlParameter<decimal[]> { TypedValue = costs });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = ticks });
        p.Add(new NpgsqlParameter<bool[]> { TypedValue = emergency });
        p.Add(new NpgsqlParameter<decimal?[]> { TypedValue = dayCeilings, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter<decimal?[]> { TypedValue = monthCeilings, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
    }

    private static void BindAcquire(NpgsqlParameterCollection p, AcquireArgs a)
    {
        BindBucket(p, a.Key, a.Shape);
        p.Add(new NpgsqlParameter<long> { TypedValue = a.Shape.DebtTicks });
        p.Add(new NpgsqlParameter<decimal> { TypedValue = a.Cost });
        p.Add(new NpgsqlParameter<long> { TypedValue = a.CostTicks });
        p.Add(new NpgsqlParameter<long> { TypedValue = a.MaxTicks });
        p.Add(new NpgsqlParameter<bool> { TypedValue = a.Emergency });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Numeric, Value = a.DayCeiling is decimal d ? d : DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Numeric, Value = a.MonthCeiling is decimal m ? m : DBNull.Value });
        p.Add(new NpgsqlParameter<long> { TypedValue = a.ReturnTicks });
        p.Add(new NpgsqlParameter<decimal> { TypedValue = a.ReturnUnits });
    }

    private static void BindSettle(NpgsqlParameterCollection p, (BucketKey Key, BucketShape Shape, long Ticks, decimal Units) a)
    {
        BindBucket(p, a.Key, a.Shape);
        p.Add(new NpgsqlParameter<long> { TypedValue = a.Ticks });
        p.Add(new NpgsqlParameter<decimal> { TypedValue = a.Units });
    }

    // $1..$8: tenant, category, capacity, refill, burst, debt, capacity ticks, burst ticks.
    private static void BindBucket(NpgsqlParameterCollection p, BucketKey key, BucketShape shape)
    {
        BucketLimits limits = shape.Limits;
        p.Add(new NpgsqlParameter<string> { TypedValue = key.Tenant });
        p.Add(new NpgsqlParameter<string> { TypedValue = key.Category });
        p.Add(new NpgsqlParameter<double> { TypedValue = limits.Capacity });
        p.Add(new NpgsqlParameter<double> { TypedValue = limits.RefillPerSecond });
        p.Add(new NpgsqlParameter<double> { TypedValue = limits.BurstCredits });
        p.Add(new NpgsqlParameter<double> { TypedValue = limits.EmergencyDebt });
        p.Add(new NpgsqlParameter<long> { TypedValue = shape.CapacityTicks });
        p.Add(new NpgsqlParameter<long> { TypedValue = shape.BurstTicks });
    }

    private static AcquireRow ReadAcquire(NpgsqlDataReader r) => ReadAcquire(r, offset: 0);

    private static AcquireRow ReadAcquire(NpgsqlDataReader r, int offset) => new(
        (QuotaStoreOutcome)r.GetInt32(offset),
        r.GetInt64(offset + 1),
        r.GetDecimal(offset + 2),
        r.GetInt64(offset + 3),
        r.IsDBNull(offset + 4) ? null : r.GetInt64(offset + 4),
        r.GetBoolean(offset + 5),
        r.GetBoolean(offset + 6),
        r.GetInt64(offset + 7),
        r.GetInt64(offset + 8),
        r.IsDBNull(offset + 9) ? null : r.GetDecimal(offset + 9),
        r.IsDBNull(offset + 10) ? null : r.GetDecimal(offset + 10));

    private async ValueTask<BucketSnapshot> PeekCoreAsync(BucketKey key, BucketLimits limits, bool async, CancellationToken cancellationToken)
    {
        (CallStatus status, (bool Found, double Level, double Credits) row) = await RunAsync(
            _peekSql, "read", (key, limits),
            static (p, a) =>
            {
                p.Add(new NpgsqlParameter<string> { TypedValue = a.key.Tenant });
                p.Add(new NpgsqlParameter<string> { TypedValue = a.key.Category });
                p.Add(new NpgsqlParameter<double> { TypedValue = a.limits.Capacity });
                p.Add(new NpgsqlParameter<double> { TypedValue = a.limits.BurstCredits });
            },
            static r => (r.GetBoolean(0), r.IsDBNull(1) ? 0 : r.GetDouble(1), r.IsDBNull(2) ? 0 : r.GetDouble(2)),
            async, cancellationToken).ConfigureAwait(false);
        if (status != CallStatus.Done)
        {
            throw new PostgresStoreException($"Quota store unavailable ({_target}): {_availability.Reason}");
        }

        return row.Found
            ? new BucketSnapshot(row.Level + row.Credits, row.Level, row.Credits)
            : new BucketSnapshot(limits.Capacity + limits.BurstCredits, limits.Capacity, limits.BurstCredits);
    }

    private async ValueTask<SpendSnapshot> GetSpendCoreAsync(string tenant, bool async, CancellationToken cancellationToken)
    {
        (CallStatus status, (decimal Day, decimal Month) row) = await RunAsync(
            _spendSql, "read", tenant,
            static (p, t) => p.Add(new NpgsqlParameter<string> { TypedValue = t }),
            static r => (r.GetDecimal(0), r.GetDecimal(1)),
            async, cancellationToken).ConfigureAwait(false);
        if (status != CallStatus.Done)
        {
            throw new PostgresStoreException($"Quota store unavailable ({_target}): {_availability.Reason}");
        }

        return new SpendSnapshot((double)row.Day, (double)row.Month);
    }

    /// <summary>What one acquire sends. MaxTicks above CostTicks asks for a lease; Return* hand back an old one.</summary>
    private readonly record struct AcquireArgs(
        BucketKey Key, BucketShape Shape, decimal Cost, long CostTicks, long MaxTicks, bool Emergency,
        decimal? DayCeiling, decimal? MonthCeiling, long ReturnTicks, decimal ReturnUnits);

    /// <summary>The acquire function's answer.</summary>
    private readonly record struct AcquireRow(
        QuotaStoreOutcome Outcome, long TakenTicks, decimal TakenUnits, long RemainingTicks, long? RetryTicks,
        bool UsedBurst, bool UsedEmergency, long NowTicks, long NextDayTicks, decimal? DaySpent, decimal? MonthSpent);
}
