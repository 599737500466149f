-- AgentQuotas.Postgres schema, version 6: approvals that can be granted (issue 17). A privileged call without an
-- approval is filed here as 'pending' (state 0); an operator approves (1) or denies (2) it; the call that resumes
-- with it marks it used (3). Each change is one UPDATE guarded by the state it changes from and by expires_at,
-- so of two operators, or two resumes on two hosts, exactly one changes it. Identity columns come from the
-- authenticated run; arguments_digest is the SHA-256 of the call's canonical arguments.

CREATE TABLE IF NOT EXISTS __schema__.pending_approvals (
    id               text             PRIMARY KEY,
    tenant           text             NOT NULL,
    principal        text             NOT NULL,
    tool             text             NOT NULL,
    category         text             NOT NULL,
    arguments_digest text             NOT NULL,
    cost             double precision NOT NULL,
    run_id           text,
    requested_at     timestamptz      NOT NULL,
    expires_at       timestamptz      NOT NULL,
    state            smallint         NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),
    decided_by       text,
    decision_reason  text,
    decided_at       timestamptz,
    CHECK (expires_at > requested_at)
);

CREATE INDEX IF NOT EXISTS pending_approvals_open ON __schema__.pending_approvals (requested_at) WHERE state = 0;
CREATE INDEX IF NOT EXISTS pending_approvals_tenant ON __schema__.pending_approvals (tenant, requested_at);
