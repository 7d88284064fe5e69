-- The registry (the main database file): which clients exist, and the sessions and
-- impersonation grants, each naming its client. Clients' own data lives in one database file
-- per client (see the crate docs), never here.
-- Times are UTC unix seconds.

CREATE TABLE clients (
    code                 TEXT PRIMARY KEY,
    -- The name of the client's database: its file is `<db_name>.db` in the clients folder.
    -- Unique, so two codes that map to one name (`a-b`, `a_b`) cannot share a database.
    db_name              TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    session_idle_minutes INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    key_hash             TEXT PRIMARY KEY,
    client               TEXT NOT NULL REFERENCES clients (code),
    user_id              INTEGER NOT NULL,
    impersonator_user_id INTEGER,
    created_at           INTEGER NOT NULL,
    last_used_at         INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_client_last_used ON sessions (client, last_used_at);

CREATE TABLE impersonation_grants (
    key_hash        TEXT PRIMARY KEY,
    client          TEXT NOT NULL REFERENCES clients (code),
    grantor_user_id INTEGER NOT NULL,
    grantee_user_id INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
) STRICT;
