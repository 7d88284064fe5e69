//! PostgreSQL: the registry in schema `patchbay`, one schema `client_<name>` per client, one
//! shared pool. Every statement names its tables with their schema; the pool's connections
//! keep the default `search_path`, so an unqualified table name fails instead of finding
//! another client's table.

use crate::common::db_err;
use anyhow::anyhow;
use parking_lot::RwLock;
use patchbay_core::error::{StoreError, StoreResult};
use rust_decimal::Decimal;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, Postgres, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

// The SQL and row mapping are shared by both engines: the same files are compiled once per
// engine, over this module's `Db`, `Money` and transaction starters (see client_impl.rs).
#[allow(clippy::duplicate_mod)]
#[path = "client_impl.rs"]
pub(crate) mod client;
#[allow(clippy::duplicate_mod)]
#[path = "flow_impl.rs"]
pub(crate) mod flow;
#[allow(clippy::duplicate_mod)]
#[path = "inventory_impl.rs"]
pub(crate) mod inventory;
#[allow(clippy::duplicate_mod)]
#[path = "orders_impl.rs"]
pub(crate) mod orders;
#[allow(clippy::duplicate_mod)]
#[path = "registry_impl.rs"]
mod registry;

pub(crate) type Db = Postgres;
/// The connection type, named for trait impls (the `Database::Connection` projection is not).
pub(crate) type DbConnection = PgConnection;
type Engine = PgStore;

/// Money is NUMERIC, read and written as [`Decimal`] (scale kept).
pub(crate) type Money = Decimal;

pub(crate) fn money_in(d: &Decimal) -> Money {
    *d
}

pub(crate) fn money_out(d: Money) -> StoreResult<Decimal> {
    Ok(d)
}

pub(crate) type WritePool = PgPool;
pub(crate) type WriteTx = Transaction<'static, Postgres>;

/// A write transaction's statements whose results it does not read are held and sent as one
/// statement (parts of a `WITH` query): PostgreSQL takes one statement with parameters per
/// round trip, and a round trip costs both processes more than a small insert does
/// (`client_impl.rs`, `Tx::later`; BENCHMARKS.md).
pub(crate) const HOLDING: crate::common::Holding = crate::common::Holding::Ctes;

pub(crate) async fn begin_write(pool: &PgPool) -> sqlx::Result<WriteTx> {
    pool.begin().await
}

pub(crate) async fn commit_write(tx: WriteTx) -> StoreResult<()> {
    tx.commit().await.map_err(db_err)
}

/// sqlx's `Transaction` sends its BEGIN itself and has no closing statements of its own.
pub(crate) fn take_opening(_: &mut WriteTx) -> Option<&'static str> {
    None
}

pub(crate) fn closing(_: &WriteTx) -> Option<&'static str> {
    None
}

pub(crate) fn mark_closed(_: &mut WriteTx) {}

pub(crate) async fn write_conn(tx: &mut WriteTx) -> sqlx::Result<&mut PgConnection> {
    Ok(&mut **tx)
}

pub(crate) async fn begin_read(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
}

static REGISTRY_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres/registry");
static CLIENT_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres/client");

/// The schema of the registry.
pub const REGISTRY_SCHEMA: &str = "patchbay";

/// Advisory lock key serializing schema creation and migration across processes.
const MIGRATION_LOCK: i64 = 0x7061_7463_6862_6179; // "patchbay"

/// Pool size of one process.
const MAX_CONNECTIONS: u32 = 16;

/// Connections of the id pool (each statement on it is short: one counter upsert).
const ID_CONNECTIONS: u32 = 4;

/// The schema of a client's database, given its code.
pub fn client_schema(code: &str) -> StoreResult<String> {
    Ok(format!("client_{}", crate::common::client_db_name(code)?))
}

/// The PostgreSQL store. See the crate docs for the layout.
pub struct PgStore {
    options: PgConnectOptions,
    registry: registry::Registry,
    /// Where id counters are moved, outside the write transactions: connections of their
    /// own, committing with `synchronous_commit = off` (see `client_impl.rs`, `Tx::counters`).
    /// Apart from the main pool, so a transaction holding a connection of that one can
    /// always get one here.
    ids: PgPool,
    clients: RwLock<HashMap<String, Arc<client::Client>>>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`).
    /// Does not migrate: call [`Store::migrate`](patchbay_core::store::Store::migrate).
    pub async fn open(url: &str) -> anyhow::Result<PgStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| {
                anyhow!(
                    "the PostgreSQL URL is not valid ({e}); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE"
                )
            })?
            .application_name("patchbay")
            .statement_cache_capacity(1024);
        // One connection first, so a wrong URL or a server that is down fails at once with
        // the reason (the pool would retry until its timeout).
        let check = tokio::time::timeout(Duration::from_secs(10), options.connect()).await;
        let reason = match check {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                None
            }
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("no answer within 10 s".to_string()),
        };
        if let Some(e) = reason {
            let database = options.get_database().unwrap_or(options.get_username());
            return Err(anyhow!(
                "cannot connect to PostgreSQL at {}:{}, database {database:?} as user {:?}: {e}; check that the server is running and reachable, that the user and password are right, and that the database exists (createdb {database})",
                options.get_host(),
                options.get_port(),
                options.get_username(),
            ));
        }
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_lazy_with(options.clone());
        let ids = PgPoolOptions::new()
            .max_connections(ID_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_lazy_with(options.clone().options([("synchronous_commit", "off")]));
        let registry = registry::Registry::new(pool.clone(), pool, &format!("{REGISTRY_SCHEMA}."));
        Ok(PgStore { options, registry, ids, clients: RwLock::default() })
    }

    /// The shared pool.
    pub fn pool(&self) -> &PgPool {
        &self.registry.write
    }

    async fn open_client(&self, _code: &str, db_name: &str, _create: bool) -> StoreResult<client::Client> {
        // Schemas are created by `migrate_client`; the pool is shared.
        let pool = self.registry.write.clone();
        Ok(client::Client::new(pool.clone(), pool, format!("client_{db_name}.")).with_id_pool(self.ids.clone()))
    }

    /// Creates `schema` if missing and brings it up to date, on a connection of its own whose
    /// search_path is that schema (so the migrations' unqualified names land there).
    async fn migrate_schema(&self, schema: &str, migrator: &Migrator) -> StoreResult<()> {
        let fail = |e: String| StoreError::Database(format!("migrating schema {schema}: {e}"));
        let mut conn: PgConnection = self.options.connect().await.map_err(|e| fail(e.to_string()))?;
        let result = async {
            sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut conn).await.map_err(db_err)?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).execute(&mut conn).await.map_err(db_err)?;
            sqlx::query(&format!("SET search_path TO {schema}")).execute(&mut conn).await.map_err(db_err)?;
            migrator.run_direct(&mut conn).await.map_err(|e| fail(e.to_string()))
        }
        .await;
        // Closing the connection also releases the advisory lock.
        let _ = conn.close().await;
        result
    }

    async fn migrate_registry(&self) -> StoreResult<()> {
        self.migrate_schema(REGISTRY_SCHEMA, &REGISTRY_MIGRATIONS).await
    }

    async fn migrate_client(&self, code: &str, _client: &client::Client) -> StoreResult<()> {
        self.migrate_schema(&client_schema(code)?, &CLIENT_MIGRATIONS).await
    }

    async fn close_all(&self) {
        self.clients.write().clear();
        self.ids.close().await;
        self.registry.write.close().await;
    }
}
