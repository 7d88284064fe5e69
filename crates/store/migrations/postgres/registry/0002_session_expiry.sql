-- A session opened through an impersonation key ends when the key does: its hard end, unix
-- seconds (NULL for ordinary sessions, which end only by idling out or being destroyed).
ALTER TABLE sessions ADD COLUMN expires_at BIGINT;
