-- Inventory: types, items and the items' append-only history.
-- Conventions as in 0001: times are UTC unix seconds, enums their wire spelling.

CREATE TABLE inventory_types (
    id                       INTEGER PRIMARY KEY,
    -- General, Telephone_Number, IP_Address, Mobile_Device or SIM_Card.
    kind                     TEXT NOT NULL,
    -- The label of the items' identifier ("ICCID", "ESN/MEID").
    identifier_label         TEXT NOT NULL,
    name                     TEXT NOT NULL,
    requires_product         INTEGER NOT NULL,
    programming_instructions TEXT,
    description              TEXT,
    active                   INTEGER NOT NULL,
    -- NONE, ESN_DECIMAL, MEID_DECIMAL, ESN_OR_MEID_DECIMAL or ICCID_DECIMAL.
    format                   TEXT NOT NULL,
    -- JSON: the type's custom field values, its item field definitions, its catalog products.
    fields                   TEXT NOT NULL,
    item_fields              TEXT NOT NULL,
    product_ids              TEXT NOT NULL
) STRICT;

CREATE TABLE inventory_items (
    id                    INTEGER PRIMARY KEY,
    type_id               INTEGER NOT NULL REFERENCES inventory_types (id),
    identifier            TEXT NOT NULL,
    -- AVAILABLE, UNAVAILABLE, ASSIGNED or BATCHED.
    status                TEXT NOT NULL,
    customer_id           INTEGER REFERENCES customers (id),
    service_id            INTEGER REFERENCES services (id),
    customer_product_id   INTEGER REFERENCES customer_products (id),
    assigned_at           INTEGER,
    unavailable_reason_id INTEGER,
    note                  TEXT,
    msid                  TEXT,
    msl                   TEXT,
    mdn                   TEXT,
    -- JSON array of {field_id, value}; NULL when the item has none.
    fields                TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    UNIQUE (type_id, identifier)
) STRICT;

CREATE INDEX inventory_items_identifier ON inventory_items (identifier);
CREATE INDEX inventory_items_mdn ON inventory_items (mdn) WHERE mdn IS NOT NULL;
CREATE INDEX inventory_items_customer ON inventory_items (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX inventory_items_service ON inventory_items (service_id) WHERE service_id IS NOT NULL;

CREATE TABLE inventory_history (
    id                   INTEGER PRIMARY KEY,
    item_id              INTEGER NOT NULL,
    at                   INTEGER NOT NULL,
    user_id              INTEGER NOT NULL,
    on_behalf_of_user_id INTEGER,
    operation            TEXT NOT NULL,
    -- CREATED, UPDATED, ASSIGNED, UNASSIGNED or STATUS.
    action               TEXT NOT NULL,
    field                TEXT,
    old_value            TEXT,
    new_value            TEXT,
    note                 TEXT
) STRICT;

CREATE INDEX inventory_history_item ON inventory_history (item_id, id);
