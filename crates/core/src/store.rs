//! What the domain needs from storage. `patchbay-store` implements it over SQLite and
//! PostgreSQL; the core never sees SQL.
//!
//! Client separation is physical: [`Store::client`] hands out a [`ClientDb`] bound to one
//! client's own database (a file per client on SQLite, a schema per client on PostgreSQL), and
//! nothing on a `ClientDb` can name another client's data.

use crate::error::StoreResult;
use crate::model::*;
use async_trait::async_trait;
use patchbay_schema::DateTime;
use std::sync::Arc;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Brings the registry and every client database to the current schema.
    async fn migrate(&self) -> StoreResult<()>;

    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// Closes every pool cleanly (checkpointing SQLite's WAL) at shutdown.
    async fn close(&self);

    async fn clients(&self) -> StoreResult<Vec<ClientInfo>>;

    /// Creates the client (and its database) or updates its name and session timeout.
    async fn put_client(&self, client: &ClientInfo) -> StoreResult<()>;

    /// The client's own database; `None` for an unknown client code.
    async fn client(&self, code: &str) -> StoreResult<Option<Arc<dyn ClientDb>>>;

    // Sessions and impersonation grants live in the registry, keyed by the hash of their key;
    // each names its client, and everything done through them goes to that client's database.
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn session(&self, key_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, key_hash: &str, at: DateTime) -> StoreResult<()>;
    async fn delete_session(&self, key_hash: &str) -> StoreResult<()>;
    /// Removes sessions idle since before `cutoff` for the client.
    async fn expire_sessions(&self, client: &str, cutoff: DateTime) -> StoreResult<u64>;
    /// How many sessions, over all clients, were used within their client's
    /// `session_idle_minutes` before `now` (for the `patchbay_sessions_live` metric).
    async fn count_live_sessions(&self, now: DateTime) -> StoreResult<i64>;
    async fn insert_grant(&self, grant: &ImpersonationGrant) -> StoreResult<()>;
    async fn grant(&self, key_hash: &str) -> StoreResult<Option<ImpersonationGrant>>;
}

/// One client's database.
#[async_trait]
pub trait ClientDb: Send + Sync {
    /// Changes whenever the configuration changes, so a cached snapshot can be revalidated
    /// with one cheap read.
    async fn config_version(&self) -> StoreResult<i64>;
    async fn load_config(&self) -> StoreResult<(i64, ClientConfig)>;

    async fn customer(&self, id: i32) -> StoreResult<Option<CustomerRecord>>;
    /// The customer holding a service with this TN.
    async fn customer_id_by_tn(&self, tn: &str) -> StoreResult<Option<i32>>;
    async fn services_of(&self, customer_id: i32) -> StoreResult<Vec<ServiceRecord>>;
    async fn customer_products_of(&self, customer_id: i32) -> StoreResult<Vec<CustomerProductRecord>>;

    /// Starts a transaction. Everything written through it, including the audit record and
    /// any work queued for later, becomes durable together at `commit`, or not at all.
    async fn begin(&self) -> StoreResult<Box<dyn ClientTx>>;
}

#[async_trait]
pub trait ClientTx: Send {
    /// The next id for an entity kind (`product`, `customer`, …), never handed out twice,
    /// even by several processes sharing one database.
    async fn next_id(&mut self, kind: &str) -> StoreResult<i32>;

    /// Writes every entity of the configuration (insert or replace by id; entities not in
    /// `config` are left alone) and moves the config version on.
    async fn put_config(&mut self, config: &ClientConfig) -> StoreResult<()>;
    /// Inserts or replaces one product and moves the config version on.
    async fn put_product(&mut self, product: &Product) -> StoreResult<()>;

    async fn insert_customer(&mut self, customer: &CustomerRecord) -> StoreResult<()>;

    async fn audit(&mut self, record: &AuditRecord) -> StoreResult<()>;

    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
