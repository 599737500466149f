-- AgentQuotas.Postgres schema, version 2: acquire_batch, which decides several acquisitions of one bucket
-- in one round trip and one transaction (the store combines concurrent callers of a hot bucket into one).

-- Decides p_costs[1..n], in order, against one bucket, exactly as n calls of acquire() without a lease
-- would decide them one after another at one instant: each request sees the bucket and the tenant's spend
-- as the requests before it left them. The bucket and the tenant's spend rows are locked once (bucket,
-- month, day: the order every function uses), the decisions are made in memory, and the rows are written
-- once. One transaction: either every decision of the batch is committed or none is.
-- One row per request (ordinal = its index), with the columns of acquire().
CREATE FUNCTION __schema__.acquire_batch(
    p_tenant text, p_category text,
    p_capacity float8, p_refill float8, p_burst float8, p_debt float8,
    p_capacity_ticks bigint, p_burst_ticks bigint, p_debt_ticks bigint,
    p_day_ceiling numeric, p_month_ceiling numeric,
    p_costs numeric[], p_cost_ticks bigint[], p_emergency boolean[])
RETURNS TABLE (
    ordinal integer, outcome integer, taken_ticks bigint, taken_units numeric, remaining_ticks bigint,
    retry_ticks bigint, used_burst boolean, used_emergency boolean, now_ticks bigint,
    next_day_ticks bigint, day_spent numeric, month_spent numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_lock       record;
    b            __schema__.buckets;
    v_changed    boolean;
    v_spent      boolean := false;
    v_day        date;
    v_month      date;
    v_now        bigint;
    v_next_day   bigint;
    v_day_spent  numeric;
    v_month_spent numeric;
    v_level      bigint;
    v_total      bigint;
    v_debt       bigint;
    v_cost       numeric;
    v_ticks      bigint;
    i            integer;
BEGIN
    SELECT * INTO v_lock FROM __schema__.lock_bucket(p_tenant, p_category, p_capacity, p_refill, p_burst, p_debt,
                                                     p_capacity_ticks, p_burst_ticks, 0);
    b := v_lock.b;
    v_changed := v_lock.changed;
    v_now := v_lock.now_ticks;
    v_day := (v_lock.now_ts AT TIME ZONE 'UTC')::date;
    v_month := date_trunc('month', v_day)::date;
    v_next_day := (extract(epoch FROM ((v_day + 1)::timestamp AT TIME ZONE 'UTC')) * 10000000)::bigint;
    SELECT s.day_spent, s.month_spent INTO v_day_spent, v_month_spent FROM __schema__.lock_spend(p_tenant, v_day, v_month) s;

    FOR i IN 1 .. coalesce(array_length(p_costs, 1), 0) LOOP
        v_cost := p_costs[i];
        v_ticks := p_cost_ticks[i];
        ordinal := i;
        now_ticks := v_now;
        next_day_ticks := v_next_day;
        taken_ticks := 0;
        taken_units := 0;
        retry_ticks := NULL;
        used_burst := false;
        used_emergency := false;
        v_level := b.capacity_ticks - (b.tat - v_now);
        v_total := v_level + b.credits;
        v_debt := CASE WHEN p_emergency[i] THEN p_debt_ticks ELSE 0 END;

        IF p_day_ceiling IS NOT NULL AND v_day_spent + v_cost > p_day_ceiling THEN
            outcome := 3;
            remaining_ticks := v_total;
            IF v_cost <= p_day_ceiling THEN
                retry_ticks := v_next_day - v_now;
            END IF;
        ELSIF p_month_ceiling IS NOT NULL AND v_month_spent + v_cost > p_month_ceiling THEN
            outcome := 4;
            remaining_ticks := v_total;
            IF v_cost <= p_month_ceiling THEN
                retry_ticks := (extract(epoch FROM ((v_month + interval '1 month') AT TIME ZONE 'UTC')) * 10000000)::bigint - v_now;
            END IF;
        ELSIF v_total >= v_ticks THEN
            outcome := 0;
            IF v_level >= v_ticks THEN
                b.tat := b.tat + v_ticks;
            ELSE
                -- Empty the bucket and draw the shortfall from banked burst credits.
                b.credits := v_total - v_ticks;
                b.tat := v_now + b.capacity_ticks;
                used_burst := true;
            END IF;
            taken_ticks := v_ticks;
            taken_units := v_cost;
            remaining_ticks := v_total - v_ticks;
            v_changed := true;
        ELSIF p_emergency[i] AND v_total + p_debt_ticks >= v_ticks THEN
            -- Borrow against future refill, down to -emergency debt.
            outcome := 0;
            used_burst := b.credits > 0;
            used_emergency := true;
            b.credits := 0;
            b.tat := v_now + b.capacity_ticks - (v_total - v_ticks);
            taken_ticks := v_ticks;
            taken_units := v_cost;
            remaining_ticks := v_total - v_ticks;
            v_changed := true;
        ELSE
            outcome := 1;
            remaining_ticks := v_total;
            retry_ticks := v_ticks - v_total - v_debt;
        END IF;

        IF taken_units > 0 THEN
            v_day_spent := v_day_spent + taken_units;
            v_month_spent := v_month_spent + taken_units;
            v_spent := true;
        END IF;

        day_spent := v_day_spent;
        month_spent := v_month_spent;
        RETURN NEXT;
    END LOOP;

    IF v_changed THEN
        UPDATE __schema__.buckets x
           SET tat = b.tat, credits = b.credits, capacity = b.capacity, refill_per_second = b.refill_per_second,
               burst_credits = b.burst_credits, emergency_debt = b.emergency_debt, capacity_ticks = b.capacity_ticks,
               burst_ticks = b.burst_ticks, updated_at = v_lock.now_ts
         WHERE x.tenant = p_tenant AND x.category = p_category;
    END IF;

    IF v_spent THEN
        UPDATE __schema__.spend s SET spent = v_month_spent, updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'M' AND s.period_start = v_month;
        UPDATE __schema__.spend s SET spent = v_day_spent, updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'D' AND s.period_start = v_day;
    END IF;
END
$fn$;
