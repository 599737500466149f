namespace AgentQuotas.Stores;

/// <summary>A tenant's spend for the current UTC day and month. Callers hold the object's monitor.</summary>
internal sealed class SpendLedgerCell
{
    private int _day;
    private double _daySpent;
    private int _month;
    private double _monthSpent;

    /// <summary>Set, under the monitor, once the cell has been removed from its store.</summary>
    public bool Evicted { get; set; }

    public SpendSnapshot Read(DateTimeOffset utcNow)
    {
        Roll(utcNow);
        return new SpendSnapshot(_daySpent, _monthSpent);
    }

    public QuotaStoreOutcome TryReserve(double cost, double? perDay, double? perMonth, DateTimeOffset utcNow, out TimeSpan? retryAfter, out int day)
    {
        Roll(utcNow);
        day = _day;
        if (perDay is double dayCeiling && _daySpent + cost > dayCeiling)
        {
            retryAfter = cost <= dayCeiling ? NextDay(utcNow) - utcNow : null;
            return QuotaStoreOutcome.DailyCeilingReached;
        }

        if (perMonth is double monthCeiling && _monthSpent + cost > monthCeiling)
        {
            retryAfter = cost <= monthCeiling ? NextMonth(utcNow) - utcNow : null;
            return QuotaStoreOutcome.MonthlyCeilingReached;
        }

        _daySpent += cost;
        _monthSpent += cost;
        retryAfter = null;
        return QuotaStoreOutcome.Admitted;
    }

    /// <summary>Undoes a reservation made on <paramref name="day"/> (a no-op once that day has passed).</summary>
    public void Release(double cost, int day, DateTimeOffset utcNow)
    {
        Roll(utcNow);
        if (day == _day)
        {
            _daySpent = Math.Max(0, _daySpent - cost);
            _monthSpent = Math.Max(0, _monthSpent - cost);
        }
    }

    public void Adjust(double delta, DateTimeOffset utcNow)
    {
        Roll(utcNow);
        _daySpent = Math.Max(0, _daySpent + delta);
        _monthSpent = Math.Max(0, _monthSpent + delta);
    }

    /// <summary>Whether nothing has been spent today (the cell can be dropped; it would be recreated empty).</summary>
    public bool IsStale(DateTimeOffset utcNow)
    {
        int today = DayNumber(utcNow);
        return _day != today && MonthNumber(utcNow) != _month;
    }

    private void Roll(DateTimeOffset utcNow)
    {
        int today = DayNumber(utcNow);
        if (today != _day)
        {
            _day = today;
            _daySpent = 0;
        }

        int month = MonthNumber(utcNow);
        if (month != _month)
        {
            _month = month;
            _monthSpent = 0;
        }
    }

    private static int DayNumber(DateTimeOffset utcNow) => DateOnly.FromDateTime(utcNow.UtcDateTime).DayNumber;

    private static int MonthNumber(DateTimeOffset utcNow) => (utcNow.UtcDateTime.Year * 12) + utcNow.UtcDateTime.Month - 1;

    private static DateTimeOffset NextDay(DateTimeOffset utcNow) => new DateTimeOffset(utcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);

    private static DateTimeOffset NextMonth(DateTimeOffset utcNow)
    {
        DateTime d = utcNow.UtcDateTime;
        return new DateTimeOffset(d.Year, d.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }
}
