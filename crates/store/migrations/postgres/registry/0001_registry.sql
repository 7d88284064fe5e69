-- The registry (schema `patchbay`; this script runs with search_path set to it): which
-- clients exist, and the sessions and impersonation grants, each naming its client. Clients'
-- own data lives in one schema per client (`client_<db_name>`), never here.
-- Times are UTC unix seconds.

CREATE TABLE clients (
    code                 TEXT PRIMARY KEY,
    -- The client's schema is `client_<db_name>`. Unique, so two codes that map to one name
    -- (`a-b`, `a_b`) cannot share a schema.
    db_name              TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    session_idle_minutes INTEGER NOT NULL
);

CREATE TABLE sessions (
    key_hash             TEXT PRIMARY KEY,
    client               TEXT NOT NULL REFERENCES clients (code),
    user_id              INTEGER NOT NULL,
    impersonator_user_id INTEGER,
    created_at           BIGINT NOT NULL,
    last_used_at         BIGINT NOT NULL
);

CREATE INDEX sessions_client_last_used ON sessions (client, last_used_at);

CREATE TABLE impersonation_grants (
    key_hash        TEXT PRIMARY KEY,
    client          TEXT NOT NULL REFERENCES clients (code),
    grantor_user_id INTEGER NOT NULL,
    grantee_user_id INTEGER NOT NULL,
    expires_at      BIGINT NOT NULL
);
