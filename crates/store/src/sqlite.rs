//! SQLite: the registry in the main file, one file per client in the folder beside it.
//!
//! Every file is opened in WAL mode with `synchronous=FULL` (a write acknowledged is a write
//! that survives power loss), `foreign_keys=ON` and a 5 s busy timeout. Each file has two
//! pools: one writer connection, whose transactions start with `BEGIN IMMEDIATE` (they take
//! the write lock up front, so two writers never deadlock upgrading a read lock), and a few
//! reader connections that WAL lets run alongside it. Files are read through a memory map
//! (up to 4 GiB of each).
//!
//! # Group commit
//!
//! Every COMMIT in `synchronous=FULL` costs an fsync of the WAL, and one connection commits one
//! transaction at a time, so committing each write transaction alone caps a file at one
//! transaction per fsync. A client file's write transactions (`ClientDb::begin`) therefore
//! share COMMITs, without weakening durability: a transaction's `commit` returns Ok only after
//! the COMMIT that contains it has returned. The [`Writer`] of the file does it:
//!
//! - Transactions run one after another on the writer connection, in the order they asked
//!   (a fair lock). The first opens the outer transaction, the *batch*, with `BEGIN IMMEDIATE`;
//!   each runs inside it in a savepoint of its own.
//! - The writer is held for the whole of a transaction, and every call to the connection's
//!   thread is a hand-off there and back (tens of microseconds under load), so the writer's
//!   throughput is set by the calls a transaction makes, not by SQLite's work. A transaction
//!   therefore makes as few as it can: what opens it (`BEGIN IMMEDIATE`, its `SAVEPOINT`) is
//!   sent ahead of its first statement, and what closes it ahead of nothing, after its last
//!   ones, in the same calls (`WriteTx::take_opening`, [`CLOSING`](group::CLOSING); `Tx` in
//!   client_impl.rs also sends its reads with the statements it holds). A transaction that
//!   sends nothing costs no call at all.
//! - Closing first refuses the transaction alone if it leaves a deferred foreign key broken
//!   (SQLite would refuse the whole batch's COMMIT): `patchbay_release_check()`, a function
//!   registered on the writer connection, reads the counter from the C API
//!   (`sqlite3_db_status(SQLITE_DBSTATUS_DEFERRED_FKS)`) and raises an error, which stops the
//!   text before its `RELEASE`. Then, if another transaction is waiting for the writer, it
//!   hands the connection on with the batch still open and waits; otherwise (a lone writer
//!   never waits for a timer), or once the batch holds [`MAX_BATCH`](group::MAX_BATCH)
//!   transactions, or once its first has waited [`MAX_BATCH_AGE`](group::MAX_BATCH_AGE), it
//!   COMMITs the batch, and every transaction in it gets that COMMIT's outcome. If the COMMIT
//!   fails, all of them get the error (nothing is acknowledged), and the connection is closed,
//!   which rolls the batch back; the next writer opens a new one.
//! - A transaction dropped without `commit` rolls back to its savepoint, in a task that holds
//!   the writer until the rollback is done, so the next writer starts from the batch as it
//!   was: the others in the batch keep their writes. When nothing else is in the batch, the
//!   batch itself is rolled back, so the file's write lock is not held idle. A statement's
//!   error (a duplicate key, say) undoes only that statement, and dropping the transaction
//!   its savepoint.
//! - A caller may give up at any point (a dropped request): its statements may have reached
//!   the connection in part, and the rollback undoes whatever did; committing runs in a task
//!   of its own, so the batch always learns of a released transaction. Should a batch find
//!   nobody to commit it (every later writer rolled back or gave up), a task queued behind
//!   them does. Whenever the connection is not where the batch needs it (SQLite rolls a
//!   transaction back by itself after some I/O errors), the batch fails as a whole and the
//!   connection is replaced.
//!
//! A transaction in a batch waits for the ones after it in the same batch: its latency grows
//! by theirs (bounded, for short transactions, by the two limits above), in return for one
//! fsync per batch instead of one per transaction. Readers see a batch when it commits.
//! Migrations and the checkpoint at close take the writer between batches. The registry (the
//! main file) writes single statements on its pool, each committed alone, as before;
//! PostgreSQL is unchanged: each transaction commits alone.

use crate::common::db_err;
use anyhow::{anyhow, Context};
use parking_lot::RwLock;
use patchbay_core::error::{StoreError, StoreResult};
use rust_decimal::Decimal;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
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

pub(crate) type Db = Sqlite;
/// The connection type, named for trait impls (the `Database::Connection` projection is not).
pub(crate) type DbConnection = sqlx::SqliteConnection;
type Engine = SqliteStore;

/// Money is stored as the canonical decimal string: `35.00` stays `35.00`.
pub(crate) type Money = String;

pub(crate) fn money_in(d: &Decimal) -> Money {
    d.to_string()
}

pub(crate) fn money_out(s: Money) -> StoreResult<Decimal> {
    Decimal::from_str_exact(&s).map_err(|e| StoreError::Database(format!("stored amount {s:?} is not a decimal: {e}")))
}

/// What a file's writes go through: the group committer (see the module docs).
pub(crate) type WritePool = Writer;
pub(crate) type WriteTx = group::WriteTx;

/// A write transaction's statements whose results it does not read are held and sent
/// together: each statement sent is a hand-off to the connection's thread and back, and the
/// writer is held meanwhile (`client_impl.rs`, `Tx::later`).
pub(crate) const HOLDING: crate::common::Holding = crate::common::Holding::Script;

pub(crate) async fn begin_write(writer: &Writer) -> sqlx::Result<WriteTx> {
    writer.begin().await
}

/// What opens a write transaction on the connection (its savepoint, and the batch's BEGIN
/// when it starts one), for `Tx` to send ahead of its first statement in the same call.
pub(crate) fn take_opening(tx: &mut WriteTx) -> Option<&'static str> {
    tx.take_opening()
}

/// What closes a write transaction that was opened (the foreign key check and the release of
/// its savepoint), for `Tx` to send after its last statements in the same call.
pub(crate) fn closing(tx: &WriteTx) -> Option<&'static str> {
    tx.opened().then_some(group::CLOSING)
}

/// Records that the closing ran.
pub(crate) fn mark_closed(tx: &mut WriteTx) {
    tx.mark_closed()
}

/// The connection of a write transaction, opened.
pub(crate) async fn write_conn(tx: &mut WriteTx) -> sqlx::Result<&mut sqlx::SqliteConnection> {
    tx.conn().await
}

pub(crate) async fn commit_write(tx: WriteTx) -> StoreResult<()> {
    tx.commit().await
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
        // Reads go through a memory map of the file rather than a read() into each
        // connection's own 2 MB page cache: the kernel's page cache is shared by every
        // connection and process and returned under memory pressure.
        .pragma("mmap_size", MMAP_BYTES.to_string())
        // A batch's savepoints keep the pages they change in a sub-journal, which otherwise
        // spills to a temporary file past 64 KiB (a write per page); a batch is small enough
        // to keep it in memory.
        .pragma("temp_store", "memory")
}

/// How much of a file is memory-mapped (a larger file is read past it as usual).
const MMAP_BYTES: u64 = 1 << 32;

/// Opens a file's reader and writer pools (the writer connects now, so a file that cannot be
/// opened fails here).
async fn open_pools(path: &Path, create: bool) -> sqlx::Result<(SqlitePool, SqlitePool)> {
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| Box::pin(group::register_release_check(conn)))
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(connect_options(path, create))
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(READERS)
        // sqlx would "ping" a connection before each use: a round trip to the connection's
        // thread that checks nothing for a file in this process, on every read.
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(Some(Duration::from_secs(60)))
        .connect_lazy_with(connect_options(path, false));
    Ok((read, write))
}

/// Turns SQLite's allocation statistics off. SQLite otherwise counts every allocation under
/// one process-wide mutex, and a file's reader connections, each on a thread of its own, queue
/// on it (and wake each other) for every value they copy out. Must come before SQLite
/// initializes, so before the first connection; later, SQLite refuses it and nothing changes.
fn without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config may not run alongside other SQLite calls. Every SQLite
        // connection of this process is opened by a `SqliteStore` or to the files of one (tests),
        // so after a `SqliteStore::open`, which waits here until the call is done.
        unsafe {
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as std::os::raw::c_int);
        }
    });
}

/// The folder of the client files that go with a main file: `patchbay.db` → `patchbay.clients`.
pub fn clients_dir_for(main: &Path) -> PathBuf {
    main.with_extension("clients")
}

impl SqliteStore {
    /// Opens (creating if missing) the main file at `path`. Relative paths are relative to the
    /// working directory. Does not migrate: call [`Store::migrate`](patchbay_core::store::Store::migrate).
    pub async fn open(path: impl AsRef<Path>) -> anyhow::Result<SqliteStore> {
        without_memory_statistics();
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
        Ok(self.clients_dir.join(format!("{}.db", crate::common::client_db_name(code)?)))
    }

    async fn open_client(&self, code: &str, db_name: &str, create: bool) -> StoreResult<client::Client> {
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
            StoreError::Database(format!("cannot open the database of client {code}, {}: {e}", path.display()))
        })?;
        Ok(client::Client::new(read, Writer::new(write), String::new()))
    }

    async fn migrate_registry(&self) -> StoreResult<()> {
        REGISTRY_MIGRATIONS
            .run(&self.registry.write)
            .await
            .map_err(|e| StoreError::Database(format!("migrating {}: {e}", self.path.display())))
    }

    async fn migrate_client(&self, code: &str, client: &client::Client) -> StoreResult<()> {
        let fail = |e: String| StoreError::Database(format!("migrating the database of client {code}: {e}"));
        let mut conn = client.write.exclusive().await.map_err(|e| fail(e.to_string()))?;
        CLIENT_MIGRATIONS.run_direct(&mut *conn).await.map_err(|e| fail(e.to_string()))
    }

    async fn close_all(&self) {
        let clients: Vec<_> = self.clients.write().drain().map(|(_, c)| c).collect();
        for c in clients {
            c.read.close().await;
            if let Err(e) = c.write.checkpoint().await {
                tracing::warn!(error = %e, "WAL checkpoint at close failed");
            }
            c.write.close().await;
        }
        close_pools(&self.registry.read, &self.registry.write).await;
    }
}

/// Closes a file's pools, folding the WAL back into the database file first.
async fn close_pools(read: &SqlitePool, write: &SqlitePool) {
    read.close().await;
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(write).await.map_err(db_err) {
        tracing::warn!(error = %e, "WAL checkpoint at close failed");
    }
    write.close().await;
}

pub(crate) use group::Writer;

/// Group commit on a file's one writer connection (see the module docs).
mod group {
    use crate::common::db_err;
    use patchbay_core::error::{StoreError, StoreResult};
    use sqlx::pool::PoolConnection;
    use sqlx::sqlite::{SqliteConnection, SqlitePool};
    use sqlx::{Executor, Sqlite};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use tokio::sync::{watch, Mutex, OwnedMutexGuard};

    /// A batch is committed once it holds this many transactions…
    pub(crate) const MAX_BATCH: usize = 64;
    /// …or once its first transaction has waited this long, whoever else is still waiting.
    pub(crate) const MAX_BATCH_AGE: Duration = Duration::from_millis(5);

    /// What opens a transaction that starts a batch, and one that joins the open batch.
    const OPEN_BATCH: &str = "BEGIN IMMEDIATE;\nSAVEPOINT patchbay_tx";
    const JOIN_BATCH: &str = "SAVEPOINT patchbay_tx";
    /// What closes a transaction into its batch: the check that it leaves no deferred foreign
    /// key broken and that the batch's transaction is still there (an error, which stops the
    /// text before the RELEASE, when not), then the release of its savepoint.
    pub(crate) const CLOSING: &str = "SELECT 1 WHERE patchbay_release_check() IS NOT NULL;\nRELEASE patchbay_tx";

    /// The outcome of a batch's COMMIT, shared by its transactions (an error as its message).
    type Outcome = Option<Result<(), String>>;

    /// The writer of one file. Cheap to clone; the clones share the connection.
    #[derive(Clone)]
    pub(crate) struct Writer {
        inner: Arc<Inner>,
    }

    struct Inner {
        /// Hands out the one writer connection (and opens a new one after a failure).
        pool: SqlitePool,
        state: Arc<Mutex<State>>,
        /// Write transactions waiting in `begin` for the connection.
        waiting: AtomicUsize,
    }

    /// Owned by whoever holds the lock: the transaction running, or the task committing.
    #[derive(Default)]
    struct State {
        conn: Option<PoolConnection<Sqlite>>,
        /// The outer transaction: open on the connection, or to be opened by the transaction
        /// that holds the lock (while it has no members).
        batch: Option<Batch>,
        batches: u64,
    }

    struct Batch {
        id: u64,
        /// When its first transaction was released into it (began waiting for the COMMIT).
        first_release: Option<Instant>,
        /// Transactions released into the batch, waiting for its COMMIT.
        members: usize,
        /// Whether a task is queued to commit the batch should no member do it.
        flusher: bool,
        outcome: watch::Sender<Outcome>,
    }

    impl State {
        fn conn(&mut self) -> &mut SqliteConnection {
            self.conn.as_mut().expect("the writer holds its connection")
        }

        /// Ends the open batch with `error` (its members get it) and closes the connection,
        /// which rolls back whatever it had not committed; the next writer opens a new one.
        fn fail(&mut self, error: &str) {
            if let Some(batch) = self.batch.take() {
                batch.outcome.send_replace(Some(Err(error.to_string())));
            }
            if let Some(mut conn) = self.conn.take() {
                conn.close_on_drop();
            }
        }
    }

    /// Counts a task in `Inner::waiting` until it has the lock (or gives up).
    struct Waiting<'a>(&'a AtomicUsize);

    impl Drop for Waiting<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::AcqRel);
        }
    }

    impl Writer {
        pub(crate) fn new(pool: SqlitePool) -> Writer {
            Writer { inner: Arc::new(Inner { pool, state: Arc::default(), waiting: AtomicUsize::new(0) }) }
        }

        /// Starts a write transaction: a savepoint in the open batch, or in a new one. Nothing
        /// is sent yet: what opens it goes ahead of its first statement, in the same call
        /// ([`WriteTx::take_opening`]).
        pub(crate) async fn begin(&self) -> sqlx::Result<WriteTx> {
            let mut state = {
                self.inner.waiting.fetch_add(1, Ordering::AcqRel);
                let _waiting = Waiting(&self.inner.waiting);
                self.inner.state.clone().lock_owned().await
            };
            if state.conn.is_none() {
                state.conn = Some(self.inner.pool.acquire().await?);
            }
            let opening = match state.batch {
                Some(_) => JOIN_BATCH,
                None => {
                    state.batches += 1;
                    let id = state.batches;
                    let (outcome, _) = watch::channel(None);
                    state.batch = Some(Batch { id, first_release: None, members: 0, flusher: false, outcome });
                    OPEN_BATCH
                }
            };
            Ok(WriteTx { writer: self.clone(), state: Some(state), opening: Some(opening), closed: false })
        }

        /// The connection, alone: any open batch is committed first. For migrations and the
        /// checkpoint at close.
        pub(crate) async fn exclusive(&self) -> sqlx::Result<Exclusive> {
            let mut state = self.inner.state.clone().lock_owned().await;
            if state.batch.is_some() {
                state = commit_batch(state).await;
            }
            if state.conn.is_none() {
                state.conn = Some(self.inner.pool.acquire().await?);
            }
            Ok(Exclusive(state))
        }

        /// Commits any open batch and closes the pool (the connection with it).
        pub(crate) async fn close(&self) {
            let mut state = self.inner.state.clone().lock_owned().await;
            if state.batch.is_some() {
                state = commit_batch(state).await;
            }
            if let Some(conn) = state.conn.take() {
                let _ = conn.close().await;
            }
            self.inner.pool.close().await;
        }

        /// Folds the WAL back into the database file (at close).
        pub(crate) async fn checkpoint(&self) -> StoreResult<()> {
            let mut conn = self.exclusive().await.map_err(db_err)?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn.0.conn()).await.map_err(db_err)?;
            Ok(())
        }
    }

    /// Runs the batch's COMMIT in a task of its own, so that a caller giving up halfway
    /// cannot leave the batch's other transactions without an answer; returns the lock.
    async fn commit_batch(state: OwnedMutexGuard<State>) -> OwnedMutexGuard<State> {
        let writer = Arc::clone(OwnedMutexGuard::mutex(&state));
        match tokio::spawn(commit_now(state)).await {
            Ok(state) => state,
            // The task panicked (and released the lock, failing the batch): wait our turn.
            Err(_) => writer.lock_owned().await,
        }
    }

    /// COMMITs the open batch and tells its members. On failure (SQLite's own, or a batch
    /// whose transaction SQLite rolled back by itself, which leaves nothing to commit) the
    /// connection is closed, which rolls back what is left, and every member gets the error.
    async fn commit_now(mut state: OwnedMutexGuard<State>) -> OwnedMutexGuard<State> {
        let Some(batch) = state.batch.take() else { return state };
        if batch.members == 0 {
            // Only a transaction that never finished was in it (its rollback did not get to
            // run): nothing in it may be committed.
            state.fail("the batch holds no finished transaction");
            return state;
        }
        let outcome = match state.conn.as_mut() {
            Some(conn) => conn.execute(sqlx::raw_sql("COMMIT")).await.map(drop).map_err(|e| db_err(e).to_string()),
            None => Err("the writer connection is gone".to_string()),
        };
        match outcome {
            Ok(()) => {
                batch.outcome.send_replace(Some(Ok(())));
            }
            Err(e) => {
                tracing::error!(error = %e, transactions = batch.members, "group commit failed");
                state.batch = Some(batch);
                state.fail(&format!("the commit failed: {e}"));
            }
        }
        state
    }

    /// Waits for the COMMIT of the batch `outcome` belongs to.
    async fn outcome_of(mut outcome: watch::Receiver<Outcome>) -> StoreResult<()> {
        match outcome.wait_for(Option::is_some).await {
            Ok(o) => o.clone().expect("waited for Some").map_err(StoreError::Database),
            Err(_) => Err(StoreError::Database("the commit of the batch did not complete".into())),
        }
    }

    /// Counts a released transaction into its batch, then leaves the batch open for the next
    /// writer or commits it; returns where the batch's outcome will be told.
    async fn join(writer: Writer, mut state: OwnedMutexGuard<State>) -> watch::Receiver<Outcome> {
        let waiting = writer.inner.waiting.load(Ordering::Acquire);
        let Some(batch) = state.batch.as_mut() else {
            // The batch failed meanwhile: its outcome is told already.
            let (tx, rx) = watch::channel(Some(Err("the batch's transaction was lost".to_string())));
            drop(tx);
            return rx;
        };
        batch.members += 1;
        let first_release = *batch.first_release.get_or_insert_with(Instant::now);
        let outcome = batch.outcome.subscribe();
        if waiting > 0 && batch.members < MAX_BATCH && first_release.elapsed() < MAX_BATCH_AGE {
            // Leave the batch open for the next writer. Should none of them commit it (all
            // roll back, or give up waiting), the flusher does once it has the lock.
            if !batch.flusher {
                batch.flusher = true;
                let (id, lock) = (batch.id, writer.inner.state.clone());
                tokio::spawn(async move {
                    let state = lock.lock_owned().await;
                    if state.batch.as_ref().is_some_and(|b| b.id == id) {
                        commit_now(state).await;
                    }
                });
            }
        } else {
            commit_now(state).await;
        }
        outcome
    }

    /// Undoes a transaction dropped without `commit`: its savepoint, or the whole batch when
    /// it holds nobody else's writes (so the file's write lock is not held idle). Where the
    /// connection turns out not to be where the batch needs it, the batch fails.
    async fn roll_back(mut state: OwnedMutexGuard<State>) {
        let Some(members) = state.batch.as_ref().map(|b| b.members) else { return };
        if state.conn.is_none() {
            return;
        }
        let undo = if members == 0 { "ROLLBACK" } else { "ROLLBACK TO patchbay_tx;\nRELEASE patchbay_tx" };
        let Err(e) = state.conn().execute(sqlx::raw_sql(undo)).await else {
            if members == 0 {
                state.batch = None;
            }
            return;
        };
        // The statements that open the transaction may not all have run (it was dropped
        // while they were on their way, or BEGIN failed): then there is nothing to undo.
        match (in_transaction(state.conn()).await, members) {
            // Its BEGIN never ran: no batch to undo.
            (Ok(false), 0) => state.batch = None,
            // Its SAVEPOINT never ran: the batch is as the others left it.
            (Ok(true), 1..) => {}
            _ => state.fail(&format!("rolling a transaction back failed: {e}")),
        }
    }

    /// One write transaction: a savepoint in the writer's open batch. It has the connection
    /// to itself until `commit` or drop.
    pub(crate) struct WriteTx {
        writer: Writer,
        state: Option<OwnedMutexGuard<State>>,
        /// What opens it on the connection, until a caller takes it to send.
        opening: Option<&'static str>,
        /// Whether [`CLOSING`] has run.
        closed: bool,
    }

    impl WriteTx {
        fn state(&mut self) -> &mut State {
            self.state.as_mut().expect("a live transaction holds the writer")
        }

        /// What opens this transaction, for the caller to send ahead of its first statement
        /// (in the same call); `None` once taken.
        pub(crate) fn take_opening(&mut self) -> Option<&'static str> {
            self.opening.take()
        }

        /// Whether what opens it has been taken, so [`CLOSING`] must end it.
        pub(crate) fn opened(&self) -> bool {
            self.opening.is_none()
        }

        /// Records that [`CLOSING`] ran, sent by the caller with its last statements.
        pub(crate) fn mark_closed(&mut self) {
            self.closed = true;
        }

        /// The connection, for this transaction's statements: what opens it is sent first
        /// unless a caller took it.
        pub(crate) async fn conn(&mut self) -> sqlx::Result<&mut SqliteConnection> {
            if let Some(opening) = self.opening.take() {
                self.state().conn().execute(sqlx::raw_sql(opening)).await?;
            }
            Ok(self.state().conn())
        }

        /// Releases the savepoint into the batch (sending [`CLOSING`] unless the caller did),
        /// then returns once the batch is committed (and fsynced): at once when no other writer
        /// is waiting, else when the last of them (or a bound) commits it. A transaction that
        /// sent nothing has nothing to commit.
        pub(crate) async fn commit(mut self) -> StoreResult<()> {
            if !self.opened() {
                return Ok(());
            }
            // In a task of its own: should the caller give up halfway, the batch still learns
            // of this transaction, and the connection's state is always known.
            let tx = WriteTx {
                writer: self.writer.clone(),
                state: self.state.take(),
                opening: self.opening.take(),
                closed: self.closed,
            };
            let outcome = tokio::spawn(tx.release())
                .await
                .unwrap_or_else(|e| Err(StoreError::Database(format!("committing failed: {e}"))))?;
            outcome_of(outcome).await
        }

        async fn release(mut self) -> StoreResult<watch::Receiver<Outcome>> {
            if !self.closed {
                // An error (a broken deferred foreign key) leaves the savepoint open: dropping
                // `self` rolls it back, and the batch's other transactions keep their writes.
                self.state().conn().execute(sqlx::raw_sql(CLOSING)).await.map_err(db_err)?;
                self.closed = true;
            }
            let state = self.state.take().expect("a live transaction holds the writer");
            Ok(join(self.writer.clone(), state).await)
        }
    }

    impl Drop for WriteTx {
        /// Rolls back what reached the connection, in a task that holds the writer until it
        /// is done, so the next writer starts from the batch as it was; a transaction already
        /// released joins its batch instead.
        fn drop(&mut self) {
            let Some(mut state) = self.state.take() else { return };
            if self.opening.is_some() {
                // Nothing of it was sent; a batch it was to open was never begun.
                if state.batch.as_ref().is_some_and(|b| b.members == 0) {
                    state.batch = None;
                }
                return;
            }
            let (writer, closed) = (self.writer.clone(), self.closed);
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        if closed {
                            join(writer, state).await;
                        } else {
                            roll_back(state).await;
                        }
                    });
                }
                Err(_) => state.fail("a write transaction was dropped outside the async runtime"),
            }
        }
    }

    /// The writer connection alone, between batches.
    pub(crate) struct Exclusive(OwnedMutexGuard<State>);

    impl std::ops::Deref for Exclusive {
        type Target = SqliteConnection;

        fn deref(&self) -> &SqliteConnection {
            self.0.conn.as_deref().expect("held")
        }
    }

    impl std::ops::DerefMut for Exclusive {
        fn deref_mut(&mut self) -> &mut SqliteConnection {
            self.0.conn()
        }
    }

    /// Whether the connection is inside a transaction (not in autocommit mode), once it has
    /// run everything sent to it before: SQLite's C API tells, sqlx does not.
    async fn in_transaction(conn: &mut SqliteConnection) -> sqlx::Result<bool> {
        let mut handle = conn.lock_handle().await?;
        let db = handle.as_raw_handle().as_ptr();
        // SAFETY: `db` is the open connection, locked for this thread by `handle`; the
        // function only reads its state.
        Ok(unsafe { libsqlite3_sys::sqlite3_get_autocommit(db) } == 0)
    }

    /// Registers `patchbay_release_check()` on a writer connection: NULL when the connection
    /// is inside a transaction and no deferred foreign key is broken, an error otherwise.
    /// SQLite would refuse a whole batch's COMMIT for one transaction's broken foreign key, so
    /// each transaction is refused alone before its savepoint is released; the counter is
    /// only in the C API (`sqlite3_db_status(SQLITE_DBSTATUS_DEFERRED_FKS)`).
    pub(crate) async fn register_release_check(conn: &mut SqliteConnection) -> sqlx::Result<()> {
        use libsqlite3_sys::*;
        unsafe extern "C" fn release_check(ctx: *mut sqlite3_context, _argc: i32, _argv: *mut *mut sqlite3_value) {
            // SAFETY: SQLite calls this with a live context of the connection it runs on.
            unsafe {
                let db = sqlite3_context_db_handle(ctx);
                let (mut current, mut highwater) = (0, 0);
                let rc = sqlite3_db_status(db, SQLITE_DBSTATUS_DEFERRED_FKS, &mut current, &mut highwater, 0);
                if rc != SQLITE_OK {
                    sqlite3_result_error(ctx, c"sqlite3_db_status failed".as_ptr(), -1);
                } else if sqlite3_get_autocommit(db) != 0 {
                    sqlite3_result_error(
                        ctx,
                        c"the batch's transaction was lost before this one was released".as_ptr(),
                        -1,
                    );
                } else if current > 0 {
                    sqlite3_result_error(ctx, c"FOREIGN KEY constraint failed".as_ptr(), -1);
                } else {
                    sqlite3_result_null(ctx);
                }
            }
        }
        let mut handle = conn.lock_handle().await?;
        let db = handle.as_raw_handle().as_ptr();
        // SAFETY: `db` is the open connection, locked for this thread by `handle`; the name is
        // a static C string, and the function keeps no state (no user data, no destructor).
        let rc = unsafe {
            sqlite3_create_function_v2(
                db,
                c"patchbay_release_check".as_ptr(),
                0,
                SQLITE_UTF8,
                std::ptr::null_mut(),
                Some(release_check),
                None,
                None,
                None,
            )
        };
        if rc != SQLITE_OK {
            return Err(sqlx::Error::Protocol(format!("registering patchbay_release_check failed with code {rc}")));
        }
        Ok(())
    }
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
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *c).await.unwrap();
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *c).await.unwrap();
            let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *c).await.unwrap();
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *c).await.unwrap();
            assert_eq!((journal.as_str(), synchronous, foreign_keys, busy), ("wal", 2, 1, 5000));
        }

        // A write transaction holds the write lock from its first statement (BEGIN IMMEDIATE
        // goes with it), before it writes anything.
        let mut tx = begin_write(&Writer::new(write.clone())).await.unwrap();
        sqlx::query("SELECT count(*) FROM sqlite_master").fetch_one(tx.conn().await.unwrap()).await.unwrap();
        let mut other =
            SqliteConnectOptions::new().filename(&path).busy_timeout(Duration::ZERO).connect().await.unwrap();
        let err = sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        // Readers go on meanwhile.
        sqlx::query("SELECT count(*) FROM sqlite_master").fetch_one(&read).await.unwrap();
        drop(tx);
        let _ = other.close().await;
    }

    /// Counts the rows of `t` through a reader.
    async fn count(read: &SqlitePool) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM t").fetch_one(read).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_writers_share_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (read, write) = open_pools(&dir.path().join("x.db"), true).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER PRIMARY KEY)").execute(&write).await.unwrap();
        let writer = Writer::new(write);

        let mut a = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (1)").execute(a.conn().await.unwrap()).await.unwrap();
        // B (rolled back) and C queue behind A.
        let (tx_b, rx_b) = tokio::sync::oneshot::channel::<()>();
        let b = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut b = writer.begin().await.unwrap();
                sqlx::query("INSERT INTO t VALUES (2)").execute(b.conn().await.unwrap()).await.unwrap();
                rx_b.await.unwrap();
                drop(b);
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let c = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut c = writer.begin().await.unwrap();
                sqlx::query("INSERT INTO t VALUES (3)").execute(c.conn().await.unwrap()).await.unwrap();
                commit_write(c).await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;

        // Writers wait, so A's commit leaves the batch open for them: not acknowledged yet,
        // and not visible.
        let a = tokio::spawn(commit_write(a));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!a.is_finished(), "A waits for the batch's COMMIT");
        assert_eq!(count(&read).await, 0);

        // B rolls back its savepoint; C, the last writer, commits the batch for A and itself.
        tx_b.send(()).unwrap();
        b.await.unwrap();
        c.await.unwrap().unwrap();
        a.await.unwrap().unwrap();
        let rows: Vec<i64> = sqlx::query_scalar("SELECT x FROM t ORDER BY x").fetch_all(&read).await.unwrap();
        assert_eq!(rows, [1, 3]);

        // A lone writer commits at once; a dropped lone one rolls back the whole batch.
        let mut d = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (4)").execute(d.conn().await.unwrap()).await.unwrap();
        commit_write(d).await.unwrap();
        assert_eq!(count(&read).await, 3);
        let mut e = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (5)").execute(e.conn().await.unwrap()).await.unwrap();
        drop(e);
        let f = writer.begin().await.unwrap();
        commit_write(f).await.unwrap();
        assert_eq!(count(&read).await, 3);
        writer.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_fails_all_its_writers_and_the_writer_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let (read, write) = open_pools(&dir.path().join("x.db"), true).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER PRIMARY KEY)").execute(&write).await.unwrap();
        let writer = Writer::new(write);

        let mut a = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (1)").execute(a.conn().await.unwrap()).await.unwrap();
        let b = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut b = writer.begin().await.unwrap();
                // Ends the batch's transaction behind the group's back, as SQLite does itself
                // after some I/O errors: the COMMIT has nothing to commit.
                sqlx::query("ROLLBACK").execute(b.conn().await.unwrap()).await.unwrap();
                commit_write(b).await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let a = tokio::spawn(commit_write(a));
        assert!(b.await.unwrap().is_err());
        assert!(a.await.unwrap().is_err(), "A was in the lost batch: not acknowledged");
        assert_eq!(count(&read).await, 0);

        // A fresh connection takes over.
        let mut c = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t VALUES (3)").execute(c.conn().await.unwrap()).await.unwrap();
        commit_write(c).await.unwrap();
        assert_eq!(count(&read).await, 1);
        writer.close().await;
    }
}
