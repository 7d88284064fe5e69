//! What the domain needs from storage. `patchbay-store` implements it over SQLite and
//! PostgreSQL; the core never sees SQL.
//!
//! Client separation is physical: [`Store::client`] hands out a [`ClientDb`] bound to one
//! client's own database (a file per client on SQLite, a schema per client on PostgreSQL), and
//! nothing on a `ClientDb` can name another client's data.

use crate::error::StoreResult;
use crate::model::*;
use async_trait::async_trait;
use patchbay_api::customers::CustomerStatus;
use patchbay_api::inventory::InventoryItemStatus;
use patchbay_api::orders::OrderStatus;
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
    // The plain writes here are for what no one audits (a session opened for a Credentials
    // request, one ended by idling); an operation's change goes through `registry_change`.
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

    /// Makes an audited change to the registry: the change and its audit record (kept in the
    /// registry, naming the change's client) are written in one transaction, so both commit or
    /// neither does. Returns false, having written nothing, when there was nothing to change
    /// (the session to delete is gone).
    async fn registry_change(&self, change: &RegistryChange, audit: &AuditRecord) -> StoreResult<bool>;
    /// The audit records the registry keeps for a client (of its sessions and grants), oldest
    /// first. A client's audit trail is these and the audit log of its own database.
    async fn registry_audit(&self, client: &str) -> StoreResult<Vec<AuditRecord>>;
}

/// A change to what the registry keeps that an operation audits ([`Store::registry_change`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryChange {
    /// Opens a session (Sessions_Create).
    InsertSession(SessionRecord),
    /// Ends a session of `client` (Sessions_Destroy).
    DeleteSession { client: String, key_hash: String },
    /// Stores an impersonation grant (Impersonation_Authorize).
    InsertGrant(ImpersonationGrant),
}

impl RegistryChange {
    /// The client whose session or grant it is; its audit record names it.
    pub fn client(&self) -> &str {
        match self {
            RegistryChange::InsertSession(s) => &s.client,
            RegistryChange::DeleteSession { client, .. } => client,
            RegistryChange::InsertGrant(g) => &g.client,
        }
    }
}

/// One client's database.
#[async_trait]
pub trait ClientDb: Send + Sync {
    /// Changes whenever the configuration changes, so a cached snapshot can be revalidated
    /// with one cheap read.
    async fn config_version(&self) -> StoreResult<i64>;
    /// How many write transactions of this process (through this handle) have committed, or
    /// tried to commit, a change to the configuration: a cache of the configuration built
    /// when this was lower is stale, and one built since need only be revalidated against
    /// other processes' changes. Free to read (no database access).
    fn config_changes(&self) -> u64;
    async fn load_config(&self) -> StoreResult<(i64, ClientConfig)>;

    async fn customer(&self, id: i32) -> StoreResult<Option<CustomerRecord>>;
    /// The customer holding a service with this TN.
    async fn customer_id_by_tn(&self, tn: &str) -> StoreResult<Option<i32>>;
    /// Customers whose first and last name together, or company name, contain `needle`
    /// (case-insensitively), lowest id first, at most `limit`.
    async fn customers_by_name(&self, needle: &str, limit: u32) -> StoreResult<Vec<CustomerSummary>>;
    async fn services_of(&self, customer_id: i32) -> StoreResult<Vec<ServiceRecord>>;
    async fn customer_products_of(&self, customer_id: i32) -> StoreResult<Vec<CustomerProductRecord>>;

    // Services and customer products, one at a time (inventory assignment checks).
    async fn service(&self, id: i32) -> StoreResult<Option<ServiceRecord>>;
    async fn customer_product(&self, id: i32) -> StoreResult<Option<CustomerProductRecord>>;

    // Inventory types: few per client, read whole.
    async fn inventory_types(&self) -> StoreResult<Vec<InventoryTypeRecord>>;
    async fn inventory_type(&self, id: i32) -> StoreResult<Option<InventoryTypeRecord>>;
    async fn count_inventory_items_of_type(&self, type_id: i32) -> StoreResult<i64>;
    /// How many items each inventory type has in each status: (type id, status, count).
    async fn inventory_counts(&self) -> StoreResult<Vec<(i32, InventoryItemStatus, i64)>>;

    // Inventory items.
    async fn inventory_item(&self, id: i32) -> StoreResult<Option<InventoryItemRecord>>;
    async fn inventory_items(&self, ids: &[i32]) -> StoreResult<Vec<InventoryItemRecord>>;
    /// The items of one type with any of these identifiers (set-based; any number of them).
    async fn inventory_items_by_identifiers(
        &self,
        type_id: i32,
        identifiers: &[String],
    ) -> StoreResult<Vec<InventoryItemRecord>>;
    /// Which of these identifiers the type already has (set-based; any number of them).
    async fn existing_identifiers(&self, type_id: i32, identifiers: &[String]) -> StoreResult<Vec<String>>;
    /// Items of any type with this identifier, lowest id first.
    async fn inventory_items_with_identifier(&self, identifier: &str) -> StoreResult<Vec<InventoryItemRecord>>;
    /// Items whose current MDN is this, lowest id first.
    async fn inventory_items_by_mdn(&self, mdn: &str) -> StoreResult<Vec<InventoryItemRecord>>;
    /// Items assigned to the customer (or any of its services), lowest id first.
    async fn inventory_items_of_customer(&self, customer_id: i32) -> StoreResult<Vec<InventoryItemRecord>>;
    /// The item's history, oldest first.
    async fn inventory_history(&self, item_id: i32) -> StoreResult<Vec<InventoryHistoryRecord>>;

    // Services and their products, by id or TN.
    /// The services with these ids (any number of them), lowest id first.
    async fn services(&self, ids: &[i32]) -> StoreResult<Vec<ServiceRecord>>;
    /// Services with this TN, lowest id first.
    async fn services_by_tn(&self, tn: &str) -> StoreResult<Vec<ServiceRecord>>;
    /// The products of these services (any number of them), lowest id first.
    async fn customer_products_of_services(&self, service_ids: &[i32]) -> StoreResult<Vec<CustomerProductRecord>>;

    // Orders.
    /// One order with its lines, product changes and reserved inventory.
    async fn order(&self, id: i32) -> StoreResult<Option<OrderRecord>>;
    /// Orders matching `filter` with an id above `after_id`, lowest id first, at most `limit`,
    /// each with its lines, product changes and reserved inventory.
    async fn search_orders(&self, filter: &OrderFilter, after_id: i32, limit: u32) -> StoreResult<Vec<OrderRecord>>;
    /// Page `page` (from 0) of `page_size` orders matching `filter`, lowest id first.
    async fn search_orders_page(
        &self,
        filter: &OrderFilter,
        page: u32,
        page_size: u32,
    ) -> StoreResult<Vec<OrderRecord>>;
    /// How many orders match `filter`, counting no further than `at_most` (so a count over
    /// half the table costs what `at_most` index entries cost).
    async fn count_orders(&self, filter: &OrderFilter, at_most: i64) -> StoreResult<i64>;
    /// Orders created at or after `since` (Unix seconds): (UTC day number, status, count).
    async fn order_counts_by_day(&self, since: i64) -> StoreResult<Vec<(i64, OrderStatus, i64)>>;
    /// The order's status history, oldest first.
    async fn order_status_history(&self, order_id: i32) -> StoreResult<Vec<OrderStatusRecord>>;

    // The flow-through queue and events (times in Unix milliseconds).
    /// Claims up to `limit` queued orders due by `now_ms` that no process holds (or whose
    /// holder's lease ran out): each is leased until `now_ms + lease_ms`, its claim count moves
    /// on, and a send's attempt count too. Committed before it returns, so an attempt is on
    /// record before the order leaves.
    async fn claim_flow_jobs(&self, now_ms: i64, lease_ms: i64, limit: u32) -> StoreResult<Vec<FlowJob>>;
    /// When the next queued order or event delivery falls due, if anything waits.
    async fn next_flow_due(&self) -> StoreResult<Option<i64>>;
    /// Claims up to `limit` deliveries due by `now_ms`, each the oldest undelivered of its
    /// stream for its subscriber, with their events; as `claim_flow_jobs`, committed.
    async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(DeliveryRecord, EventRecord)>>;
    /// Records how a claimed delivery went (its attempts, due time, delivered time and error).
    /// `false` when the claim it names is no longer the newest: nothing is written.
    async fn finish_delivery(&self, delivery: &DeliveryRecord) -> StoreResult<bool>;
    /// Events matching `filter`, newest first.
    async fn events(&self, filter: &EventFilter) -> StoreResult<Vec<EventRecord>>;
    /// The deliveries of these events.
    async fn deliveries_of(&self, event_seqs: &[i64]) -> StoreResult<Vec<DeliveryRecord>>;
    /// What waits in the queues.
    async fn flow_backlog(&self, now_ms: i64) -> StoreResult<FlowBacklog>;

    /// Starts a transaction. Everything written through it, including the audit record and
    /// any work queued for later, becomes durable together at `commit`, or not at all.
    async fn begin(&self) -> StoreResult<Box<dyn ClientTx>>;
}

/// A write transaction. A write that fails (a broken key, an update of a row that is not
/// stored) fails the transaction: its error comes from the call, or from a later call or
/// `commit` (a store may send writes whose results nothing reads together, later), and the
/// transaction is then dropped, keeping none of it. Reads in the transaction see its writes.
#[async_trait]
pub trait ClientTx: Send {
    /// The next id for an entity kind (`product`, `customer`, …), never handed out twice,
    /// even by several processes sharing one database. An id reserved by a transaction that
    /// is then rolled back may be lost (a gap), never handed out again.
    async fn next_id(&mut self, kind: &str) -> StoreResult<i32>;

    /// Writes every entity of the configuration (insert or replace by id; entities not in
    /// `config` are left alone) and moves the config version on.
    async fn put_config(&mut self, config: &ClientConfig) -> StoreResult<()>;
    /// Inserts or replaces one product and moves the config version on.
    async fn put_product(&mut self, product: &Product) -> StoreResult<()>;

    async fn insert_customer(&mut self, customer: &CustomerRecord) -> StoreResult<()>;

    /// Reserves `count` consecutive ids for an entity kind and returns the first.
    async fn next_ids(&mut self, kind: &str, count: i32) -> StoreResult<i32>;
    /// [`next_ids`](Self::next_ids) for several kinds at once, in one statement: for each
    /// `(kind, count)`, the first of `count` consecutive ids reserved, in the order asked.
    async fn reserve_ids(&mut self, wants: &[(&str, i32)]) -> StoreResult<Vec<i32>>;

    /// A new service of a customer, and a product on a customer's service.
    async fn insert_service(&mut self, service: &ServiceRecord) -> StoreResult<()>;
    async fn insert_customer_product(&mut self, product: &CustomerProductRecord) -> StoreResult<()>;

    /// Inserts or replaces an inventory type.
    async fn put_inventory_type(&mut self, record: &InventoryTypeRecord) -> StoreResult<()>;
    async fn delete_inventory_type(&mut self, id: i32) -> StoreResult<()>;
    /// The item, read inside the transaction and locked against concurrent change until commit.
    async fn inventory_item_for_update(&mut self, id: i32) -> StoreResult<Option<InventoryItemRecord>>;
    /// Inserts new items, many at a time. A duplicate identifier within a type is
    /// `StoreError::Conflict`.
    async fn insert_inventory_items(&mut self, items: &[InventoryItemRecord]) -> StoreResult<()>;
    /// Replaces stored items (matched by id).
    async fn update_inventory_items(&mut self, items: &[InventoryItemRecord]) -> StoreResult<()>;
    /// Appends to items' history.
    async fn insert_inventory_history(&mut self, entries: &[InventoryHistoryRecord]) -> StoreResult<()>;

    // Orders and the services they change.
    /// The customer, read inside the transaction and locked against concurrent change.
    async fn customer_for_update(&mut self, id: i32) -> StoreResult<Option<CustomerRecord>>;
    async fn set_customer_status(&mut self, id: i32, status: CustomerStatus) -> StoreResult<()>;
    /// Replaces a stored service (matched by id).
    async fn update_service(&mut self, service: &ServiceRecord) -> StoreResult<()>;
    /// Removes a service that a canceled order created (its products must be gone first).
    async fn delete_service(&mut self, id: i32) -> StoreResult<()>;
    /// Inserts customer products, many at a time.
    async fn insert_customer_products(&mut self, products: &[CustomerProductRecord]) -> StoreResult<()>;
    /// Replaces stored customer products (matched by id).
    async fn update_customer_products(&mut self, products: &[CustomerProductRecord]) -> StoreResult<()>;
    /// Removes PENDING customer products that a canceled order created.
    async fn delete_customer_products(&mut self, ids: &[i32]) -> StoreResult<()>;
    /// The products of these services, read inside the transaction and locked.
    async fn customer_products_of_services_for_update(
        &mut self,
        service_ids: &[i32],
    ) -> StoreResult<Vec<CustomerProductRecord>>;
    /// The services with these ids, read inside the transaction and locked.
    async fn services_for_update(&mut self, ids: &[i32]) -> StoreResult<Vec<ServiceRecord>>;
    /// Inventory items by id, read inside the transaction and locked.
    async fn inventory_items_for_update(&mut self, ids: &[i32]) -> StoreResult<Vec<InventoryItemRecord>>;
    /// Items assigned to any of these services, read inside the transaction and locked.
    async fn inventory_items_of_services_for_update(
        &mut self,
        service_ids: &[i32],
    ) -> StoreResult<Vec<InventoryItemRecord>>;
    /// A service with this TN that still has a product not DISCONNECTED, read inside the
    /// transaction. Concurrent transactions asking for the same TN wait for each other until
    /// commit, so two of them cannot both find it free and both take it.
    async fn live_service_with_tn(&mut self, tn: &str) -> StoreResult<Option<i32>>;
    /// Inserts a new order with its lines, product changes and reserved inventory. A PON
    /// already taken is `StoreError::Conflict`.
    async fn insert_order(&mut self, order: &OrderRecord) -> StoreResult<()>;
    /// [`insert_order`](Self::insert_order) for several orders, each table written with
    /// multi-row inserts.
    async fn insert_orders(&mut self, orders: &[OrderRecord]) -> StoreResult<()>;
    /// The order, read inside the transaction and locked against concurrent change until commit.
    async fn order_for_update(&mut self, id: i32) -> StoreResult<Option<OrderRecord>>;
    /// Replaces a stored order with its lines, product changes and reserved inventory.
    async fn update_order(&mut self, order: &OrderRecord) -> StoreResult<()>;
    /// Replaces a stored order's own row (status, flags, dates…), leaving its lines, product
    /// changes and reserved inventory as they are: for a change that touches none of them.
    async fn update_order_row(&mut self, order: &OrderRecord) -> StoreResult<()>;
    /// Appends to orders' status history.
    async fn insert_order_status(&mut self, entries: &[OrderStatusRecord]) -> StoreResult<()>;

    /// The order's place in the flow-through queue, locked until commit.
    async fn flow_job_for_update(&mut self, order_id: i32) -> StoreResult<Option<FlowJob>>;
    /// Queues an order (or replaces its place in the queue).
    async fn put_flow_job(&mut self, job: &FlowJob) -> StoreResult<()>;
    /// Takes an order out of the queue (nothing when it is not in it).
    async fn delete_flow_job(&mut self, order_id: i32) -> StoreResult<()>;
    /// Records events (their `seq` reserved with `next_ids("event", …)`) and their deliveries.
    async fn insert_events(&mut self, events: &[EventRecord], deliveries: &[DeliveryRecord]) -> StoreResult<()>;
    /// Deletes up to `limit` events from before `before_ms` that have no delivery left to make
    /// (with their deliveries), oldest first; returns the `seq` of each.
    async fn prune_events(&mut self, before_ms: i64, limit: u32) -> StoreResult<Vec<i64>>;

    async fn audit(&mut self, record: &AuditRecord) -> StoreResult<()>;

    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
