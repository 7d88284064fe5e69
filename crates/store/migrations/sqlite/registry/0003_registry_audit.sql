-- The audit records of changes to what the registry keeps (sessions, impersonation grants),
-- each naming its client: written in the same transaction as the change, so both commit or
-- neither does (the client's own file cannot take part in that transaction). A client's
-- audit trail is these rows and the `audit_log` of its own database.
CREATE TABLE audit_log (
    id                   INTEGER PRIMARY KEY,
    client               TEXT NOT NULL REFERENCES clients (code),
    at                   INTEGER NOT NULL,
    user_id              INTEGER NOT NULL,
    -- The user who granted the impersonation key the change was made through.
    on_behalf_of_user_id INTEGER,
    operation            TEXT NOT NULL,
    -- The kind of entity changed: session, user (a grant names its grantee).
    entity               TEXT NOT NULL,
    -- JSON array of the ids changed.
    entity_ids           TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_client_at ON audit_log (client, at);
