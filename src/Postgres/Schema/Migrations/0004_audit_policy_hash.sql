-- AgentQuotas.Postgres schema, version 4: every audit record names the content of the policy that decided
-- (issue 16): policy_hash is the lower-case hex SHA-256 of the policy's canonical form, next to its version.
-- Rows written before this version have no hash (NULL).

ALTER TABLE __schema__.audit ADD COLUMN IF NOT EXISTS policy_hash text;
