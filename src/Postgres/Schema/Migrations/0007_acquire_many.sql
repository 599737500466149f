-- AgentQuotas.Postgres schema, version 7: acquire_many, which decides acquisitions of many buckets (of many
-- tenants) in one round trip and one transaction, so concurrent callers of different buckets share one
-- commit flush; and evict_idle_buckets no longer waits for a row lock, so it cannot deadlock with it.

-- Decides requests 1..n, in order, each against its bucket p_bucket[i] (an index into the bucket arrays),
-- exactly as n calls of acquire() without a lease would decide them one after another: each request sees its
-- bucket and its tenant's spend as the requests before it left them.
--
-- Lock order (what makes concurrent batches deadlock-free): every bucket row first, in key order
-- (tenant, category, byte order), then every tenant's spend rows, in tenant order, month before day. acquire,
-- acquire_batch and settle lock one bucket and then one tenant's month and day, which is the same order, so
-- no two of these functions can each hold a row the other waits for.
--
-- A bucket's refill is computed at the instant its row is locked (as acquire() does); the ledger day and month
-- of the whole batch are those of the last bucket locked, so one batch never charges two days.
--
-- One transaction: either every decision of the batch is committed or none is. A bucket may appear only once
-- in the bucket arrays; arrays of one kind must have equal lengths.
-- One row per request (ordinal = its index), with the columns of acquire().
CREATE FUNCTION __schema__.acquire_many(
    p_tenants text[], p_categories text[],
    p_capacity float8[], p_refill float8[], p_burst float8[], p_debt float8[],
    p_capacity_ticks bigint[], p_burst_ticks bigint[], p_debt_ticks bigint[],
    p_bucket integer[], p_costs numeric[], p_cost_ticks bigint[], p_emergency boolean[],
    p_day_ceiling numeric[], p_month_ceiling numeric[])
RETURNS TABLE (
    ordinal integer, outcome integer, taken_ticks bigint, taken_units numeric, remaining_ticks bigint,
    retry_ticks bigint, used_burst boolean, used_emergency boolean, now_ticks bigint,
    next_day_ticks bigint, day_spent numeric, month_spent numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_buckets    integer := coalesce(array_length(p_tenants, 1), 0);
    v_requests   integer := coalesce(array_length(p_bucket, 1), 0);
    v_lock       record;
    v_prev_t     text;
    v_prev_c     text;
    v_tat        bigint[];
    v_credits    bigint[];
    v_cap_ticks  bigint[];
    v_now        bigint[];
    v_changed    boolean[];
    v_rows       __schema__.buckets[];
    v_now_ts     timestamptz[];
    v_last_ts    timestamptz;
    v_tenants    text[];
    v_tenant_of  integer[];
    v_day_spent  numeric[];
    v_month_spent numeric[];
    v_spent      boolean[];
    v_day        date;
    v_month      date;
    v_next_day   bigint;
    v_next_month bigint;
    v_level      bigint;
    v_total      bigint;
    v_debt       bigint;
    v_cost       numeric;
    v_read_day   numeric;
    v_read_month numeric;
    v_ticks      bigint;
    k            integer;
    t            integer;
    i            integer;
BEGIN
    IF coalesce(array_length(p_categories, 1), 0) <> v_buckets OR coalesce(array_length(p_capacity, 1), 0) <> v_buckets
       OR coalesce(array_length(p_refill, 1), 0) <> v_buckets OR coalesce(array_length(p_burst, 1), 0) <> v_buckets
       OR coalesce(array_length(p_debt, 1), 0) <> v_buckets OR coalesce(array_length(p_capacity_ticks, 1), 0) <> v_buckets
       OR coalesce(array_length(p_burst_ticks, 1), 0) <> v_buckets OR coalesce(array_length(p_debt_ticks, 1), 0) <> v_buckets
       OR coalesce(array_length(p_costs, 1), 0) <> v_requests OR coalesce(array_length(p_cost_ticks, 1), 0) <> v_requests
       OR coalesce(array_length(p_emergency, 1), 0) <> v_requests OR coalesce(array_length(p_day_ceiling, 1), 0) <> v_requests
       OR coalesce(array_length(p_month_ceiling, 1), 0) <> v_requests THEN
        RAISE EXCEPTION 'acquire_many: % buckets and % requests, but the arrays of each differ in length', v_buckets, v_requests
            USING ERRCODE = '22023';
    END IF;

    v_tat := array_fill(0::bigint, ARRAY[v_buckets]);
    v_credits := v_tat;
    v_cap_ticks := v_tat;
    v_now := v_tat;
    v_changed := array_fill(false, ARRAY[v_buckets]);
    v_now_ts := array_fill(NULL::timestamptz, ARRAY[v_buckets]);

    -- Every bucket, in key order.
    FOR k IN SELECT x FROM generate_series(1, v_buckets) x
              ORDER BY p_tenants[x] COLLATE "C", p_categories[x] COLLATE "C" LOOP
        IF p_tenants[k] = v_prev_t AND p_categories[k] = v_prev_c THEN
            RAISE EXCEPTION 'acquire_many: bucket (%, %) appears twice', p_tenants[k], p_categories[k] USING ERRCODE = '22023';
        END IF;
        v_prev_t := p_tenants[k];
        v_prev_c := p_categories[k];
        SELECT * INTO v_lock FROM __schema__.lock_bucket(p_tenants[k], p_categories[k], p_capacity[k], p_refill[k], p_burst[k],
                                                         p_debt[k], p_capacity_ticks[k], p_burst_ticks[k], 0);
        v_rows[k] := v_lock.b;
        v_tat[k] := (v_lock.b).tat;
        v_credits[k] := (v_lock.b).credits;
        v_cap_ticks[k] := (v_lock.b).capacity_ticks;
        v_now[k] := v_lock.now_ticks;
        v_now_ts[k] := v_lock.now_ts;
        v_changed[k] := v_lock.changed;
        v_last_ts := v_lock.now_ts;
    END LOOP;

    v_day := (v_last_ts AT TIME ZONE 'UTC')::date;
    v_month := date_trunc('month', v_day)::date;
    v_next_day := (extract(epoch FROM ((v_day + 1)::timestamp AT TIME ZONE 'UTC')) * 10000000)::bigint;
    v_next_month := (extract(epoch FROM ((v_month + interval '1 month') AT TIME ZONE 'UTC')) * 10000000)::bigint;

    -- Every tenant's spend, in tenant order.
    SELECT array_agg(x ORDER BY x COLLATE "C") INTO v_tenants FROM (SELECT DISTINCT unnest(p_tenants) x) d;
    v_tenant_of := array_fill(0, ARRAY[v_buckets]);
    FOR k IN 1 .. v_buckets LOOP
        v_tenant_of[k] := array_position(v_tenants, p_tenants[k]);
    END LOOP;

    v_day_spent := array_fill(0::numeric, ARRAY[coalesce(array_length(v_tenants, 1), 0)]);
    v_month_spent := v_day_spent;
    v_spent := array_fill(false, ARRAY[coalesce(array_length(v_tenants, 1), 0)]);
    FOR t IN 1 .. coalesce(array_length(v_tenants, 1), 0) LOOP
        SELECT s.day_spent, s.month_spent INTO v_read_day, v_read_month
          FROM __schema__.lock_spend(v_tenants[t], v_day, v_month) s;
        v_day_spent[t] := v_read_day;
        v_month_spent[t] := v_read_month;
    END LOOP;

    FOR i IN 1 .. v_requests LOOP
        k := p_bucket[i];
        IF k IS NULL OR k < 1 OR k > v_buckets THEN
            RAISE EXCEPTION 'acquire_many: request % names bucket %, not one of 1..%', i, k, v_buckets USING ERRCODE = '22023';
        END IF;
        t := v_tenant_of[k];
        v_cost := p_costs[i];
        v_ticks := p_cost_ticks[i];
        ordinal := i;
        now_ticks := v_now[k];
        next_day_ticks := v_next_day;
        taken_ticks := 0;
        taken_units := 0;
        retry_ticks := NULL;
        used_burst := false;
        used_emergency := false;
        v_level := v_cap_ticks[k] - (v_tat[k] - v_now[k]);
        v_total := v_level + v_credits[k];
        v_debt := CASE WHEN p_emergency[i] THEN p_debt_ticks[k] ELSE 0 END;

        IF p_day_ceiling[i] IS NOT NULL AND v_day_spent[t] + v_cost > p_day_ceiling[i] THEN
            outcome := 3;
            remaining_ticks := v_total;
            IF v_cost <= p_day_ceiling[i] THEN
                retry_ticks := v_next_day - v_now[k];
            END IF;
        ELSIF p_month_ceiling[i] IS NOT NULL AND v_month_spent[t] + v_cost > p_month_ceiling[i] THEN
            outcome := 4;
            remaining_ticks := v_total;
            IF v_cost <= p_month_ceiling[i] THEN
                retry_ticks := v_next_month - v_now[k];
            END IF;
        ELSIF v_total >= v_ticks THEN
            outcome := 0;
            IF v_level >= v_ticks THEN
                v_tat[k] := v_tat[k] + v_ticks;
            ELSE
                -- Empty the bucket and draw the shortfall from banked burst credits.
                v_credits[k] := v_total - v_ticks;
                v_tat[k] := v_now[k] + v_cap_ticks[k];
                used_burst := true;
            END IF;
            taken_ticks := v_ticks;
            taken_units := v_cost;
            remaining_ticks := v_total - v_ticks;
            v_changed[k] := true;
        ELSIF p_emergency[i] AND v_total + p_debt_ticks[k] >= v_ticks THEN
            -- Borrow against future refill, down to -emergency debt.
            outcome := 0;
            used_burst := v_credits[k] > 0;
            used_emergency := true;
            v_credits[k] := 0;
            v_tat[k] := v_now[k] + v_cap_ticks[k] - (v_total - v_ticks);
            taken_ticks := v_ticks;
            taken_units := v_cost;
            remaining_ticks := v_total - v_ticks;
            v_changed[k] := true;
        ELSE
            outcome := 1;
            remaining_ticks := v_total;
            retry_ticks := v_ticks - v_total - v_debt;
        END IF;

        IF taken_units > 0 THEN
            v_day_spent[t] := v_day_spent[t] + taken_units;
            v_month_spent[t] := v_month_spent[t] + taken_units;
            v_spent[t] := true;
        END IF;

        day_spent := v_day_spent[t];
        month_spent := v_month_spent[t];
        RETURN NEXT;
    END LOOP;

    FOR k IN 1 .. v_buckets LOOP
        IF v_changed[k] THEN
            UPDATE __schema__.buckets x
               SET tat = v_tat[k], credits = v_credits[k], capacity = (v_rows[k]).capacity,
                   refill_per_second = (v_rows[k]).refill_per_second, burst_credits = (v_rows[k]).burst_credits,
                   emergency_debt = (v_rows[k]).emergency_debt, capacity_ticks = v_cap_ticks[k],
                   burst_ticks = (v_rows[k]).burst_ticks, updated_at = v_now_ts[k]
             WHERE x.tenant = p_tenants[k] AND x.category = p_categories[k];
        END IF;
    END LOOP;

    FOR t IN 1 .. coalesce(array_length(v_tenants, 1), 0) LOOP
        IF v_spent[t] THEN
            UPDATE __schema__.spend s SET spent = v_month_spent[t], updated_at = v_last_ts
             WHERE s.tenant = v_tenants[t] AND s.period = 'M' AND s.period_start = v_month;
            UPDATE __schema__.spend s SET spent = v_day_spent[t], updated_at = v_last_ts
             WHERE s.tenant = v_tenants[t] AND s.period = 'D' AND s.period_start = v_day;
        END IF;
    END LOOP;
END
$fn$;

-- Deletes idle full buckets as before, but skips rows another transaction holds instead of waiting for
-- them (a busy bucket is not idle anyway), so it never waits for a row lock and cannot be part of a
-- deadlock with acquire_many, which holds several bucket rows at once.
CREATE OR REPLACE FUNCTION __schema__.evict_idle_buckets(p_idle interval)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_now  bigint := (extract(epoch FROM clock_timestamp()) * 10000000)::bigint;
    v_idle bigint := (extract(epoch FROM p_idle) * 10000000)::bigint;
    v_count integer;
BEGIN
    DELETE FROM __schema__.buckets x
     USING (SELECT y.tenant, y.category FROM __schema__.buckets y
             WHERE v_now - y.tat >= v_idle
               AND y.credits + (v_now - y.tat) >= y.burst_ticks
               FOR UPDATE SKIP LOCKED) idle
     WHERE x.tenant = idle.tenant AND x.category = idle.category;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$fn$;
