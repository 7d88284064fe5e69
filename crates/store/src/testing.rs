//! Test support: a fresh, isolated database per test, on the engine CI chooses.
//!
//! With `PATCHBAY_TEST_DATABASE_URL` set to a PostgreSQL URL (its role must be allowed to
//! `CREATE DATABASE`), every call creates a new uniquely named database on that server and
//! returns its URL; otherwise it returns `sqlite://…/patchbay.db` in a new temporary folder,
//! kept for the life of the process. So one test suite runs on both engines.

use sqlx::{Connection, PgConnection};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL_VAR: &str = "PATCHBAY_TEST_DATABASE_URL";

/// The URL of a new, empty database for one test.
pub async fn fresh_database_url() -> String {
    match std::env::var(TEST_DATABASE_URL_VAR) {
        Ok(server) if !server.trim().is_empty() => fresh_postgres(server.trim()).await,
        _ => fresh_sqlite(),
    }
}

/// Whether tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(TEST_DATABASE_URL_VAR).is_ok_and(|v| !v.trim().is_empty())
}

fn fresh_sqlite() -> String {
    let dir = tempfile::Builder::new().prefix("patchbay-test-").tempdir().expect("creating a temporary folder");
    // Kept for the process: the store may outlive the test function's locals.
    let dir = dir.keep();
    format!("sqlite://{}", dir.join("patchbay.db").display())
}

async fn fresh_postgres(server: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let name = format!(
        "patchbay_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000
    );
    let mut conn = PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL_VAR}: cannot connect to the test server: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL_VAR}: cannot create database {name}: {e}"));
    let _ = conn.close().await;
    with_database(server, &name)
}

/// Runs one SQL statement in a client's own database behind the store's back, for tests that
/// need storage to fail underneath an operation (a dropped table, say).
pub async fn execute_in_client(url: &str, client: &str, sql: &str) {
    SideConnection::client(url, client).await.execute(sql).await
}

/// The first column, as text, of every row `sql` reads from a client's own database: for
/// tests that check what the store keeps but the API does not return (the audit log, say).
pub async fn client_texts(url: &str, client: &str, sql: &str) -> Vec<String> {
    SideConnection::client(url, client).await.texts(sql).await
}

/// Runs one SQL statement in the registry behind the store's back (see [`execute_in_client`]).
pub async fn execute_in_registry(url: &str, sql: &str) {
    SideConnection::registry(url).await.execute(sql).await
}

/// The first column, as text, of every row `sql` reads from the registry (sessions, grants,
/// their audit records).
pub async fn registry_texts(url: &str, sql: &str) -> Vec<String> {
    SideConnection::registry(url).await.texts(sql).await
}

/// A connection of its own to one client's database or to the registry, its tables reachable
/// by their bare names.
enum SideConnection {
    Postgres(PgConnection),
    Sqlite(sqlx::SqliteConnection),
}

impl SideConnection {
    async fn client(url: &str, client: &str) -> Self {
        let name = crate::common::client_db_name(client).expect("a valid client code");
        let main = std::path::Path::new(url.trim_start_matches("sqlite://"));
        let file = crate::sqlite::clients_dir_for(main).join(format!("{name}.db"));
        Self::open(url, &format!("client_{name}"), &file).await
    }

    async fn registry(url: &str) -> Self {
        let main = std::path::Path::new(url.trim_start_matches("sqlite://"));
        Self::open(url, crate::postgres::REGISTRY_SCHEMA, main).await
    }

    /// The schema on PostgreSQL, the file on SQLite.
    async fn open(url: &str, schema: &str, file: &std::path::Path) -> Self {
        if url.starts_with("postgres") {
            let mut conn = PgConnection::connect(url).await.expect("the test database is reachable");
            sqlx::query(&format!("SET search_path TO {schema}")).execute(&mut conn).await.expect("schema exists");
            SideConnection::Postgres(conn)
        } else {
            let conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                .await
                .expect("the database file opens");
            SideConnection::Sqlite(conn)
        }
    }

    async fn execute(self, sql: &str) {
        match self {
            SideConnection::Postgres(mut c) => {
                sqlx::query(sql).execute(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            SideConnection::Sqlite(mut c) => {
                sqlx::query(sql).execute(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    async fn texts(self, sql: &str) -> Vec<String> {
        use sqlx::Row;
        match self {
            SideConnection::Postgres(mut c) => {
                let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
            SideConnection::Sqlite(mut c) => {
                let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database() {
        assert_eq!(with_database("postgres://u:p@h:5432/postgres", "x"), "postgres://u:p@h:5432/x");
        assert_eq!(with_database("postgres://u:p@h", "x"), "postgres://u:p@h/x");
        assert_eq!(with_database("postgresql://h/db?sslmode=disable", "x"), "postgresql://h/x?sslmode=disable");
    }
}
