-- The audit records of changes to what the registry keeps (sessions, impersonation grants),
-- each naming its client: written in the same transaction as the change, so both commit or
-- neither does. (On PostgreSQL the client's schema could take part in that transaction; the
-- records are kept here anyway, as on SQLite, so that both engines keep one layout.) A
-- client's audit trail is these rows and the `audit_log` of its own schema.
CREATE TABLE audit_log (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client               TEXT NOT NULL REFERENCES clients (code),
    at                   BIGINT NOT NULL,
    user_id              INTEGER NOT NULL,
    -- The user who granted the impersonation key the change was made through.
    on_behalf_of_user_id INTEGER,
    operation            TEXT NOT NULL,
    -- The kind of entity changed: session, user (a grant names its grantee).
    entity               TEXT NOT NULL,
    -- JSON array of the ids changed.
    entity_ids           TEXT NOT NULL
);

CREATE INDEX audit_log_client_at ON audit_log (client, at);
