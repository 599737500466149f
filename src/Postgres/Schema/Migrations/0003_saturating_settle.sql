-- AgentQuotas.Postgres schema, version 3: settle() saturates. A charge after the fact (a model reporting
-- 1e13 tokens) leaves the bucket at most 100,000,000 s of refill in debt, as the in-memory store does,
-- instead of failing with "bigint out of range" (which the caller saw as an unreachable server). The
-- sums are made in numeric, so no input can overflow; the result always fits a bigint.

CREATE OR REPLACE FUNCTION __schema__.settle(
    p_tenant text, p_category text,
    p_capacity float8, p_refill float8, p_burst float8, p_debt float8,
    p_capacity_ticks bigint, p_burst_ticks bigint,
    p_delta_ticks bigint, p_delta_units numeric,
    OUT remaining_ticks bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    -- BucketLimits.MaxRefillSeconds (100,000,000 s) in 100 ns ticks: the deepest debt a charge leaves.
    c_max_debt_ticks constant numeric := 1000000000000000;
    v_lock  record;
    b       __schema__.buckets;
    v_day   date;
    v_month date;
    v_spend record;
BEGIN
    SELECT * INTO v_lock FROM __schema__.lock_bucket(p_tenant, p_category, p_capacity, p_refill, p_burst, p_debt,
                                                     p_capacity_ticks, p_burst_ticks,
                                                     least(greatest(0, -p_delta_ticks::numeric), 2 * c_max_debt_ticks)::bigint);
    b := v_lock.b;
    IF p_delta_ticks > 0 THEN
        b.tat := least(b.tat::numeric + p_delta_ticks, v_lock.now_ticks::numeric + b.capacity_ticks + c_max_debt_ticks)::bigint;
    END IF;

    UPDATE __schema__.buckets x
       SET tat = b.tat, credits = b.credits, capacity = b.capacity, refill_per_second = b.refill_per_second,
           burst_credits = b.burst_credits, emergency_debt = b.emergency_debt, capacity_ticks = b.capacity_ticks,
           burst_ticks = b.burst_ticks, updated_at = v_lock.now_ts
     WHERE x.tenant = p_tenant AND x.category = p_category;
    remaining_ticks := b.capacity_ticks - (b.tat - v_lock.now_ticks) + b.credits;

    IF p_delta_units <> 0 THEN
        v_day := (v_lock.now_ts AT TIME ZONE 'UTC')::date;
        v_month := date_trunc('month', v_day)::date;
        SELECT * INTO v_spend FROM __schema__.lock_spend(p_tenant, v_day, v_month);
        UPDATE __schema__.spend s SET spent = greatest(0, v_spend.month_spent + p_delta_units), updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'M' AND s.period_start = v_month;
        UPDATE __schema__.spend s SET spent = greatest(0, v_spend.day_spent + p_delta_units), updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'D' AND s.period_start = v_day;
    END IF;
END
$fn$;
