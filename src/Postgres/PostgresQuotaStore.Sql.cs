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
        bool async, CancellationToken cancellationToken)
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

    private static AcquireRow ReadAcquire(NpgsqlDataReader r) => new(
        (QuotaStoreOutcome)r.GetInt32(0),
        r.GetInt64(1),
        r.GetDecimal(2),
        r.GetInt64(3),
        r.IsDBNull(4) ? null : r.GetInt64(4),
        r.GetBoolean(5),
        r.GetBoolean(6),
        r.GetInt64(7),
        r.GetInt64(8),
        r.IsDBNull(9) ? null : r.GetDecimal(9),
        r.IsDBNull(10) ? null : r.GetDecimal(10));

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
