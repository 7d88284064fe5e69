-- Flow-through and events: what waits to be sent to a provider, and what happened, for
-- Events_Query and webhook subscribers. Times here are UTC unix milliseconds (the queue's
-- clock is finer than the orders' seconds). The other engine's 0004_flow.sql holds the same
-- tables and columns.

-- Subscribers to the client's events (`[[clients.webhooks]]`), keyed by url.
CREATE TABLE webhooks (
    url    TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    -- A JSON array of event names; "*" is every event.
    events TEXT NOT NULL
) STRICT;

-- An order waiting in the flow-through queue: to be sent (phase 'send') or asked about
-- (phase 'poll'). At most one per order; the row goes when the order needs nothing more.
CREATE TABLE flow_jobs (
    order_id       INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    phase          TEXT NOT NULL CHECK (phase IN ('send', 'poll')),
    -- Attempts to send started (each committed before the order leaves).
    attempts       INTEGER NOT NULL,
    -- Claims so far: the holder of the newest claim is the one that may finish the job.
    claims         INTEGER NOT NULL,
    due_at_ms      INTEGER NOT NULL,
    -- Held by a process until then; 0 when free.
    lease_until_ms INTEGER NOT NULL,
    sent_at_ms     INTEGER,
    last_error     TEXT
) STRICT;
CREATE INDEX flow_jobs_due ON flow_jobs (due_at_ms);

-- What happened. `seq` orders the client's events (an id counter, kind 'event'); `id` is
-- what a receiver drops duplicates by.
CREATE TABLE events (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    order_id INTEGER,
    item_id  INTEGER,
    at_ms    INTEGER NOT NULL,
    -- The event's JSON payload.
    data     TEXT NOT NULL
) STRICT;
CREATE INDEX events_order ON events (order_id, seq) WHERE order_id IS NOT NULL;
CREATE INDEX events_item ON events (item_id, seq) WHERE item_id IS NOT NULL;

-- An event on its way to one subscriber. Deliveries of one stream ('order:12', 'item:5')
-- to one subscriber are made one after the other, in seq order.
CREATE TABLE event_deliveries (
    event_seq       INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    subscriber      TEXT NOT NULL,
    stream          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    claims          INTEGER NOT NULL,
    due_at_ms       INTEGER NOT NULL,
    lease_until_ms  INTEGER NOT NULL,
    delivered_at_ms INTEGER,
    last_error      TEXT,
    PRIMARY KEY (event_seq, subscriber)
) STRICT;
CREATE INDEX event_deliveries_waiting ON event_deliveries (subscriber, stream, event_seq) WHERE delivered_at_ms IS NULL;
CREATE INDEX event_deliveries_due ON event_deliveries (due_at_ms) WHERE delivered_at_ms IS NULL;
