-- One client's database: a file per client (`<clients folder>/<db_name>.db`), so no table here
-- can name another client's.
--
-- Conventions: ids are the integers the API shows; money is TEXT holding the canonical
-- decimal string (`35.00`, scale kept as written; never REAL); booleans are 0/1; times are
-- UTC unix seconds; enums are their wire spelling; `seq` keeps the order of a list as it was
-- given. Tables are STRICT. References between configuration entities are checked at commit
-- (DEFERRABLE INITIALLY DEFERRED), so one transaction may write them in any order.

-- The configuration's version: moved on by every configuration write, read on every request.
CREATE TABLE config_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO config_version (id, version) VALUES (1, 0);

-- The last id handed out (or written explicitly) per entity kind (`product`, `customer`, …).
CREATE TABLE id_counters (
    kind    TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
) STRICT;

-- ---------------------------------------------------------------- settings

CREATE TABLE roles (
    name  TEXT PRIMARY KEY,
    -- JSON array of operation-name globs.
    allow TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; plain passwords are never stored.
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL REFERENCES roles (name) DEFERRABLE INITIALLY DEFERRED,
    agent_id      INTEGER,
    agent_number  TEXT
) STRICT;

CREATE TABLE bill_profiles (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE product_categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE line_types (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE product_types (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    recurring         INTEGER NOT NULL CHECK (recurring IN (0, 1)),
    requires_shipping INTEGER NOT NULL CHECK (requires_shipping IN (0, 1))
) STRICT;

CREATE TABLE providers (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    wireless         INTEGER NOT NULL CHECK (wireless IN (0, 1)),
    provisionable    INTEGER NOT NULL CHECK (provisionable IN (0, 1)),
    -- `simulated`, `manual` or `webhook`.
    adapter          TEXT NOT NULL,
    -- The adapter's own settings, a JSON document kept as given.
    adapter_settings TEXT NOT NULL
) STRICT;

CREATE TABLE processes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE process_routes (
    process_id  INTEGER NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    id          INTEGER NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (process_id, seq)
) STRICT;

CREATE TABLE unavailable_reasons (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE custom_fields (
    id    INTEGER PRIMARY KEY,
    label TEXT NOT NULL
) STRICT;

-- ---------------------------------------------------------------- catalog

CREATE TABLE products (
    id                       INTEGER PRIMARY KEY,
    provider_id              INTEGER NOT NULL REFERENCES providers (id) DEFERRABLE INITIALLY DEFERRED,
    product_type_id          INTEGER NOT NULL REFERENCES product_types (id) DEFERRABLE INITIALLY DEFERRED,
    name                     TEXT,
    description              TEXT,
    wholesale_description    TEXT,
    code1                    TEXT,
    code2                    TEXT,
    rate                     TEXT NOT NULL,
    cost                     TEXT NOT NULL,
    free_months              INTEGER,
    automatic_expiration     INTEGER,
    billing_months           INTEGER,
    -- Sold only in this state; NULL for everywhere.
    state                    TEXT,
    bill_in_arrears          INTEGER NOT NULL CHECK (bill_in_arrears IN (0, 1)),
    prorate                  INTEGER NOT NULL CHECK (prorate IN (0, 1)),
    product_category_id      INTEGER REFERENCES product_categories (id) DEFERRABLE INITIALLY DEFERRED,
    order_completion_billing INTEGER NOT NULL CHECK (order_completion_billing IN (0, 1)),
    creates_order            INTEGER NOT NULL CHECK (creates_order IN (0, 1)),
    active                   INTEGER NOT NULL CHECK (active IN (0, 1)),
    -- All, Business or Residential.
    customer_class           TEXT NOT NULL,
    -- Whether the product has wireless details; the flags are false when it has none.
    wireless                 INTEGER NOT NULL CHECK (wireless IN (0, 1)),
    wireless_voice           INTEGER NOT NULL CHECK (wireless_voice IN (0, 1)),
    wireless_sms             INTEGER NOT NULL CHECK (wireless_sms IN (0, 1)),
    wireless_data            INTEGER NOT NULL CHECK (wireless_data IN (0, 1))
) STRICT;

CREATE INDEX products_provider ON products (provider_id);

CREATE TABLE product_bill_profiles (
    product_id      INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    bill_profile_id INTEGER NOT NULL REFERENCES bill_profiles (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (product_id, seq)
) STRICT;

CREATE INDEX product_bill_profiles_bill_profile ON product_bill_profiles (bill_profile_id);

CREATE TABLE product_line_types (
    product_id   INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    line_type_id INTEGER NOT NULL REFERENCES line_types (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (product_id, seq)
) STRICT;

CREATE INDEX product_line_types_line_type ON product_line_types (line_type_id);

CREATE TABLE product_attributes (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (product_id, seq)
) STRICT;

CREATE INDEX product_attributes_key_value ON product_attributes (key, value);

CREATE TABLE product_availability (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    -- The wire spelling, e.g. Available_On_Signup_Flag.
    location   TEXT NOT NULL,
    PRIMARY KEY (product_id, seq)
) STRICT;

CREATE INDEX product_availability_location ON product_availability (location);

CREATE TABLE product_allowances (
    product_id      INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    quantity        INTEGER,
    expiration_days INTEGER,
    nights_weekends INTEGER NOT NULL CHECK (nights_weekends IN (0, 1)),
    unlimited       INTEGER NOT NULL CHECK (unlimited IN (0, 1)),
    PRIMARY KEY (product_id, seq)
) STRICT;

-- Custom field values (field_id names a custom_fields row; not enforced, so a value outlives
-- a field removed from the settings).
CREATE TABLE product_fields (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    field_id   INTEGER NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (product_id, seq)
) STRICT;

CREATE TABLE packages (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    provider_id  INTEGER NOT NULL REFERENCES providers (id) DEFERRABLE INITIALLY DEFERRED,
    line_type_id INTEGER REFERENCES line_types (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE package_products (
    package_id INTEGER NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (package_id, seq)
) STRICT;

-- ---------------------------------------------------------------- customers

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    -- Business or Residential.
    class              TEXT NOT NULL,
    first_name         TEXT,
    last_name          TEXT,
    company_name       TEXT,
    -- Prospect, Pending, Open or Closed.
    status             TEXT NOT NULL,
    bill_profile_id    INTEGER REFERENCES bill_profiles (id) DEFERRABLE INITIALLY DEFERRED,
    -- The service address: all NULL when there is none, else at least the NOT NULL ones of
    -- the address record set (possibly empty strings).
    service_first_name TEXT,
    service_last_name  TEXT,
    service_address1   TEXT,
    service_address2   TEXT,
    service_city       TEXT,
    service_state      TEXT,
    service_zip        TEXT,
    service_zip4       TEXT,
    service_country    TEXT,
    created_at         INTEGER NOT NULL,
    CHECK ((service_address1 IS NULL) = (service_first_name IS NULL)
       AND (service_address1 IS NULL) = (service_last_name IS NULL)
       AND (service_address1 IS NULL) = (service_city IS NULL)
       AND (service_address1 IS NULL) = (service_state IS NULL)
       AND (service_address1 IS NULL) = (service_zip IS NULL)
       AND (service_address1 IS NULL) = (service_country IS NULL))
) STRICT;

CREATE TABLE customer_fields (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    field_id    INTEGER NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
) STRICT;

CREATE TABLE services (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    tn           TEXT,
    line_type_id INTEGER REFERENCES line_types (id) DEFERRABLE INITIALLY DEFERRED,
    provider_id  INTEGER REFERENCES providers (id) DEFERRABLE INITIALLY DEFERRED,
    package_id   INTEGER REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    description  TEXT,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX services_customer ON services (customer_id);
CREATE INDEX services_tn ON services (tn);

CREATE TABLE customer_products (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    service_id     INTEGER REFERENCES services (id),
    product_id     INTEGER NOT NULL REFERENCES products (id) DEFERRABLE INITIALLY DEFERRED,
    description    TEXT,
    rate           TEXT NOT NULL,
    quantity       INTEGER NOT NULL,
    -- PENDING, ACTIVE, DENIED or DISCONNECTED.
    status         TEXT NOT NULL,
    activated_at   INTEGER,
    billed_through INTEGER
) STRICT;

CREATE INDEX customer_products_customer ON customer_products (customer_id);
CREATE INDEX customer_products_service ON customer_products (service_id);

-- ---------------------------------------------------------------- audit

CREATE TABLE audit_log (
    id                   INTEGER PRIMARY KEY,
    at                   INTEGER NOT NULL,
    user_id              INTEGER NOT NULL,
    -- The user who granted the impersonation key the change was made through.
    on_behalf_of_user_id INTEGER,
    operation            TEXT NOT NULL,
    -- The kind of entity changed, e.g. product.
    entity               TEXT NOT NULL,
    -- JSON array of the ids changed.
    entity_ids           TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at);
