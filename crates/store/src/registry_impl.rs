//! The registry (clients, sessions, impersonation grants, and the audit records of changes to
//! sessions and grants), written once for both engines.
//!
//! Compiled twice like `client_impl.rs` (as `sqlite::registry` and `postgres::registry`);
//! table names are prefixed with `p`: empty on SQLite (the main file), `patchbay.` on
//! PostgreSQL. The [`Store`] impl here is the engines' too; the parent supplies `Engine` (its
//! store type, with fields `registry` and `clients`) and the engine-specific steps as inherent
//! methods: `open_client`, `migrate_registry`, `migrate_client`, `close_all`.
//!
//! An audited change to a session or grant ([`Store::registry_change`]) writes the change and
//! its audit record in one registry transaction: the client's own database cannot take part in
//! it (another file on SQLite), so the record is kept here, naming its client, beside what it
//! records.

use super::client::Client;
use super::{Db, Engine};
use crate::common::{client_db_name, col, db_err, from_json, opt_time, time, to_json, valid_client_code};
use async_trait::async_trait;
use patchbay_core::error::{StoreError, StoreResult};
use patchbay_core::model::{AuditRecord, ClientInfo, ImpersonationGrant, SessionRecord};
use patchbay_core::store::{ClientDb, RegistryChange, Store};
use patchbay_schema::DateTime;
use sqlx::Pool;
use std::sync::Arc;

pub(crate) struct Registry {
    pub(crate) read: Pool<Db>,
    pub(crate) write: Pool<Db>,
    p: String,
    session_sql: String,
    touch_sql: String,
    insert_session_sql: String,
    insert_grant_sql: String,
}

/// How a registry write transaction starts: on SQLite with the file's write lock taken up front,
/// so that two processes never deadlock upgrading a read lock.
fn begin_write_sql() -> &'static str {
    if <Db as sqlx::Database>::NAME == "SQLite" {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    }
}

impl Registry {
    pub(crate) fn new(read: Pool<Db>, write: Pool<Db>, prefix: &str) -> Self {
        let p = prefix;
        Registry {
            read,
            write,
            p: p.to_string(),
            session_sql: format!(
                "SELECT key_hash, client, user_id, impersonator_user_id, created_at, last_used_at, expires_at \
                 FROM {p}sessions WHERE key_hash = $1"
            ),
            // Skips the write when the second has not changed.
            touch_sql: format!("UPDATE {p}sessions SET last_used_at = $2 WHERE key_hash = $1 AND last_used_at < $2"),
            insert_session_sql: format!(
                "INSERT INTO {p}sessions (key_hash, client, user_id, impersonator_user_id, created_at, last_used_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            insert_grant_sql: format!(
                "INSERT INTO {p}impersonation_grants (key_hash, client, grantor_user_id, grantee_user_id, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)"
            ),
        }
    }

    pub(crate) async fn clients(&self) -> StoreResult<Vec<ClientInfo>> {
        let p = &self.p;
        let sql = format!("SELECT code, name, session_idle_minutes FROM {p}clients ORDER BY code");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(ClientInfo {
                    code: col(r, "code")?,
                    name: col(r, "name")?,
                    session_idle_minutes: col(r, "session_idle_minutes")?,
                })
            })
            .collect()
    }

    /// Every client's code and database name.
    pub(crate) async fn db_names(&self) -> StoreResult<Vec<(String, String)>> {
        let p = &self.p;
        let sql = format!("SELECT code, db_name FROM {p}clients ORDER BY code");
        sqlx::query_as(&sql).fetch_all(&self.read).await.map_err(db_err)
    }

    pub(crate) async fn db_name(&self, code: &str) -> StoreResult<Option<String>> {
        let p = &self.p;
        let sql = format!("SELECT db_name FROM {p}clients WHERE code = $1");
        sqlx::query_scalar(&sql).bind(code).fetch_optional(&self.read).await.map_err(db_err)
    }

    /// Refuses a code whose database name another client already has (`a-b` after `a_b`).
    pub(crate) async fn check_db_name_free(&self, code: &str, db_name: &str) -> StoreResult<()> {
        let p = &self.p;
        let sql = format!("SELECT code FROM {p}clients WHERE db_name = $1 AND code <> $2");
        let other: Option<String> =
            sqlx::query_scalar(&sql).bind(db_name).bind(code).fetch_optional(&self.read).await.map_err(db_err)?;
        match other {
            Some(other) => Err(StoreError::Conflict(format!(
                "client code {code:?} would share a database with client {other:?} (`-` and `_` are the same in database names)"
            ))),
            None => Ok(()),
        }
    }

    pub(crate) async fn upsert_client(&self, c: &ClientInfo, db_name: &str) -> StoreResult<()> {
        let p = &self.p;
        let sql = format!(
            "INSERT INTO {p}clients (code, db_name, name, session_idle_minutes) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, session_idle_minutes = excluded.session_idle_minutes"
        );
        sqlx::query(&sql)
            .bind(&c.code)
            .bind(db_name)
            .bind(&c.name)
            .bind(c.session_idle_minutes)
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        self.insert_session_on(&self.write, s).await
    }

    async fn insert_session_on<'e, E: sqlx::Executor<'e, Database = Db>>(
        &self,
        on: E,
        s: &SessionRecord,
    ) -> StoreResult<()> {
        sqlx::query(&self.insert_session_sql)
            .bind(&s.key_hash)
            .bind(&s.client)
            .bind(s.user_id)
            .bind(s.impersonator_user_id)
            .bind(s.created_at.unix())
            .bind(s.last_used_at.unix())
            .bind(s.expires_at.map(|t| t.unix()))
            .execute(on)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn session(&self, key_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(&self.session_sql).bind(key_hash).fetch_optional(&self.read).await.map_err(db_err)?;
        row.map(|r| {
            Ok(SessionRecord {
                key_hash: col(&r, "key_hash")?,
                client: col(&r, "client")?,
                user_id: col(&r, "user_id")?,
                impersonator_user_id: col(&r, "impersonator_user_id")?,
                created_at: time("session created_at", col(&r, "created_at")?)?,
                last_used_at: time("session last_used_at", col(&r, "last_used_at")?)?,
                expires_at: opt_time("session expires_at", col(&r, "expires_at")?)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn touch_session(&self, key_hash: &str, at: DateTime) -> StoreResult<()> {
        sqlx::query(&self.touch_sql).bind(key_hash).bind(at.unix()).execute(&self.write).await.map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn delete_session(&self, key_hash: &str) -> StoreResult<()> {
        let p = &self.p;
        let sql = format!("DELETE FROM {p}sessions WHERE key_hash = $1");
        sqlx::query(&sql).bind(key_hash).execute(&self.write).await.map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn expire_sessions(&self, client: &str, cutoff: DateTime) -> StoreResult<u64> {
        let p = &self.p;
        let sql = format!("DELETE FROM {p}sessions WHERE client = $1 AND last_used_at < $2");
        let done = sqlx::query(&sql).bind(client).bind(cutoff.unix()).execute(&self.write).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn count_live_sessions(&self, now: DateTime) -> StoreResult<i64> {
        let p = &self.p;
        let sql = format!(
            "SELECT count(*) FROM {p}sessions s JOIN {p}clients c ON c.code = s.client \
             WHERE s.last_used_at + c.session_idle_minutes * 60 >= $1"
        );
        sqlx::query_scalar(&sql).bind(now.unix()).fetch_one(&self.read).await.map_err(db_err)
    }

    pub(crate) async fn insert_grant(&self, g: &ImpersonationGrant) -> StoreResult<()> {
        self.insert_grant_on(&self.write, g).await
    }

    async fn insert_grant_on<'e, E: sqlx::Executor<'e, Database = Db>>(
        &self,
        on: E,
        g: &ImpersonationGrant,
    ) -> StoreResult<()> {
        sqlx::query(&self.insert_grant_sql)
            .bind(&g.key_hash)
            .bind(&g.client)
            .bind(g.grantor_user_id)
            .bind(g.grantee_user_id)
            .bind(g.expires_at.unix())
            .execute(on)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// The change and its audit record, in one transaction (see the module docs).
    pub(crate) async fn change(&self, change: &RegistryChange, audit: &AuditRecord) -> StoreResult<bool> {
        let p = &self.p;
        // Dropped without commit (an error, nothing to change), the transaction rolls back.
        let mut tx = self.write.begin_with(begin_write_sql()).await.map_err(db_err)?;
        match change {
            RegistryChange::InsertSession(s) => self.insert_session_on(&mut *tx, s).await?,
            RegistryChange::InsertGrant(g) => self.insert_grant_on(&mut *tx, g).await?,
            RegistryChange::DeleteSession { client, key_hash } => {
                let sql = format!("DELETE FROM {p}sessions WHERE key_hash = $1 AND client = $2");
                let done = sqlx::query(&sql).bind(key_hash).bind(client).execute(&mut *tx).await.map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
            }
        }
        let sql = format!(
            "INSERT INTO {p}audit_log (client, at, user_id, on_behalf_of_user_id, operation, entity, entity_ids) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        );
        sqlx::query(&sql)
            .bind(change.client())
            .bind(audit.at.unix())
            .bind(audit.user_id)
            .bind(audit.on_behalf_of_user_id)
            .bind(&audit.operation)
            .bind(&audit.entity)
            .bind(to_json(&audit.entity_ids))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    pub(crate) async fn audit(&self, client: &str) -> StoreResult<Vec<AuditRecord>> {
        let p = &self.p;
        let sql = format!(
            "SELECT at, user_id, on_behalf_of_user_id, operation, entity, entity_ids \
             FROM {p}audit_log WHERE client = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql).bind(client).fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    at: time("audit at", col(r, "at")?)?,
                    user_id: col(r, "user_id")?,
                    on_behalf_of_user_id: col(r, "on_behalf_of_user_id")?,
                    operation: col(r, "operation")?,
                    entity: col(r, "entity")?,
                    entity_ids: from_json("audit entity_ids", &col::<String, _>(r, "entity_ids")?)?,
                })
            })
            .collect()
    }

    pub(crate) async fn grant(&self, key_hash: &str) -> StoreResult<Option<ImpersonationGrant>> {
        let p = &self.p;
        let sql = format!(
            "SELECT key_hash, client, grantor_user_id, grantee_user_id, expires_at \
             FROM {p}impersonation_grants WHERE key_hash = $1"
        );
        let row = sqlx::query(&sql).bind(key_hash).fetch_optional(&self.read).await.map_err(db_err)?;
        row.map(|r| {
            Ok(ImpersonationGrant {
                key_hash: col(&r, "key_hash")?,
                client: col(&r, "client")?,
                grantor_user_id: col(&r, "grantor_user_id")?,
                grantee_user_id: col(&r, "grantee_user_id")?,
                expires_at: time("grant expires_at", col(&r, "expires_at")?)?,
            })
        })
        .transpose()
    }
}

impl Engine {
    /// The cached handle of a client's database, opening it on first use.
    async fn client_handle(&self, code: &str, db_name: &str, create: bool) -> StoreResult<Arc<Client>> {
        if let Some(c) = self.clients.read().get(code) {
            return Ok(c.clone());
        }
        let opened = Arc::new(self.open_client(code, db_name, create).await?);
        // Another task may have opened it meanwhile: keep the first, drop ours.
        Ok(self.clients.write().entry(code.to_string()).or_insert(opened).clone())
    }
}

#[async_trait]
impl Store for Engine {
    async fn migrate(&self) -> StoreResult<()> {
        self.migrate_registry().await?;
        for (code, db_name) in self.registry.db_names().await? {
            let client = self.client_handle(&code, &db_name, false).await?;
            self.migrate_client(&code, &client).await?;
        }
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.registry.read).await.map_err(db_err)?;
        Ok(())
    }

    async fn close(&self) {
        self.close_all().await
    }

    async fn clients(&self) -> StoreResult<Vec<ClientInfo>> {
        self.registry.clients().await
    }

    async fn put_client(&self, client: &ClientInfo) -> StoreResult<()> {
        let db_name = client_db_name(&client.code)?;
        self.registry.check_db_name_free(&client.code, &db_name).await?;
        // The database first, then the registry row: whoever sees the row finds the database.
        let handle = self.client_handle(&client.code, &db_name, true).await?;
        self.migrate_client(&client.code, &handle).await?;
        self.registry.upsert_client(client, &db_name).await
    }

    async fn client(&self, code: &str) -> StoreResult<Option<Arc<dyn ClientDb>>> {
        if let Some(c) = self.clients.read().get(code) {
            return Ok(Some(c.clone()));
        }
        if !valid_client_code(code) {
            return Ok(None);
        }
        match self.registry.db_name(code).await? {
            Some(db_name) => Ok(Some(self.client_handle(code, &db_name, false).await?)),
            None => Ok(None),
        }
    }

    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()> {
        self.registry.insert_session(session).await
    }

    async fn session(&self, key_hash: &str) -> StoreResult<Option<SessionRecord>> {
        self.registry.session(key_hash).await
    }

    async fn touch_session(&self, key_hash: &str, at: DateTime) -> StoreResult<()> {
        self.registry.touch_session(key_hash, at).await
    }

    async fn delete_session(&self, key_hash: &str) -> StoreResult<()> {
        self.registry.delete_session(key_hash).await
    }

    async fn expire_sessions(&self, client: &str, cutoff: DateTime) -> StoreResult<u64> {
        self.registry.expire_sessions(client, cutoff).await
    }

    async fn count_live_sessions(&self, now: DateTime) -> StoreResult<i64> {
        self.registry.count_live_sessions(now).await
    }

    async fn insert_grant(&self, grant: &ImpersonationGrant) -> StoreResult<()> {
        self.registry.insert_grant(grant).await
    }

    async fn grant(&self, key_hash: &str) -> StoreResult<Option<ImpersonationGrant>> {
        self.registry.grant(key_hash).await
    }

    async fn registry_change(&self, change: &RegistryChange, audit: &AuditRecord) -> StoreResult<bool> {
        self.registry.change(change, audit).await
    }

    async fn registry_audit(&self, client: &str) -> StoreResult<Vec<AuditRecord>> {
        self.registry.audit(client).await
    }
}
