-- AgentQuotas.Postgres schema, version 5: deferred jobs (issue 17), the "reply later" rung of the degradation
-- ladder. A job is claimed under a lease token (FOR UPDATE SKIP LOCKED, so hosts never claim the same row at once);
-- every later change names the token, so only the current claim can start or finish it. States: 0 pending,
-- 1 claimed, 2 running, 3 succeeded, 4 failed (DeferredJobState).

CREATE TABLE IF NOT EXISTS __schema__.deferred_jobs (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL,
    payload        text,
    tenant         text NOT NULL,
    principal      text NOT NULL,
    workload_class smallint NOT NULL,
    workflow       text,
    tool           text NOT NULL,
    category       text NOT NULL,
    cost           double precision NOT NULL CHECK (cost > 0 AND cost < 'Infinity'::double precision),
    state          smallint NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 4),
    attempts       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    not_before     timestamptz NOT NULL,
    lease_token    uuid,
    lease_until    timestamptz,
    finished_at    timestamptz,
    result         text,
    error          text
);

-- What a claim looks for: due pending jobs and claims whose lease ran out, oldest first; running jobs past their lease.
CREATE INDEX IF NOT EXISTS deferred_jobs_due ON __schema__.deferred_jobs (not_before, created_at, id) WHERE state IN (0, 1);
CREATE INDEX IF NOT EXISTS deferred_jobs_running ON __schema__.deferred_jobs (lease_until) WHERE state = 2;
