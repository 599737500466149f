-- AgentQuotas.Postgres schema, version 1: token buckets, the spend ledger, the audit table and the
-- functions that change them. __schema__ is replaced by the quoted schema name. Time is counted in
-- 100 ns ticks since the Unix epoch, read from the database clock (clock_timestamp()), so every host
-- agrees whatever its own clock says.

CREATE TABLE __schema__.buckets (
    tenant            text    NOT NULL,
    category          text    NOT NULL,
    -- Theoretical arrival time (GCRA): the bucket level at instant now is capacity_ticks - (tat - now).
    tat               bigint  NOT NULL,
    -- Banked burst credits, in ticks.
    credits           bigint  NOT NULL,
    -- The shape the state was last computed with; a request with another shape (a policy reload)
    -- carries level and credits over in units, clipped to the new shape.
    capacity          float8  NOT NULL,
    refill_per_second float8  NOT NULL,
    burst_credits     float8  NOT NULL,
    emergency_debt    float8  NOT NULL,
    capacity_ticks    bigint  NOT NULL,
    burst_ticks       bigint  NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant, category)
);

-- One row per tenant per UTC day ('D') and per UTC month ('M'). Rows are kept (history); see
-- docs/postgres.md for retention.
CREATE TABLE __schema__.spend (
    tenant       text    NOT NULL,
    period       "char"  NOT NULL CHECK (period IN ('D', 'M')),
    period_start date    NOT NULL,
    spent        numeric NOT NULL DEFAULT 0 CHECK (spent >= 0),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant, period, period_start)
);

CREATE TABLE __schema__.audit (
    id             uuid        NOT NULL PRIMARY KEY, -- UUIDv7 made by the writer: retries never duplicate
    recorded_at    timestamptz NOT NULL,
    tenant         text        NOT NULL,
    principal      text        NOT NULL,
    workflow       text,
    run_id         text,
    workload_class text        NOT NULL,
    tool           text        NOT NULL,
    category       text        NOT NULL,
    planned_cost   float8      NOT NULL,
    actual_cost    float8,
    decision       text        NOT NULL,
    reason         text        NOT NULL,
    mode           text        NOT NULL,
    queue_wait_ms  float8      NOT NULL,
    policy_version text        NOT NULL,
    detail         text,
    host           text,
    inserted_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX audit_tenant_recorded_at ON __schema__.audit (tenant, recorded_at);
CREATE INDEX audit_recorded_at ON __schema__.audit USING brin (recorded_at);

-- Locks (creating when missing) the tenant's spend rows for the UTC day and month of p_ts, month
-- first. Every function locks bucket, then month, then day, so concurrent calls never deadlock.
CREATE FUNCTION __schema__.lock_spend(p_tenant text, p_day date, p_month date, OUT day_spent numeric, OUT month_spent numeric)
LANGUAGE plpgsql AS $fn$
BEGIN
    SELECT s.spent INTO month_spent FROM __schema__.spend s
     WHERE s.tenant = p_tenant AND s.period = 'M' AND s.period_start = p_month FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO __schema__.spend (tenant, period, period_start) VALUES (p_tenant, 'M', p_month) ON CONFLICT DO NOTHING;
        SELECT s.spent INTO month_spent FROM __schema__.spend s
         WHERE s.tenant = p_tenant AND s.period = 'M' AND s.period_start = p_month FOR UPDATE;
    END IF;

    SELECT s.spent INTO day_spent FROM __schema__.spend s
     WHERE s.tenant = p_tenant AND s.period = 'D' AND s.period_start = p_day FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO __schema__.spend (tenant, period, period_start) VALUES (p_tenant, 'D', p_day) ON CONFLICT DO NOTHING;
        SELECT s.spent INTO day_spent FROM __schema__.spend s
         WHERE s.tenant = p_tenant AND s.period = 'D' AND s.period_start = p_day FOR UPDATE;
    END IF;
END
$fn$;

-- Locks (creating full when missing) a bucket and brings it to instant now: refill since the last
-- call banks overflow as burst credits, a changed shape carries level and credits over in units, and
-- a refund (a returned lease, p_refund_ticks > 0) raises the level up to capacity and banks the rest.
-- Returns the row as it is at now, not yet written.
CREATE FUNCTION __schema__.lock_bucket(
    p_tenant text, p_category text,
    p_capacity float8, p_refill float8, p_burst float8, p_debt float8,
    p_capacity_ticks bigint, p_burst_ticks bigint, p_refund_ticks bigint,
    OUT b __schema__.buckets, OUT now_ts timestamptz, OUT now_ticks bigint, OUT changed boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_old_tpu float8;
    v_tpu     float8;
    v_level   float8;
    v_credits float8;
    v_new_level bigint;
    v_to_level  bigint;
BEGIN
    SELECT * INTO b FROM __schema__.buckets x WHERE x.tenant = p_tenant AND x.category = p_category FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO __schema__.buckets (tenant, category, tat, credits, capacity, refill_per_second, burst_credits,
                                        emergency_debt, capacity_ticks, burst_ticks)
        VALUES (p_tenant, p_category, (extract(epoch FROM clock_timestamp()) * 10000000)::bigint, p_burst_ticks,
                p_capacity, p_refill, p_burst, p_debt, p_capacity_ticks, p_burst_ticks)
        ON CONFLICT DO NOTHING;
        SELECT * INTO b FROM __schema__.buckets x WHERE x.tenant = p_tenant AND x.category = p_category FOR UPDATE;
    END IF;

    -- Read the clock once the row is ours, so the order of updates is the order of their instants.
    now_ts := clock_timestamp();
    now_ticks := (extract(epoch FROM now_ts) * 10000000)::bigint;
    changed := false;

    IF b.tat < now_ticks THEN
        -- Full since tat: what overflowed since then is banked as burst credits.
        b.credits := b.credits + least(b.burst_ticks - b.credits, now_ticks - b.tat);
        b.tat := now_ticks;
    END IF;

    IF b.capacity <> p_capacity OR b.refill_per_second <> p_refill OR b.burst_credits <> p_burst OR b.emergency_debt <> p_debt THEN
        v_old_tpu := 10000000::float8 / b.refill_per_second;
        v_tpu := 10000000::float8 / p_refill;
        v_level := (b.capacity_ticks - (b.tat - now_ticks))::float8 / v_old_tpu;
        v_credits := b.credits::float8 / v_old_tpu;
        v_new_level := floor(least(v_level, p_capacity) * v_tpu)::bigint;
        b.credits := floor(least(v_credits, p_burst) * v_tpu)::bigint;
        b.tat := now_ticks + p_capacity_ticks - v_new_level;
        b.capacity := p_capacity;
        b.refill_per_second := p_refill;
        b.burst_credits := p_burst;
        b.emergency_debt := p_debt;
        b.capacity_ticks := p_capacity_ticks;
        b.burst_ticks := p_burst_ticks;
        changed := true;
    END IF;

    IF p_refund_ticks > 0 THEN
        v_to_level := least(p_refund_ticks, greatest(0, b.tat - now_ticks));
        b.tat := b.tat - v_to_level;
        b.credits := least(b.burst_ticks, b.credits + (p_refund_ticks - v_to_level));
        changed := true;
    END IF;
END
$fn$;

-- Takes at least p_cost_ticks and at most p_max_ticks from a bucket (more than the cost only for a
-- lease, and only from level and credits, never from emergency debt), charges the units taken to the
-- tenant's spend for the UTC day and month within the ceilings, after first returning an unused lease
-- (p_return_ticks to the bucket, p_return_units to the ledger). One call is one transaction: the
-- bucket row and the tenant's spend rows are locked (bucket, month, day), decided and written together.
-- outcome: 0 admitted, 1 bucket exhausted, 3 daily ceiling, 4 monthly ceiling (QuotaStoreOutcome).
CREATE FUNCTION __schema__.acquire(
    p_tenant text, p_category text,
    p_capacity float8, p_refill float8, p_burst float8, p_debt float8,
    p_capacity_ticks bigint, p_burst_ticks bigint, p_debt_ticks bigint,
    p_cost numeric, p_cost_ticks bigint, p_max_ticks bigint, p_emergency boolean,
    p_day_ceiling numeric, p_month_ceiling numeric,
    p_return_ticks bigint, p_return_units numeric,
    OUT outcome integer, OUT taken_ticks bigint, OUT taken_units numeric, OUT remaining_ticks bigint,
    OUT retry_ticks bigint, OUT used_burst boolean, OUT used_emergency boolean, OUT now_ticks bigint,
    OUT next_day_ticks bigint, OUT day_spent numeric, OUT month_spent numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_lock    record;
    b         __schema__.buckets;
    v_changed boolean;
    v_day     date;
    v_month   date;
    v_level   bigint;
    v_total   bigint;
    v_debt    bigint;
    v_take    bigint;
    v_room    numeric;
    v_ledger  boolean := false;
BEGIN
    SELECT * INTO v_lock FROM __schema__.lock_bucket(p_tenant, p_category, p_capacity, p_refill, p_burst, p_debt,
                                                     p_capacity_ticks, p_burst_ticks, p_return_ticks);
    b := v_lock.b;
    v_changed := v_lock.changed;
    now_ticks := v_lock.now_ticks;
    v_day := (v_lock.now_ts AT TIME ZONE 'UTC')::date;
    v_month := date_trunc('month', v_day)::date;
    next_day_ticks := (extract(epoch FROM ((v_day + 1)::timestamp AT TIME ZONE 'UTC')) * 10000000)::bigint;

    taken_ticks := 0;
    taken_units := 0;
    used_burst := false;
    used_emergency := false;
    v_level := b.capacity_ticks - (b.tat - now_ticks);
    v_total := v_level + b.credits;
    v_debt := CASE WHEN p_emergency THEN p_debt_ticks ELSE 0 END;

    IF p_day_ceiling IS NOT NULL OR p_month_ceiling IS NOT NULL OR p_return_units > 0 OR v_total + v_debt >= p_cost_ticks THEN
        SELECT s.day_spent, s.month_spent INTO day_spent, month_spent FROM __schema__.lock_spend(p_tenant, v_day, v_month) s;
        v_ledger := true;
        IF p_return_units > 0 THEN
            day_spent := greatest(0, day_spent - p_return_units);
            month_spent := greatest(0, month_spent - p_return_units);
        END IF;
    END IF;

    IF p_day_ceiling IS NOT NULL AND day_spent + p_cost > p_day_ceiling THEN
        outcome := 3;
        remaining_ticks := v_total;
        IF p_cost <= p_day_ceiling THEN
            retry_ticks := next_day_ticks - now_ticks;
        END IF;
    ELSIF p_month_ceiling IS NOT NULL AND month_spent + p_cost > p_month_ceiling THEN
        outcome := 4;
        remaining_ticks := v_total;
        IF p_cost <= p_month_ceiling THEN
            retry_ticks := (extract(epoch FROM ((v_month + interval '1 month') AT TIME ZONE 'UTC')) * 10000000)::bigint - now_ticks;
        END IF;
    ELSIF v_total >= p_cost_ticks THEN
        outcome := 0;
        v_take := least(p_max_ticks, v_total);
        IF v_take > p_cost_ticks THEN
            -- A lease never reaches past a ceiling: the ledger is charged for the whole slice.
            IF p_day_ceiling IS NOT NULL THEN
                v_room := (p_day_ceiling - day_spent) * 10000000 / p_refill::numeric;
                v_take := greatest(p_cost_ticks, least(v_take, floor(v_room)::bigint));
            END IF;
            IF p_month_ceiling IS NOT NULL THEN
                v_room := (p_month_ceiling - month_spent) * 10000000 / p_refill::numeric;
                v_take := greatest(p_cost_ticks, least(v_take, floor(v_room)::bigint));
            END IF;
        END IF;

        IF v_level >= v_take THEN
            b.tat := b.tat + v_take;
        ELSE
            -- Empty the bucket and draw the shortfall from banked burst credits.
            b.credits := v_total - v_take;
            b.tat := now_ticks + b.capacity_ticks;
            used_burst := true;
        END IF;

        taken_ticks := v_take;
        remaining_ticks := v_total - v_take;
        IF v_take = p_cost_ticks THEN
            taken_units := p_cost;
        ELSE
            taken_units := greatest(p_cost, trim_scale(trunc(v_take::numeric * p_refill::numeric / 10000000, 12)));
            IF p_day_ceiling IS NOT NULL THEN
                taken_units := greatest(p_cost, least(taken_units, p_day_ceiling - day_spent));
            END IF;
            IF p_month_ceiling IS NOT NULL THEN
                taken_units := greatest(p_cost, least(taken_units, p_month_ceiling - month_spent));
            END IF;
        END IF;
        v_changed := true;
    ELSIF p_emergency AND v_total + p_debt_ticks >= p_cost_ticks THEN
        -- Borrow against future refill, down to -emergency debt.
        outcome := 0;
        used_burst := b.credits > 0;
        used_emergency := true;
        b.credits := 0;
        b.tat := now_ticks + b.capacity_ticks - (v_total - p_cost_ticks);
        taken_ticks := p_cost_ticks;
        taken_units := p_cost;
        remaining_ticks := v_total - p_cost_ticks;
        v_changed := true;
    ELSE
        -- Level plus credits grows one tick per tick until the cost fits: the wait is the shortfall.
        outcome := 1;
        remaining_ticks := v_total;
        retry_ticks := p_cost_ticks - v_total - v_debt;
    END IF;

    IF v_changed THEN
        UPDATE __schema__.buckets x
           SET tat = b.tat, credits = b.credits, capacity = b.capacity, refill_per_second = b.refill_per_second,
               burst_credits = b.burst_credits, emergency_debt = b.emergency_debt, capacity_ticks = b.capacity_ticks,
               burst_ticks = b.burst_ticks, updated_at = v_lock.now_ts
         WHERE x.tenant = p_tenant AND x.category = p_category;
    END IF;

    IF v_ledger AND (taken_units > 0 OR p_return_units > 0) THEN
        day_spent := day_spent + taken_units;
        month_spent := month_spent + taken_units;
        UPDATE __schema__.spend s SET spent = month_spent, updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'M' AND s.period_start = v_month;
        UPDATE __schema__.spend s SET spent = day_spent, updated_at = v_lock.now_ts
         WHERE s.tenant = p_tenant AND s.period = 'D' AND s.period_start = v_day;
    END IF;
END
$fn$;

-- Corrects an earlier charge: p_delta_ticks > 0 charges more (the bucket may go into debt), < 0
-- refunds (level up to capacity, the rest banked up to the burst allowance). The ledger moves by
-- p_delta_units for the current UTC day and month, never below zero.
CREATE FUNCTION __schema__.settle(
    p_tenant text, p_category text,
    p_capacity float8, p_refill float8, p_burst float8, p_debt float8,
    p_capacity_ticks bigint, p_burst_ticks bigint,
    p_delta_ticks bigint, p_delta_units numeric,
    OUT remaining_ticks bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_lock  record;
    b       __schema__.buckets;
    v_day   date;
    v_month date;
    v_spend record;
BEGIN
    SELECT * INTO v_lock FROM __schema__.lock_bucket(p_tenant, p_category, p_capacity, p_refill, p_burst, p_debt,
                                                     p_capacity_ticks, p_burst_ticks, greatest(0, -p_delta_ticks));
    b := v_lock.b;
    IF p_delta_ticks > 0 THEN
        b.tat := b.tat + p_delta_ticks;
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

-- Reads a bucket without changing it. Level and credits are in units of the stored shape, clipped to
-- the requested one when it differs (as a reload would); bucket_found is false for a bucket never used.
CREATE FUNCTION __schema__.peek(
    p_tenant text, p_category text, p_capacity float8, p_burst float8,
    OUT bucket_found boolean, OUT level_units float8, OUT credit_units float8)
LANGUAGE plpgsql AS $fn$
DECLARE
    b     __schema__.buckets;
    v_now bigint := (extract(epoch FROM clock_timestamp()) * 10000000)::bigint;
    v_tpu float8;
BEGIN
    SELECT * INTO b FROM __schema__.buckets x WHERE x.tenant = p_tenant AND x.category = p_category;
    bucket_found := FOUND;
    IF NOT bucket_found THEN
        RETURN;
    END IF;

    v_tpu := 10000000::float8 / b.refill_per_second;
    level_units := (b.capacity_ticks - greatest(0, b.tat - v_now))::float8 / v_tpu;
    credit_units := (CASE WHEN b.tat < v_now THEN b.credits + least(b.burst_ticks - b.credits, v_now - b.tat) ELSE b.credits END)::float8 / v_tpu;
    IF b.capacity <> p_capacity OR b.burst_credits <> p_burst THEN
        level_units := least(level_units, p_capacity);
        credit_units := least(credit_units, p_burst);
    END IF;
END
$fn$;

-- A tenant's spend for the current UTC day and month by the database clock.
CREATE FUNCTION __schema__.current_spend(p_tenant text, OUT day_spent numeric, OUT month_spent numeric)
LANGUAGE sql AS $fn$
    SELECT coalesce(max(s.spent) FILTER (WHERE s.period = 'D'), 0),
           coalesce(max(s.spent) FILTER (WHERE s.period = 'M'), 0)
      FROM __schema__.spend s
     WHERE s.tenant = p_tenant
       AND ((s.period = 'D' AND s.period_start = (clock_timestamp() AT TIME ZONE 'UTC')::date)
         OR (s.period = 'M' AND s.period_start = date_trunc('month', clock_timestamp() AT TIME ZONE 'UTC')::date));
$fn$;

-- Deletes buckets that are full (credits included) and untouched for p_idle; a bucket that is not
-- full is never deleted, so deletion never forgives a debt. Returns how many were deleted.
CREATE FUNCTION __schema__.evict_idle_buckets(p_idle interval)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_now  bigint := (extract(epoch FROM clock_timestamp()) * 10000000)::bigint;
    v_idle bigint := (extract(epoch FROM p_idle) * 10000000)::bigint;
    v_count integer;
BEGIN
    DELETE FROM __schema__.buckets x
     WHERE v_now - x.tat >= v_idle
       AND x.credits + (v_now - x.tat) >= x.burst_ticks;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$fn$;
