-- Orders: what an order does to which services, and where it stands.
-- Conventions as in 0001: money is TEXT holding the canonical decimal string, booleans 0/1,
-- times UTC unix seconds, enums their wire spelling, `seq` the order of a list as given.
-- PostgreSQL's 0003_orders.sql holds the same tables and columns.

-- ---------------------------------------------------------------- what orders change

-- The provider account a service is provisioned under (an id of the provider's `accounts`,
-- which live in its row as JSON, so not enforced here).
ALTER TABLE services ADD COLUMN provider_account_id INTEGER;
-- The service whose BTN this one bills under; NULL when it is its own BTN. Checked at commit,
-- so a canceled order may delete services that name each other in any order.
ALTER TABLE services ADD COLUMN alt_btn_id INTEGER REFERENCES services (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE services ADD COLUMN pbx_make TEXT;
ALTER TABLE services ADD COLUMN pbx_model TEXT;

-- The provider's accounts, a JSON array of {id, name, default}: few per provider, always read
-- with it (like adapter_settings).
ALTER TABLE providers ADD COLUMN accounts TEXT NOT NULL DEFAULT '[]';

-- Orders_Search by bill profile goes from the profile to its customers, then to their orders.
CREATE INDEX customers_bill_profile ON customers (bill_profile_id);

-- ---------------------------------------------------------------- orders

CREATE TABLE orders (
    id                      INTEGER PRIMARY KEY,
    -- The purchase order number, unique within the client (its UNIQUE index serves the PON
    -- search).
    pon                     TEXT NOT NULL UNIQUE,
    customer_id             INTEGER NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    -- NEW, DISCONNECT, DENY, RESTORE, CHANGE_FEATURE, ADD_LINE, TRANSFER or CONVERSION.
    order_type              TEXT NOT NULL,
    -- NEW, SENT, ERROR, CONFIRMED, COMPLETE, CANCELED, HOLD, … (Enum_Order_Status).
    status                  TEXT NOT NULL,
    status_note             TEXT,
    provider_id             INTEGER REFERENCES providers (id) DEFERRABLE INITIALLY DEFERRED,
    -- An id of the provider's accounts (JSON in `providers`, so not enforced).
    provider_account_id     INTEGER,
    process_id              INTEGER REFERENCES processes (id) DEFERRABLE INITIALLY DEFERRED,
    -- An id of the process's routes (`process_routes` is keyed by process and position).
    process_route_id        INTEGER,
    flow_through            INTEGER NOT NULL CHECK (flow_through IN (0, 1)),
    send_now                INTEGER NOT NULL CHECK (send_now IN (0, 1)),
    reconnect               INTEGER NOT NULL CHECK (reconnect IN (0, 1)),
    -- DIFFERENCE, NEXT_CYCLE or PRORATE.
    billing_option          TEXT,
    -- ALL, INCOMING or OUTGOING.
    suspend_type            TEXT,
    -- Disconnect: what the services' inventory becomes on completion (an item status).
    inventory_status        TEXT,
    whole_account           INTEGER NOT NULL CHECK (whole_account IN (0, 1)),
    prorate                 INTEGER NOT NULL CHECK (prorate IN (0, 1)),
    ignore_related_products INTEGER NOT NULL CHECK (ignore_related_products IN (0, 1)),
    tracking_number         TEXT,
    -- NOT_REQUIRED, NOT_SHIPPED or SHIPPED.
    shipping_status         TEXT NOT NULL,
    -- The shipping address: all NULL when there is none (as customers' service_* columns).
    ship_first_name         TEXT,
    ship_last_name          TEXT,
    ship_address1           TEXT,
    ship_address2           TEXT,
    ship_city               TEXT,
    ship_state              TEXT,
    ship_zip                TEXT,
    ship_zip4               TEXT,
    ship_country            TEXT,
    -- A number ported in (JSON of the port record), NULL when there is none: read only with
    -- the order, never searched.
    port                    TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    sent_at                 INTEGER,
    completed_at            INTEGER,
    CHECK ((ship_address1 IS NULL) = (ship_first_name IS NULL)
       AND (ship_address1 IS NULL) = (ship_last_name IS NULL)
       AND (ship_address1 IS NULL) = (ship_city IS NULL)
       AND (ship_address1 IS NULL) = (ship_state IS NULL)
       AND (ship_address1 IS NULL) = (ship_zip IS NULL)
       AND (ship_address1 IS NULL) = (ship_country IS NULL))
) STRICT;

-- Searches page by id within each filter, so each index ends with id.
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_status_provider ON orders (status, provider_id, id);
-- A search by status alone (the queue of ERROR orders, say) pages without sorting.
CREATE INDEX orders_status ON orders (status, id);
-- Orders waiting for a route decision (RequiresRouteDecision): few, however many orders.
CREATE INDEX orders_awaiting_route ON orders (process_id, id) WHERE process_route_id IS NULL;

-- The services an order involves. service_id is not enforced: a canceled order deletes the
-- services it created and keeps its lines.
CREATE TABLE order_lines (
    order_id       INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    service_id     INTEGER NOT NULL,
    -- The service's TN when the order was made (the TN search).
    tn             TEXT,
    -- NEW, SUSPEND, RESTORE, DISCONNECT, CHANGE or PACKAGE_CHANGE.
    action         TEXT NOT NULL,
    package_id     INTEGER,
    old_package_id INTEGER,
    PRIMARY KEY (order_id, seq)
) STRICT;

CREATE INDEX order_lines_tn ON order_lines (tn);
CREATE INDEX order_lines_service ON order_lines (service_id);

-- The product changes an order carries. customer_product_id and service_id are not enforced:
-- a canceled order deletes the PENDING products it added and keeps its items.
CREATE TABLE order_items (
    order_id            INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    service_id          INTEGER NOT NULL,
    -- ADD, CHANGE or REMOVE.
    action              TEXT NOT NULL,
    customer_product_id INTEGER NOT NULL,
    product_id          INTEGER NOT NULL,
    rate                TEXT,
    quantity            INTEGER,
    PRIMARY KEY (order_id, seq)
) STRICT;

-- The inventory an order reserved, with what each item was before (so a cancel gives it
-- back). item_id is not enforced: history rows outlive what they describe.
CREATE TABLE order_inventory (
    order_id             INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq                  INTEGER NOT NULL,
    item_id              INTEGER NOT NULL,
    -- The item's identifier when reserved (the Identifier search).
    identifier           TEXT NOT NULL,
    service_id           INTEGER NOT NULL,
    -- AVAILABLE, UNAVAILABLE, ASSIGNED or BATCHED.
    previous_status      TEXT NOT NULL,
    previous_customer_id INTEGER,
    previous_service_id  INTEGER,
    previous_assigned_at INTEGER,
    PRIMARY KEY (order_id, seq)
) STRICT;

CREATE INDEX order_inventory_identifier ON order_inventory (identifier);

-- Every status an order has been in, append-only; id keeps the order of the entries.
CREATE TABLE order_status_history (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at                   INTEGER NOT NULL,
    -- NULL for the entry recording the order's creation.
    from_status          TEXT,
    to_status            TEXT NOT NULL,
    note                 TEXT,
    user_id              INTEGER NOT NULL,
    on_behalf_of_user_id INTEGER
) STRICT;

CREATE INDEX order_status_history_order ON order_status_history (order_id, id);
