//! SQLite: the registry in the main file, one file per client in the folder beside it.
//!
//! Every file is opened in WAL mode with `synchronous=FULL` (a write acknowledged is a write
//! that survives power loss), `foreign_keys=ON` and a 5 s busy timeout. Each file has two
//! pools: one writer connection, whose transactions start with `BEGIN IMMEDIATE` (they take
//! the write lock up front, so two writers never deadlock upgrading a read lock), and a few
//! reader connections that WAL lets run alongside it.

use crate::common::db_err;
use anyhow::{anyhow, Context};
use parking_lot::RwLock;
use patchbay_core::error::{StoreError, StoreResult};
use rust_decimal::Decimal;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

// The SQL and row mapping are shared by both engines: the same files are compiled once per
// engine, over this module's `Db`, `Money` and transaction starters (see client_impl.rs).
#[allow(clippy::duplicate_mod)]
#[path = "client_impl.rs"]
pub(crate) mod client;
#[allow(clippy::duplicate_mod)]
#[path = "inventory_impl.rs"]
pub(crate) mod inventory;
#[allow(clippy::duplicate_mod)]
#[path = "registry_impl.rs"]
mod registry;

pub(crate) type Db = Sqlite;
type Engine = SqliteStore;

/// Money is stored as the canonical decimal string: `35.00` stays `35.00`.
pub(crate) type Money = String;

pub(crate) fn money_in(d: &Decimal) -> Money {
    d.to_string()
}

pub(crate) fn money_out(s: Money) -> StoreResult<Decimal> {
    Decimal::from_str_exact(&s)
        .map_err(|e| StoreError::Database(format!("stored amount {s:?} is not a decimal: {e}")))
}

pub(crate) async fn begin_write(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

pub(crate) async fn begin_read(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Sqlite>> {
    // Deferred: the snapshot is taken at the first read and held to the end.
    pool.begin().await
}

static REGISTRY_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite/registry");
static CLIENT_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite/client");

/// Reader connections per database file.
const READERS: u32 = 4;

/// The SQLite store. See the crate docs for the layout.
pub struct SqliteStore {
    path: PathBuf,
    clients_dir: PathBuf,
    registry: registry::Registry,
    clients: RwLock<HashMap<String, Arc<client::Client>>>,
}

fn connect_options(path: &Path, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .statement_cache_capacity(256)
}

/// Opens a file's reader and writer pools (the writer connects now, so a file that cannot be
/// opened fails here).
async fn open_pools(path: &Path, create: bool) -> sqlx::Result<(SqlitePool, SqlitePool)> {
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(connect_options(path, create))
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(Some(Duration::from_secs(60)))
        .connect_lazy_with(connect_options(path, false));
    Ok((read, write))
}

/// The folder of the client files that go with a main file: `patchbay.db` → `patchbay.clients`.
pub fn clients_dir_for(main: &Path) -> PathBuf {
    main.with_extension("clients")
}

impl SqliteStore {
    /// Opens (creating if missing) the main file at `path`. Relative paths are relative to the
    /// working directory. Does not migrate: call [`Store::migrate`](patchbay_core::store::Store::migrate).
    pub async fn open(path: impl AsRef<Path>) -> anyhow::Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") {
            return Err(anyhow!(
                "the SQLite URL names no file; use sqlite://PATH, e.g. sqlite://patchbay.db (each client gets a file beside it, so an in-memory database is not possible)"
            ));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(anyhow!(
                    "the folder {} of the SQLite database does not exist; create it or choose another path",
                    dir.display()
                ));
            }
        }
        if path.is_dir() {
            return Err(anyhow!(
                "{} is a folder; the SQLite URL must name a file, e.g. sqlite://patchbay.db",
                path.display()
            ));
        }
        let (read, write) = open_pools(&path, true).await.map_err(|e| {
            anyhow!(
                "cannot open the SQLite database {}: {e}; check that its folder is writable and the file is a SQLite database",
                path.display()
            )
        })?;
        let clients_dir = clients_dir_for(&path);
        Ok(SqliteStore {
            path,
            clients_dir,
            registry: registry::Registry::new(read, write, ""),
            clients: RwLock::default(),
        })
    }

    /// The main (registry) file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder holding one `<name>.db` file per client.
    pub fn clients_dir(&self) -> &Path {
        &self.clients_dir
    }

    /// The file of a client's database, given its code (whether or not the client exists).
    pub fn client_path(&self, code: &str) -> StoreResult<PathBuf> {
        Ok(self
            .clients_dir
            .join(format!("{}.db", crate::common::client_db_name(code)?)))
    }

    async fn open_client(
        &self,
        code: &str,
        db_name: &str,
        create: bool,
    ) -> StoreResult<client::Client> {
        let path = self.clients_dir.join(format!("{db_name}.db"));
        if create {
            std::fs::create_dir_all(&self.clients_dir)
                .with_context(|| format!("cannot create the folder {}", self.clients_dir.display()))
                .map_err(|e| StoreError::Database(format!("{e:#}")))?;
        } else if !path.exists() {
            return Err(StoreError::Database(format!(
                "the database file of client {code}, {}, is missing; restore it from a backup",
                path.display()
            )));
        }
        let (read, write) = open_pools(&path, create).await.map_err(|e| {
            StoreError::Database(format!(
                "cannot open the database of client {code}, {}: {e}",
                path.display()
            ))
        })?;
        Ok(client::Client::new(read, write, String::new()))
    }

    async fn migrate_registry(&self) -> StoreResult<()> {
        REGISTRY_MIGRATIONS
            .run(&self.registry.write)
            .await
            .map_err(|e| StoreError::Database(format!("migrating {}: {e}", self.path.display())))
    }

    async fn migrate_client(&self, code: &str, client: &client::Client) -> StoreResult<()> {
        CLIENT_MIGRATIONS.run(&client.write).await.map_err(|e| {
            StoreError::Database(format!("migrating the database of client {code}: {e}"))
        })
    }

    async fn close_all(&self) {
        let clients: Vec<_> = self.clients.write().drain().map(|(_, c)| c).collect();
        for c in clients {
            close_pools(&c.read, &c.write).await;
        }
        close_pools(&self.registry.read, &self.registry.write).await;
    }
}

/// Closes a file's pools, folding the WAL back into the database file first.
async fn close_pools(read: &SqlitePool, write: &SqlitePool) {
    read.close().await;
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(write)
        .await
        .map_err(db_err)
    {
        tracing::warn!(error = %e, "WAL checkpoint at close failed");
    }
    write.close().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{ConnectOptions, Connection};

    #[tokio::test]
    async fn connections_are_durable_and_writers_lock_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let (read, write) = open_pools(&path, true).await.unwrap();
        for pool in [&read, &write] {
            let mut c = pool.acquire().await.unwrap();
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            assert_eq!(
                (journal.as_str(), synchronous, foreign_keys, busy),
                ("wal", 2, 1, 5000)
            );
        }

        // A write transaction holds the write lock from BEGIN, before it writes anything.
        let tx = begin_write(&write).await.unwrap();
        let mut other = SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(Duration::ZERO)
            .connect()
            .await
            .unwrap();
        let err = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        // Readers go on meanwhile.
        sqlx::query("SELECT count(*) FROM sqlite_master")
            .fetch_one(&read)
            .await
            .unwrap();
        drop(tx);
        let _ = other.close().await;
    }
}
