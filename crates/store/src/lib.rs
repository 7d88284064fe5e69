//! Storage for Patchbay: the core's [`Store`], [`ClientDb`](patchbay_core::store::ClientDb) and
//! [`ClientTx`](patchbay_core::store::ClientTx) over SQLite (the embedded default) and
//! PostgreSQL, with sqlx.
//!
//! [`open`] takes a URL:
//!
//! - `sqlite://PATH` (`sqlite://patchbay.db`, `sqlite:///var/lib/patchbay/patchbay.db`): the
//!   file is created if missing; a relative path is relative to the working directory.
//! - `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (or `postgresql://…`): the database must
//!   exist; schemas are created by the migrations.
//!
//! Opening does not migrate; [`Store::migrate`] brings the registry and every client database
//! to the current schema, and [`Store::put_client`] creates and migrates a new client's.
//!
//! # Layout: clients are separated physically
//!
//! A [`ClientDb`](patchbay_core::store::ClientDb) is bound to one client's own database, so a
//! query that forgets a condition still cannot reach another client's rows.
//!
//! | | SQLite | PostgreSQL |
//! |---|---|---|
//! | registry (`clients`, `sessions`, `impersonation_grants`, `audit_log` of those two) | the main file, `patchbay.db` | schema `patchbay` |
//! | client `acme`'s data | `patchbay.clients/acme.db` (the folder is the main file's name with extension `.clients`) | schema `client_acme` |
//! | pools | per file: 1 writer connection (`BEGIN IMMEDIATE`) + 4 readers | one shared pool; every table name is schema-qualified |
//!
//! Client codes are 1 to 40 of `a-z`, `0-9`, `_` and `-`; others are refused. The database
//! name is the code with `-` mapped to `_` (`acme-west` → `acme_west.db`, `client_acme_west`);
//! the registry keeps it unique, so `acme-west` and `acme_west` cannot both exist.
//!
//! SQLite files run in WAL mode with `synchronous=FULL` (an acknowledged write survives power
//! loss), foreign keys on and a 5 s busy timeout. Several processes may share a PostgreSQL
//! database: ids come from a counters table (`id_counters`). On SQLite it is updated inside the
//! writing transaction (which holds the file's one writer, so a rollback gives the ids back); on
//! PostgreSQL each reservation or raise is a statement of its own on a small pool of its own,
//! committing at once (`synchronous_commit = off`, made durable by the synchronous COMMIT of the
//! transaction that uses the ids), so a counter row is never locked until a request's COMMIT and
//! requests do not queue on it. Ids are never handed out twice; a rollback leaves a gap there.
//!
//! # Schema
//!
//! The migrations, versioned and embedded, are under `migrations/{sqlite,postgres}/{registry,client}`;
//! the two dialects hold the same tables and columns. A client's database holds:
//!
//! - `config_version` (one row, moved on by every configuration write) and `id_counters`
//!   (the last id per entity kind; `next_id`, `next_ids` and `reserve_ids` move it on, the
//!   latter for several kinds in one statement; `put_config`, `put_product` and the inserts of
//!   customers, services, customer products and orders raise it to the largest explicit id they
//!   write, so `next_id` never hands out a taken id, and skip the raise when the transaction
//!   reserved that id or a larger one itself);
//! - settings: `roles` (allow globs as a JSON array), `users`, `bill_profiles`,
//!   `product_categories`, `line_types`, `product_types`, `providers` (`adapter_settings` as
//!   JSON text), `processes` + `process_routes`, `unavailable_reasons`, `custom_fields`;
//! - the catalog: `products` with child tables for everything a query may filter on
//!   (`product_bill_profiles`, `product_line_types`, `product_attributes`,
//!   `product_availability`, `product_allowances`, `product_fields`; the wireless flags are
//!   columns of `products`), `packages` + `package_products`;
//! - `customers` (service address as `service_*` columns) + `customer_fields`, `services`
//!   (with the provider account, the alt BTN and the PBX make and model), `customer_products`;
//! - inventory: `inventory_types`, `inventory_items`, `inventory_history`;
//! - orders: `orders` (one row per order: every scalar of the record, the shipping address as
//!   `ship_*` columns, a ported number as JSON; UNIQUE `pon`; indexed by customer, by status and
//!   provider, and the orders awaiting a route) with child tables `order_lines` (indexed by TN
//!   and service), `order_items`, `order_inventory` (indexed by identifier), and the
//!   append-only `order_status_history`. Provider accounts are JSON in `providers.accounts`.
//!   The ids an order keeps of services, customer products and items are not foreign keys: a
//!   canceled order deletes what it created and keeps its rows;
//! - `audit_log` (`entity_ids` as a JSON array).
//!
//! Child rows keep the order they were given in a `seq` column. Money is never a float:
//! NUMERIC on PostgreSQL, the canonical decimal string on SQLite (`35.00` reads back as
//! `35.00`). Times are UTC unix seconds. Enums are stored in their wire spelling.
//!
//! # Tests
//!
//! With the `testing` feature, `testing::fresh_database_url()` gives each test a database of
//! its own: a new PostgreSQL database when `PATCHBAY_TEST_DATABASE_URL` is set, else a SQLite
//! file in a new temporary folder.

mod common;
pub mod postgres;
pub mod sqlite;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use common::{valid_client_code, MAX_CODE_LEN};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use anyhow::anyhow;
use patchbay_core::store::Store;
use std::sync::Arc;

/// A database URL understood by [`open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// The path of the main SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL, as given.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> anyhow::Result<DatabaseUrl> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.contains('?') {
                return Err(anyhow!(
                    "options in the SQLite URL are not supported; write it as sqlite://PATH, e.g. sqlite://patchbay.db"
                ));
            }
            if path.is_empty() {
                return Err(anyhow!(
                    "the SQLite URL names no file; write it as sqlite://PATH, e.g. sqlite://patchbay.db"
                ));
            }
            return Ok(DatabaseUrl::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        Err(anyhow!(
            "unsupported database URL{}: use sqlite://PATH (e.g. sqlite://patchbay.db) or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            if scheme.is_empty() { String::new() } else { format!(" scheme {scheme:?}") }
        ))
    }
}

/// Opens the database at `url` (see the crate docs). Does not migrate.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match DatabaseUrl::parse(url)? {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        DatabaseUrl::Postgres(url) => Arc::new(PgStore::open(&url).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(DatabaseUrl::parse("sqlite://patchbay.db").unwrap(), DatabaseUrl::Sqlite("patchbay.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:///var/x.db").unwrap(), DatabaseUrl::Sqlite("/var/x.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:x.db").unwrap(), DatabaseUrl::Sqlite("x.db".into()));
        assert!(matches!(DatabaseUrl::parse("postgresql://u:p@h/d").unwrap(), DatabaseUrl::Postgres(_)));
        let err = DatabaseUrl::parse("mysql://root:secret@h/d").unwrap_err().to_string();
        assert!(err.contains("sqlite://PATH") && !err.contains("secret"), "{err}");
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("sqlite://x.db?mode=rwc").is_err());
    }
}
