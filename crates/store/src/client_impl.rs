//! One client's database: [`ClientDb`] and [`ClientTx`], written once for both engines.
//!
//! This file is compiled twice, as `sqlite::client` and `postgres::client` (`#[path]` module
//! declarations), so each copy is plain monomorphic sqlx code over its parent's `Db`. The
//! parent supplies what differs between the engines:
//!
//! - `Db`: the sqlx database;
//! - `Money`, `money_in`, `money_out`: how a [`Decimal`] is bound and read (NUMERIC on
//!   PostgreSQL, canonical decimal text on SQLite);
//! - `WritePool`, `WriteTx`, `begin_write`, `commit_write`: what writes go through and how a
//!   write transaction starts and commits (a pool and its `Transaction` on PostgreSQL; on
//!   SQLite, a savepoint in a group commit, see `sqlite.rs`); `take_opening`, `closing`,
//!   `mark_closed` and `write_conn`: the statements that open and close a write transaction,
//!   which `Tx` sends with its own (SQLite's savepoint; nothing on PostgreSQL);
//! - `begin_read`: how snapshot-read transactions start;
//! - `HOLDING`: how a write transaction sends the statements whose results it does not read,
//!   which it holds and sends together ([`Tx::later`]).
//!
//! The SQL itself is portable between SQLite (3.35 or later) and PostgreSQL: `$n` parameters,
//! `INSERT … ON CONFLICT … DO UPDATE`, `RETURNING`. Table names are prefixed with `p`, which is
//! empty on SQLite (the file is the client's) and `client_<name>.` on PostgreSQL.

use super::{
    begin_read, begin_write, closing, commit_write, mark_closed, money_in, money_out, take_opening, write_conn, Db,
    Money, WritePool, WriteTx, HOLDING,
};
use crate::common::{col, db_err, enum_str, from_json, kinds, parse_enum, to_json, Holding};
use async_trait::async_trait;
use patchbay_api::customers::CustomerStatus;
use patchbay_api::inventory::InventoryItemStatus;
use patchbay_api::orders::OrderStatus;
use patchbay_core::error::StoreResult;
use patchbay_core::model::*;
use patchbay_core::store::{ClientDb, ClientTx};
use rust_decimal::Decimal;
use sqlx::pool::PoolConnection;
use sqlx::{Column, Pool, QueryBuilder, Row};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

/// Where a read runs: a reader's connection, or a write transaction, which sends it with the
/// statements it holds ([`Tx::read`]). Its statement is written by `build` (binds with
/// `push_bind`, so it can follow other statements in one text).
pub(crate) trait Rows: Send {
    fn rows(&mut self, build: &mut BuildRead<'_>) -> impl std::future::Future<Output = StoreResult<Vec<DbRow>>> + Send;
}

/// Writes a read's statement (a `dyn`, so that the futures of reads stay `Send` for every
/// lifetime of what the statement borrows).
pub(crate) type BuildRead<'a> = dyn FnMut(&mut QueryBuilder<'static, Db>) + Send + 'a;

impl Rows for super::DbConnection {
    async fn rows(&mut self, build: &mut BuildRead<'_>) -> StoreResult<Vec<DbRow>> {
        let mut q = QueryBuilder::new("");
        build(&mut q);
        q.build().fetch_all(&mut *self).await.map_err(db_err)
    }
}

impl Rows for PoolConnection<Db> {
    async fn rows(&mut self, build: &mut BuildRead<'_>) -> StoreResult<Vec<DbRow>> {
        (**self).rows(build).await
    }
}

impl Rows for Tx {
    async fn rows(&mut self, build: &mut BuildRead<'_>) -> StoreResult<Vec<DbRow>> {
        self.read(build).await
    }
}

fn money(row: &DbRow, name: &str) -> StoreResult<Decimal> {
    money_out(col::<Money, _>(row, name)?)
}

/// A client's database: a pool to read from, what to write through (the same pool on
/// PostgreSQL, the file's group-committing writer on SQLite), where id counters are moved, and
/// the prefix that qualifies its tables.
pub(crate) struct Client {
    pub(crate) read: Pool<Db>,
    pub(crate) write: WritePool,
    ids: Option<Pool<Db>>,
    p: String,
    version_sql: String,
    /// Write transactions of this process that changed the configuration ([`ClientDb::config_changes`]).
    config_changes: Arc<AtomicU64>,
}

impl Client {
    /// Id counters are moved inside each write transaction (SQLite: it holds the file's one
    /// writer anyway).
    pub(crate) fn new(read: Pool<Db>, write: WritePool, prefix: String) -> Self {
        let version_sql = format!("SELECT version FROM {prefix}config_version WHERE id = 1");
        Client { read, write, ids: None, p: prefix, version_sql, config_changes: Arc::default() }
    }

    /// Id counters are moved by statements of their own on `ids`, each its own short
    /// transaction, never inside a write transaction (PostgreSQL: see [`Tx::counters`]).
    #[allow(dead_code)] // used by one engine only
    pub(crate) fn with_id_pool(mut self, ids: Pool<Db>) -> Self {
        self.ids = Some(ids);
        self
    }
}

#[async_trait]
impl ClientDb for Client {
    async fn config_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar(&self.version_sql).fetch_one(&self.read).await.map_err(db_err)
    }

    fn config_changes(&self) -> u64 {
        self.config_changes.load(Ordering::Acquire)
    }

    async fn load_config(&self) -> StoreResult<(i64, ClientConfig)> {
        // One snapshot: the version read matches the data read.
        let mut tx = begin_read(&self.read).await.map_err(db_err)?;
        let version: i64 = sqlx::query_scalar(&self.version_sql).fetch_one(&mut *tx).await.map_err(db_err)?;
        let config = load_config(&mut tx, &self.p).await?;
        tx.commit().await.map_err(db_err)?;
        Ok((version, config))
    }

    async fn customer(&self, id: i32) -> StoreResult<Option<CustomerRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::customer(&mut c, &self.p, id, false).await
    }

    async fn customer_id_by_tn(&self, tn: &str) -> StoreResult<Option<i32>> {
        let p = &self.p;
        let sql = format!("SELECT customer_id FROM {p}services WHERE tn = $1 ORDER BY id LIMIT 1");
        sqlx::query_scalar(&sql).bind(tn).fetch_optional(&self.read).await.map_err(db_err)
    }

    async fn services_of(&self, customer_id: i32) -> StoreResult<Vec<ServiceRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::services_in(&mut c, &self.p, "customer_id", &[customer_id], false).await
    }

    async fn customer_products_of(&self, customer_id: i32) -> StoreResult<Vec<CustomerProductRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::customer_products_in(&mut c, &self.p, "customer_id", &[customer_id], false).await
    }

    async fn service(&self, id: i32) -> StoreResult<Option<ServiceRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        Ok(super::orders::services_in(&mut c, &self.p, "id", &[id], false).await?.pop())
    }

    async fn customer_product(&self, id: i32) -> StoreResult<Option<CustomerProductRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        Ok(super::orders::customer_products_in(&mut c, &self.p, "id", &[id], false).await?.pop())
    }

    async fn inventory_types(&self) -> StoreResult<Vec<InventoryTypeRecord>> {
        super::inventory::types(&self.read, &self.p).await
    }

    async fn inventory_type(&self, id: i32) -> StoreResult<Option<InventoryTypeRecord>> {
        super::inventory::type_by_id(&self.read, &self.p, id).await
    }

    async fn count_inventory_items_of_type(&self, type_id: i32) -> StoreResult<i64> {
        super::inventory::count_items_of_type(&self.read, &self.p, type_id).await
    }

    async fn inventory_item(&self, id: i32) -> StoreResult<Option<InventoryItemRecord>> {
        super::inventory::item(&self.read, &self.p, id).await
    }

    async fn inventory_items(&self, ids: &[i32]) -> StoreResult<Vec<InventoryItemRecord>> {
        super::inventory::items(&self.read, &self.p, ids).await
    }

    async fn inventory_items_by_identifiers(
        &self,
        type_id: i32,
        identifiers: &[String],
    ) -> StoreResult<Vec<InventoryItemRecord>> {
        super::inventory::items_by_identifiers(&self.read, &self.p, type_id, identifiers).await
    }

    async fn existing_identifiers(&self, type_id: i32, identifiers: &[String]) -> StoreResult<Vec<String>> {
        super::inventory::existing_identifiers(&self.read, &self.p, type_id, identifiers).await
    }

    async fn inventory_items_with_identifier(&self, identifier: &str) -> StoreResult<Vec<InventoryItemRecord>> {
        super::inventory::items_with_identifier(&self.read, &self.p, identifier).await
    }

    async fn inventory_items_by_mdn(&self, mdn: &str) -> StoreResult<Vec<InventoryItemRecord>> {
        super::inventory::items_by_mdn(&self.read, &self.p, mdn).await
    }

    async fn inventory_items_of_customer(&self, customer_id: i32) -> StoreResult<Vec<InventoryItemRecord>> {
        super::inventory::items_of_customer(&self.read, &self.p, customer_id).await
    }

    async fn inventory_history(&self, item_id: i32) -> StoreResult<Vec<InventoryHistoryRecord>> {
        super::inventory::history(&self.read, &self.p, item_id).await
    }

    async fn services(&self, ids: &[i32]) -> StoreResult<Vec<ServiceRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::services_in(&mut c, &self.p, "id", ids, false).await
    }

    async fn services_by_tn(&self, tn: &str) -> StoreResult<Vec<ServiceRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::services_by_tn(&mut c, &self.p, tn).await
    }

    async fn customer_products_of_services(&self, service_ids: &[i32]) -> StoreResult<Vec<CustomerProductRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::customer_products_in(&mut c, &self.p, "service_id", service_ids, false).await
    }

    // An order and its child rows are one statement, so they always come from one snapshot.
    async fn order(&self, id: i32) -> StoreResult<Option<OrderRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::order(&mut c, &self.p, id, false).await
    }

    async fn search_orders(&self, filter: &OrderFilter, after_id: i32, limit: u32) -> StoreResult<Vec<OrderRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::search(&mut c, &self.p, filter, Some(after_id), 0, limit.into()).await
    }

    async fn search_orders_page(
        &self,
        filter: &OrderFilter,
        page: u32,
        page_size: u32,
    ) -> StoreResult<Vec<OrderRecord>> {
        let offset = i64::from(page) * i64::from(page_size);
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::search(&mut c, &self.p, filter, None, offset, page_size.into()).await
    }

    async fn count_orders(&self, filter: &OrderFilter, at_most: i64) -> StoreResult<i64> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::count(&mut c, &self.p, filter, at_most).await
    }

    async fn customers_by_name(&self, needle: &str, limit: u32) -> StoreResult<Vec<CustomerSummary>> {
        let p = &self.p;
        let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let sql = format!(
            "SELECT id, class, first_name, last_name, company_name, status FROM {p}customers \
             WHERE LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) LIKE $1 ESCAPE '\\' \
                OR LOWER(COALESCE(company_name, '')) LIKE $1 ESCAPE '\\' \
             ORDER BY id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(format!("%{escaped}%"))
            .bind(i64::from(limit))
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CustomerSummary {
                    id: col(r, "id")?,
                    class: parse_enum("customer class", col(r, "class")?)?,
                    first_name: col(r, "first_name")?,
                    last_name: col(r, "last_name")?,
                    company_name: col(r, "company_name")?,
                    status: parse_enum("customer status", col(r, "status")?)?,
                })
            })
            .collect()
    }

    async fn inventory_counts(&self) -> StoreResult<Vec<(i32, InventoryItemStatus, i64)>> {
        let sql = format!(
            "SELECT type_id, status, COUNT(*) AS n FROM {}inventory_items GROUP BY type_id, status ORDER BY type_id, status",
            self.p
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let status: String = col(r, "status")?;
                let st = InventoryItemStatus::from_wire(&status)
                    .ok_or_else(|| patchbay_core::error::StoreError::Database(format!("item status {status:?}")))?;
                Ok((col(r, "type_id")?, st, col(r, "n")?))
            })
            .collect()
    }

    async fn order_counts_by_day(&self, since: i64) -> StoreResult<Vec<(i64, OrderStatus, i64)>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::counts_by_day(&mut c, &self.p, since).await
    }

    async fn order_status_history(&self, order_id: i32) -> StoreResult<Vec<OrderStatusRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::orders::status_history(&mut c, &self.p, order_id).await
    }

    async fn claim_flow_jobs(&self, now_ms: i64, lease_ms: i64, limit: u32) -> StoreResult<Vec<FlowJob>> {
        let mut tx = self.write_tx().await?;
        let p = tx.p.clone();
        let jobs = super::flow::claim_jobs(tx.conn().await?, &p, now_ms, lease_ms, limit).await?;
        tx.finish().await?;
        Ok(jobs)
    }

    async fn next_flow_due(&self) -> StoreResult<Option<i64>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::flow::next_due(&mut c, &self.p).await
    }

    async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(DeliveryRecord, EventRecord)>> {
        let mut tx = self.write_tx().await?;
        let p = tx.p.clone();
        let claimed = super::flow::claim_deliveries(tx.conn().await?, &p, now_ms, lease_ms, limit).await?;
        tx.finish().await?;
        Ok(claimed)
    }

    async fn finish_delivery(&self, delivery: &DeliveryRecord) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let p = tx.p.clone();
        let done = super::flow::finish_delivery(tx.conn().await?, &p, delivery).await?;
        tx.finish().await?;
        Ok(done)
    }

    async fn events(&self, filter: &EventFilter) -> StoreResult<Vec<EventRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::flow::events(&mut c, &self.p, filter).await
    }

    async fn deliveries_of(&self, event_seqs: &[i64]) -> StoreResult<Vec<DeliveryRecord>> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::flow::deliveries_of(&mut c, &self.p, event_seqs).await
    }

    async fn flow_backlog(&self, now_ms: i64) -> StoreResult<FlowBacklog> {
        let mut c = self.read.acquire().await.map_err(db_err)?;
        super::flow::backlog(&mut c, &self.p, now_ms).await
    }

    async fn begin(&self) -> StoreResult<Box<dyn ClientTx>> {
        Ok(Box::new(self.write_tx().await?))
    }
}

impl Client {
    async fn write_tx(&self) -> StoreResult<Tx> {
        let tx = begin_write(&self.write).await.map_err(db_err)?;
        Ok(Tx {
            tx,
            p: self.p.clone(),
            ids: self.ids.clone(),
            counter_floor: Vec::new(),
            held: Held::default(),
            config_changes: self.config_changes.clone(),
            changes_config: false,
        })
    }
}

async fn load_config(c: &mut Conn, p: &str) -> StoreResult<ClientConfig> {
    let mut config = ClientConfig::default();

    for r in sqlx::query(&format!("SELECT name, allow FROM {p}roles ORDER BY name"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        config
            .roles
            .push(Role { name: col(&r, "name")?, allow: from_json("role allow", &col::<String, _>(&r, "allow")?)? });
    }

    for r in sqlx::query(&format!(
        "SELECT id, username, password_hash, role, agent_id, agent_number FROM {p}users ORDER BY id"
    ))
    .fetch_all(&mut *c)
    .await
    .map_err(db_err)?
    {
        config.users.push(User {
            id: col(&r, "id")?,
            username: col(&r, "username")?,
            password_hash: col(&r, "password_hash")?,
            role: col(&r, "role")?,
            agent_id: col(&r, "agent_id")?,
            agent_number: col(&r, "agent_number")?,
        });
    }

    config.bill_profiles = load_named(c, p, "bill_profiles").await?;
    config.product_categories = load_named(c, p, "product_categories").await?;
    config.line_types = load_named(c, p, "line_types").await?;
    config.unavailable_reasons = load_named(c, p, "unavailable_reasons").await?;

    for r in
        sqlx::query(&format!("SELECT id, code, name, recurring, requires_shipping FROM {p}product_types ORDER BY id"))
            .fetch_all(&mut *c)
            .await
            .map_err(db_err)?
    {
        config.product_types.push(ProductType {
            id: col(&r, "id")?,
            code: col(&r, "code")?,
            name: col(&r, "name")?,
            recurring: col(&r, "recurring")?,
            requires_shipping: col(&r, "requires_shipping")?,
        });
    }

    for r in sqlx::query(&format!(
        "SELECT id, code, name, wireless, provisionable, adapter, adapter_settings, accounts FROM {p}providers ORDER BY id"
    ))
    .fetch_all(&mut *c)
    .await
    .map_err(db_err)?
    {
        config.providers.push(Provider {
            id: col(&r, "id")?,
            code: col(&r, "code")?,
            name: col(&r, "name")?,
            wireless: col(&r, "wireless")?,
            provisionable: col(&r, "provisionable")?,
            adapter: col(&r, "adapter")?,
            adapter_settings: from_json("adapter_settings", &col::<String, _>(&r, "adapter_settings")?)?,
            accounts: from_json("provider accounts", &col::<String, _>(&r, "accounts")?)?,
        });
    }

    for r in sqlx::query(&format!("SELECT id, name FROM {p}processes ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        config.processes.push(Process { id: col(&r, "id")?, name: col(&r, "name")?, routes: vec![] });
    }
    let index: HashMap<i32, usize> = config.processes.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
    for r in sqlx::query(&format!("SELECT process_id, id, description FROM {p}process_routes ORDER BY process_id, seq"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        if let Some(&i) = index.get(&col::<i32, _>(&r, "process_id")?) {
            config.processes[i].routes.push(ProcessRoute { id: col(&r, "id")?, description: col(&r, "description")? });
        }
    }

    for r in sqlx::query(&format!("SELECT id, label FROM {p}custom_fields ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        config.custom_fields.push(CustomFieldDef { id: col(&r, "id")?, label: col(&r, "label")? });
    }

    config.products = load_products(c, p).await?;

    for r in sqlx::query(&format!("SELECT id, name, provider_id, line_type_id, origin FROM {p}packages ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        config.packages.push(Package {
            id: col(&r, "id")?,
            name: col(&r, "name")?,
            provider_id: col(&r, "provider_id")?,
            line_type_id: col(&r, "line_type_id")?,
            products: vec![],
            origin: col(&r, "origin")?,
        });
    }
    let index: HashMap<i32, usize> = config.packages.iter().enumerate().map(|(i, x)| (x.id, i)).collect();
    for r in sqlx::query(&format!("SELECT package_id, product_id FROM {p}package_products ORDER BY package_id, seq"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
    {
        if let Some(&i) = index.get(&col::<i32, _>(&r, "package_id")?) {
            config.packages[i].products.push(col(&r, "product_id")?);
        }
    }

    config.webhooks = super::flow::webhooks(c, p).await?;
    Ok(config)
}

async fn load_named(c: &mut Conn, p: &str, table: &str) -> StoreResult<Vec<Named>> {
    let rows = sqlx::query(&format!("SELECT id, name FROM {p}{table} ORDER BY id"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?;
    rows.iter().map(|r| Ok(Named { id: col(r, "id")?, name: col(r, "name")? })).collect()
}

async fn load_products(c: &mut Conn, p: &str) -> StoreResult<Vec<Product>> {
    let mut products = Vec::new();
    for r in sqlx::query(&format!(
        "SELECT id, provider_id, product_type_id, name, description, wholesale_description, code1, code2, \
                rate, cost, free_months, automatic_expiration, billing_months, state, bill_in_arrears, \
                prorate, product_category_id, order_completion_billing, creates_order, active, \
                customer_class, wireless, wireless_voice, wireless_sms, wireless_data, origin \
         FROM {p}products ORDER BY id"
    ))
    .fetch_all(&mut *c)
    .await
    .map_err(db_err)?
    {
        let wireless = col::<bool, _>(&r, "wireless")?.then(|| -> StoreResult<Wireless> {
            Ok(Wireless {
                voice: col(&r, "wireless_voice")?,
                sms: col(&r, "wireless_sms")?,
                data: col(&r, "wireless_data")?,
                allowances: vec![],
            })
        });
        products.push(Product {
            id: col(&r, "id")?,
            provider_id: col(&r, "provider_id")?,
            product_type_id: col(&r, "product_type_id")?,
            name: col(&r, "name")?,
            description: col(&r, "description")?,
            wholesale_description: col(&r, "wholesale_description")?,
            code1: col(&r, "code1")?,
            code2: col(&r, "code2")?,
            rate: money(&r, "rate")?,
            cost: money(&r, "cost")?,
            free_months: col(&r, "free_months")?,
            automatic_expiration: col(&r, "automatic_expiration")?,
            billing_months: col(&r, "billing_months")?,
            state: col(&r, "state")?,
            bill_in_arrears: col(&r, "bill_in_arrears")?,
            prorate: col(&r, "prorate")?,
            product_category_id: col(&r, "product_category_id")?,
            order_completion_billing: col(&r, "order_completion_billing")?,
            creates_order: col(&r, "creates_order")?,
            active: col(&r, "active")?,
            customer_class: parse_enum("customer class", col(&r, "customer_class")?)?,
            bill_profiles: vec![],
            line_types: vec![],
            attributes: vec![],
            availability: vec![],
            wireless: wireless.transpose()?,
            fields: vec![],
            origin: col(&r, "origin")?,
        });
    }
    let index: HashMap<i32, usize> = products.iter().enumerate().map(|(i, x)| (x.id, i)).collect();

    // Each child table in one query, ordered by product and position.
    let child = |table: &str, cols: &str| format!("SELECT product_id, {cols} FROM {p}{table} ORDER BY product_id, seq");
    let rows =
        sqlx::query(&child("product_bill_profiles", "bill_profile_id")).fetch_all(&mut *c).await.map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            products[i].bill_profiles.push(col(r, "bill_profile_id")?);
        }
    }
    let rows = sqlx::query(&child("product_line_types", "line_type_id")).fetch_all(&mut *c).await.map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            products[i].line_types.push(col(r, "line_type_id")?);
        }
    }
    let rows = sqlx::query(&child("product_attributes", "key, value")).fetch_all(&mut *c).await.map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            products[i].attributes.push((col(r, "key")?, col(r, "value")?));
        }
    }
    let rows = sqlx::query(&child("product_availability", "location")).fetch_all(&mut *c).await.map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            products[i].availability.push(parse_enum("availability location", col(r, "location")?)?);
        }
    }
    let rows = sqlx::query(&child("product_allowances", "quantity, expiration_days, nights_weekends, unlimited"))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            if let Some(w) = products[i].wireless.as_mut() {
                w.allowances.push(Allowance {
                    quantity: col(r, "quantity")?,
                    expiration_days: col(r, "expiration_days")?,
                    nights_weekends: col(r, "nights_weekends")?,
                    unlimited: col(r, "unlimited")?,
                });
            }
        }
    }
    let rows = sqlx::query(&child("product_fields", "field_id, value")).fetch_all(&mut *c).await.map_err(db_err)?;
    for r in &rows {
        if let Some(&i) = index.get(&col::<i32, _>(r, "product_id")?) {
            products[i].fields.push(FieldValue { field_id: col(r, "field_id")?, value: col(r, "value")? });
        }
    }
    Ok(products)
}

/// A write transaction on one client's database. Dropping it without `commit` rolls back.
pub(crate) struct Tx {
    tx: WriteTx,
    p: String,
    /// Where `id_counters` is written, when not inside `tx` (see [`Tx::counters`]).
    ids: Option<Pool<Db>>,
    /// Per kind, a value its counter is known to be at least at (by this transaction's own
    /// reservations and raises): writing an id at or under it needs no raise.
    counter_floor: Vec<(String, i32)>,
    /// Statements sent later ([`Tx::later`]).
    held: Held,
    /// The client's count of configuration changes, moved when this transaction, having
    /// changed the configuration (`bump_version`), tries to commit.
    config_changes: Arc<AtomicU64>,
    changes_config: bool,
}

/// Statements a write transaction has not sent yet, as one text whose parameters are bound in
/// order across its statements: statements separated by `;` ([`Holding::Script`]), or the
/// parts `w0`, `w1`, … of one `WITH` query, closed by a `SELECT` when sent
/// ([`Holding::Ctes`]).
struct Held {
    q: QueryBuilder<'static, Db>,
    statements: usize,
    /// The tables the held statements write (`Holding::Ctes`: one part per table).
    tables: Vec<&'static str>,
    /// The parameters bound so far (`Holding::Ctes`: one statement takes at most 65,535).
    binds: usize,
    /// Per `later_one` held (`Holding::Ctes`), its part and the row it must change.
    checks: Vec<(usize, String)>,
}

impl Held {
    /// Starts the next held statement (after the separator `HOLDING` puts between them);
    /// returns its place among them.
    fn next_statement(&mut self) -> usize {
        let n = self.statements;
        match (HOLDING, n) {
            (Holding::Script, 0) => {}
            (Holding::Script, _) => {
                self.q.push(";\n");
            }
            (Holding::Ctes, 0) => {
                self.q.push("WITH w0 AS (");
            }
            (Holding::Ctes, n) => {
                self.q.push(format!("), w{n} AS ("));
            }
        }
        self.statements += 1;
        n
    }
}

impl Default for Held {
    fn default() -> Self {
        Held { q: QueryBuilder::new(""), statements: 0, tables: Vec::new(), binds: 0, checks: Vec::new() }
    }
}

/// The parameters one held statement may bind: every statement is written within SQLite's
/// limit, and two of them together within PostgreSQL's (65,535), so a statement is always
/// added to held ones that bind no more than this.
const MAX_STATEMENT_BINDS: usize = 32_766;

/// The number of the last `$n` placeholder in `sql`, if any: on PostgreSQL, the parameters
/// bound so far once `sql` ends a builder's text (each `push_bind` writes the next).
fn last_placeholder(sql: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let mut end = bytes.len();
    while end > 0 {
        let dollar = sql[..end].rfind('$')?;
        let digits = bytes[dollar + 1..end].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            return sql[dollar + 1..dollar + 1 + digits].parse().ok();
        }
        end = dollar;
    }
    None
}

/// Held text past which it is sent without waiting for the next statement: bounds the memory a
/// large bulk write holds (each statement is within SQLite's parameter limit on its own).
const MAX_HELD_SQL: usize = 256 * 1024;

impl Tx {
    /// The connection, for a statement whose result is read: the held statements are sent
    /// first, so it sees them.
    pub(crate) async fn conn(&mut self) -> StoreResult<&mut Conn> {
        self.send_held().await?;
        write_conn(&mut self.tx).await.map_err(db_err)
    }

    /// The rows of the statement `build` writes, read after the held statements. On SQLite
    /// it is sent in the same call as them (a multi-statement text runs in order, and only
    /// the read and a held `later_one` that found no row return rows); on PostgreSQL, whose
    /// held statements form one `WITH` query that a read cannot join, right after them.
    pub(crate) async fn read(&mut self, build: &mut BuildRead<'_>) -> StoreResult<Vec<DbRow>> {
        match HOLDING {
            Holding::Script => {
                self.open();
                self.held.next_statement();
                build(&mut self.held.q);
                self.send_held_rows().await
            }
            Holding::Ctes => {
                self.send_held().await?;
                write_conn(&mut self.tx).await.map_err(db_err)?.rows(build).await
            }
        }
    }

    /// Puts what opens the transaction (SQLite's savepoint) first among the held statements,
    /// if it has not gone out yet.
    fn open(&mut self) {
        if let Some(opening) = take_opening(&mut self.tx) {
            debug_assert_eq!(self.held.statements, 0, "the opening goes before any statement");
            self.held.next_statement();
            self.held.q.push(opening);
        }
    }

    /// Sends the held statements with what closes the transaction (SQLite: the foreign key
    /// check and the savepoint's release), then commits.
    pub(crate) async fn finish(mut self) -> StoreResult<()> {
        match closing(&self.tx) {
            Some(closing) => {
                self.held.next_statement();
                self.held.q.push(closing);
                self.send_held().await?;
                mark_closed(&mut self.tx);
            }
            None => self.send_held().await?,
        }
        let (changes, changes_config) = (self.config_changes.clone(), self.changes_config);
        let committed = commit_write(self.tx).await;
        // Counted whatever the outcome: a failed COMMIT's fate is not always known, and a
        // needless recheck costs one read.
        if changes_config {
            changes.fetch_add(1, Ordering::AcqRel);
        }
        committed
    }

    /// A statement whose result nobody reads (an insert of fresh rows, an update of a row
    /// this transaction locked, an audit record) on `table`, built by `build`.
    ///
    /// It is held and sent with the ones after it, in one call, when the transaction next
    /// needs the connection or commits: on SQLite each call is a hand-off to the connection's
    /// thread and back, on PostgreSQL a round trip, and either costs more than most of these
    /// statements themselves. Its error, if any (a broken constraint), then comes from that
    /// later call, and the transaction is dropped as it would have been. Its bound values are
    /// owned (`'static`), since they outlive the caller's records.
    pub(crate) async fn later(
        &mut self,
        table: &'static str,
        build: impl FnOnce(&mut QueryBuilder<'static, Db>),
    ) -> StoreResult<()> {
        self.hold(table, build).await?;
        Ok(())
    }

    /// [`later`](Self::later) for an update or delete of the one row `what` `id` of `table`,
    /// which must be stored: not finding it fails the transaction (at the latest at commit,
    /// where a query after the statement returns a row naming it when the statement changed
    /// none).
    pub(crate) async fn later_one(
        &mut self,
        table: &'static str,
        what: &str,
        id: i32,
        build: impl FnOnce(&mut QueryBuilder<'static, Db>),
    ) -> StoreResult<()> {
        let missing = format!("{what} {id}");
        match HOLDING {
            Holding::Script => {
                self.hold(table, |q| {
                    build(q);
                    q.push(";\nSELECT ").push_bind(missing).push(" AS missing WHERE changes() = 0");
                })
                .await?;
            }
            Holding::Ctes => {
                let part = self
                    .hold(table, |q| {
                        build(q);
                        q.push(" RETURNING 1");
                    })
                    .await?;
                self.held.checks.push((part, missing));
            }
        }
        Ok(())
    }

    /// Adds a statement to the held ones; returns its place among them.
    async fn hold(
        &mut self,
        table: &'static str,
        build: impl FnOnce(&mut QueryBuilder<'static, Db>),
    ) -> StoreResult<usize> {
        if HOLDING == Holding::Ctes && (self.held.tables.contains(&table) || self.held.binds > MAX_STATEMENT_BINDS) {
            self.send_held().await?;
        }
        self.open();
        let start = self.held.q.sql().len();
        let part = self.held.next_statement();
        build(&mut self.held.q);
        debug_assert!(self.held.q.sql()[start..].contains(table), "a statement held as writing {table} names it");
        if HOLDING == Holding::Ctes {
            self.held.tables.push(table);
            // Only the statement just added can hold a later placeholder.
            if let Some(binds) = last_placeholder(&self.held.q.sql()[start..]) {
                self.held.binds = binds;
            }
        }
        if self.held.q.sql().len() > MAX_HELD_SQL {
            self.send_held().await?;
        }
        Ok(part)
    }

    async fn send_held(&mut self) -> StoreResult<()> {
        self.send_held_rows().await.map(drop)
    }

    /// Sends the held statements; returns the rows of a read among them ([`Tx::read`]).
    async fn send_held_rows(&mut self) -> StoreResult<Vec<DbRow>> {
        if self.held.statements == 0 {
            return Ok(Vec::new());
        }
        if HOLDING == Holding::Ctes {
            // The query's own rows: one per held `later_one` whose part changed no row.
            let checks = std::mem::take(&mut self.held.checks);
            self.held.q.push(") ");
            if checks.is_empty() {
                self.held.q.push("SELECT NULL::text AS missing WHERE false");
            }
            for (i, (part, missing)) in checks.into_iter().enumerate() {
                if i > 0 {
                    self.held.q.push(" UNION ALL ");
                }
                self.held
                    .q
                    .push("SELECT ")
                    .push_bind(missing)
                    .push(format!("::text AS missing WHERE NOT EXISTS (SELECT 1 FROM w{part})"));
            }
        }
        // Rows come back from `later_one`'s checks, only for a row not found, and from a read.
        let done = match write_conn(&mut self.tx).await {
            Ok(conn) => self.held.q.build().fetch_all(conn).await,
            Err(e) => Err(e),
        };
        self.held.q.reset();
        self.held.statements = 0;
        self.held.tables.clear();
        self.held.binds = 0;
        let rows = done.map_err(db_err)?;
        if let Some(row) = rows.iter().find(|r| r.columns().first().is_some_and(|c| c.name() == "missing")) {
            let missing: String = col(row, "missing")?;
            return Err(patchbay_core::error::StoreError::Database(format!("{missing} is not stored")));
        }
        Ok(rows)
    }

    async fn exec(&mut self, sql: &str) -> StoreResult<()> {
        sqlx::query(sql).execute(self.conn().await?).await.map_err(db_err)?;
        Ok(())
    }

    /// Runs a statement on `id_counters` and returns its rows.
    ///
    /// On SQLite it runs inside the transaction, which holds the file's one writer: no other
    /// transaction, of this process or another, moves a counter meanwhile, and a rollback takes
    /// the reservation back with the rest.
    ///
    /// On PostgreSQL it runs on the id pool, outside the transaction, as a transaction of its
    /// own (a single statement), so the counter row is locked only for that statement and
    /// concurrent requests do not queue behind each other's COMMIT. The id pool's connections
    /// commit with `synchronous_commit = off`: that is safe because WAL is written in order, so
    /// the synchronous COMMIT of any transaction that writes a row with such an id (it starts
    /// after the counter's commit) flushes the counter's commit record too; after a crash, a
    /// counter can only have lost moves that no committed row depends on. Ids are never handed
    /// out twice, across processes too; a rolled-back transaction leaves a gap.
    async fn counters(&mut self, build: &mut BuildRead<'_>) -> StoreResult<Vec<DbRow>> {
        match &self.ids {
            Some(pool) => {
                let mut q = QueryBuilder::new("");
                build(&mut q);
                q.build().fetch_all(pool).await.map_err(db_err)
            }
            None => self.read(build).await,
        }
    }

    fn floor(&self, kind: &str) -> Option<i32> {
        self.counter_floor.iter().find(|(k, _)| k == kind).map(|&(_, v)| v)
    }

    fn set_floor(&mut self, kind: &str, value: i32) {
        match self.counter_floor.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => *v = (*v).max(value),
            None => self.counter_floor.push((kind.to_string(), value)),
        }
    }

    /// Reserves `count` consecutive ids of each kind (one statement for all) and returns the
    /// first of each, in the order asked. A kind asked for twice gets two ranges, one after
    /// the other.
    async fn reserve(&mut self, wants: &[(&str, i32)]) -> StoreResult<Vec<i32>> {
        // One row per kind, sorted, so that concurrent reservations lock counter rows in one
        // order (and an upsert never touches a row twice).
        let mut totals: Vec<(&str, i32)> = Vec::with_capacity(wants.len());
        for &(kind, count) in wants {
            match totals.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += count,
                None => totals.push((kind, count)),
            }
        }
        totals.sort_unstable();
        let p = self.p.clone();
        let rows = self
            .counters(&mut |q| {
                q.push(format!("INSERT INTO {p}id_counters AS c (kind, last_id) "));
                q.push_values(&totals, |mut b, &(kind, count)| {
                    b.push_bind(kind.to_string()).push_bind(count);
                });
                q.push(
                    " ON CONFLICT (kind) DO UPDATE SET last_id = c.last_id + excluded.last_id RETURNING kind, last_id",
                );
            })
            .await?;
        // The next id to hand out per kind.
        let mut next: Vec<(String, i32)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind: String = col(r, "kind")?;
            let last: i32 = col(r, "last_id")?;
            let total = totals.iter().find(|(k, _)| *k == kind).map_or(0, |&(_, n)| n);
            self.set_floor(&kind, last);
            next.push((kind, last - total + 1));
        }
        wants
            .iter()
            .map(|&(kind, count)| {
                let (_, n) = next.iter_mut().find(|(k, _)| k == kind).ok_or_else(|| {
                    patchbay_core::error::StoreError::Database(format!("no id counter returned for {kind}"))
                })?;
                let first = *n;
                *n += count;
                Ok(first)
            })
            .collect()
    }

    /// Keeps the counter of `kind` at least at `id`, so `next_id` never hands out an id that
    /// an explicit write took. Nothing to do for an id this transaction reserved (or under
    /// one it did).
    async fn raise_counter(&mut self, kind: &str, id: i32) -> StoreResult<()> {
        if self.floor(kind).is_some_and(|floor| id <= floor) {
            return Ok(());
        }
        let p = self.p.clone();
        let mut raise = |q: &mut QueryBuilder<'static, Db>| {
            q.push(format!("INSERT INTO {p}id_counters AS c (kind, last_id) VALUES ("))
                .push_bind(kind.to_string())
                .push(", ")
                .push_bind(id)
                .push(
                    ") ON CONFLICT (kind) DO UPDATE SET last_id = excluded.last_id WHERE excluded.last_id > c.last_id",
                );
        };
        match self.ids {
            // In the transaction, whose result nobody reads: held.
            None => self.later("id_counters", raise).await?,
            Some(_) => drop(self.counters(&mut raise).await?),
        }
        self.set_floor(kind, id);
        Ok(())
    }

    /// [`raise_counter`](Self::raise_counter) to the largest id written, if any.
    async fn raise_counter_to_max(&mut self, kind: &str, max: Option<i32>) -> StoreResult<()> {
        match max {
            Some(max) => self.raise_counter(kind, max).await,
            None => Ok(()),
        }
    }

    async fn bump_version(&mut self) -> StoreResult<()> {
        self.changes_config = true;
        let sql = format!("UPDATE {}config_version SET version = version + 1 WHERE id = 1", self.p);
        self.exec(&sql).await
    }

    async fn put_named(&mut self, table: &str, items: &[Named]) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO {}{table} (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            self.p
        );
        for n in items {
            sqlx::query(&sql).bind(n.id).bind(&n.name).execute(self.conn().await?).await.map_err(db_err)?;
        }
        Ok(())
    }

    /// Writes a product's row and replaces its child rows.
    async fn write_product(&mut self, x: &Product) -> StoreResult<()> {
        let p = self.p.clone();
        let sql = format!(
            "INSERT INTO {p}products (id, provider_id, product_type_id, name, description, wholesale_description, \
                 code1, code2, rate, cost, free_months, automatic_expiration, billing_months, state, \
                 bill_in_arrears, prorate, product_category_id, order_completion_billing, creates_order, active, \
                 customer_class, wireless, wireless_voice, wireless_sms, wireless_data, origin) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                 $21, $22, $23, $24, $25, $26) \
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, \
                 product_type_id = excluded.product_type_id, name = excluded.name, \
                 description = excluded.description, wholesale_description = excluded.wholesale_description, \
                 code1 = excluded.code1, code2 = excluded.code2, rate = excluded.rate, cost = excluded.cost, \
                 free_months = excluded.free_months, automatic_expiration = excluded.automatic_expiration, \
                 billing_months = excluded.billing_months, state = excluded.state, \
                 bill_in_arrears = excluded.bill_in_arrears, prorate = excluded.prorate, \
                 product_category_id = excluded.product_category_id, \
                 order_completion_billing = excluded.order_completion_billing, \
                 creates_order = excluded.creates_order, active = excluded.active, \
                 customer_class = excluded.customer_class, wireless = excluded.wireless, \
                 wireless_voice = excluded.wireless_voice, wireless_sms = excluded.wireless_sms, \
                 wireless_data = excluded.wireless_data, origin = excluded.origin"
        );
        let w = x.wireless.as_ref();
        sqlx::query(&sql)
            .bind(x.id)
            .bind(x.provider_id)
            .bind(x.product_type_id)
            .bind(&x.name)
            .bind(&x.description)
            .bind(&x.wholesale_description)
            .bind(&x.code1)
            .bind(&x.code2)
            .bind(money_in(&x.rate))
            .bind(money_in(&x.cost))
            .bind(x.free_months)
            .bind(x.automatic_expiration)
            .bind(x.billing_months)
            .bind(&x.state)
            .bind(x.bill_in_arrears)
            .bind(x.prorate)
            .bind(x.product_category_id)
            .bind(x.order_completion_billing)
            .bind(x.creates_order)
            .bind(x.active)
            .bind(enum_str(&x.customer_class))
            .bind(w.is_some())
            .bind(w.is_some_and(|w| w.voice))
            .bind(w.is_some_and(|w| w.sms))
            .bind(w.is_some_and(|w| w.data))
            .bind(&x.origin)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;

        for table in [
            "product_bill_profiles",
            "product_line_types",
            "product_attributes",
            "product_availability",
            "product_allowances",
            "product_fields",
        ] {
            let sql = format!("DELETE FROM {p}{table} WHERE product_id = $1");
            sqlx::query(&sql).bind(x.id).execute(self.conn().await?).await.map_err(db_err)?;
        }
        let sql =
            format!("INSERT INTO {p}product_bill_profiles (product_id, seq, bill_profile_id) VALUES ($1, $2, $3)");
        for (seq, id) in (0i32..).zip(&x.bill_profiles) {
            sqlx::query(&sql).bind(x.id).bind(seq).bind(id).execute(self.conn().await?).await.map_err(db_err)?;
        }
        let sql = format!("INSERT INTO {p}product_line_types (product_id, seq, line_type_id) VALUES ($1, $2, $3)");
        for (seq, id) in (0i32..).zip(&x.line_types) {
            sqlx::query(&sql).bind(x.id).bind(seq).bind(id).execute(self.conn().await?).await.map_err(db_err)?;
        }
        let sql = format!("INSERT INTO {p}product_attributes (product_id, seq, key, value) VALUES ($1, $2, $3, $4)");
        for (seq, (k, v)) in (0i32..).zip(&x.attributes) {
            sqlx::query(&sql).bind(x.id).bind(seq).bind(k).bind(v).execute(self.conn().await?).await.map_err(db_err)?;
        }
        let sql = format!("INSERT INTO {p}product_availability (product_id, seq, location) VALUES ($1, $2, $3)");
        for (seq, loc) in (0i32..).zip(&x.availability) {
            sqlx::query(&sql)
                .bind(x.id)
                .bind(seq)
                .bind(enum_str(loc))
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }
        if let Some(w) = w {
            let sql = format!(
                "INSERT INTO {p}product_allowances (product_id, seq, quantity, expiration_days, nights_weekends, unlimited) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            );
            for (seq, a) in (0i32..).zip(&w.allowances) {
                sqlx::query(&sql)
                    .bind(x.id)
                    .bind(seq)
                    .bind(a.quantity)
                    .bind(a.expiration_days)
                    .bind(a.nights_weekends)
                    .bind(a.unlimited)
                    .execute(self.conn().await?)
                    .await
                    .map_err(db_err)?;
            }
        }
        self.insert_field_values("product_fields", "product_id", x.id, &x.fields).await
    }

    /// Writes one owner's custom field values, in order (`product_fields`, `customer_fields`).
    async fn insert_field_values(
        &mut self,
        table: &str,
        owner: &str,
        id: i32,
        fields: &[FieldValue],
    ) -> StoreResult<()> {
        let p = &self.p;
        let sql = format!("INSERT INTO {p}{table} ({owner}, seq, field_id, value) VALUES ($1, $2, $3, $4)");
        for (seq, f) in (0i32..).zip(fields) {
            sqlx::query(&sql)
                .bind(id)
                .bind(seq)
                .bind(f.field_id)
                .bind(&f.value)
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }
}

#[async_trait]
impl ClientTx for Tx {
    async fn next_id(&mut self, kind: &str) -> StoreResult<i32> {
        self.next_ids(kind, 1).await
    }

    async fn reserve_ids(&mut self, wants: &[(&str, i32)]) -> StoreResult<Vec<i32>> {
        if wants.is_empty() {
            return Ok(Vec::new());
        }
        self.reserve(wants).await
    }

    async fn put_config(&mut self, config: &ClientConfig) -> StoreResult<()> {
        let p = self.p.clone();

        let sql = format!(
            "INSERT INTO {p}roles (name, allow) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET allow = excluded.allow"
        );
        for r in &config.roles {
            sqlx::query(&sql)
                .bind(&r.name)
                .bind(to_json(&r.allow))
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }

        let sql = format!(
            "INSERT INTO {p}users (id, username, password_hash, role, agent_id, agent_number) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash, \
                 role = excluded.role, agent_id = excluded.agent_id, agent_number = excluded.agent_number"
        );
        for u in &config.users {
            sqlx::query(&sql)
                .bind(u.id)
                .bind(&u.username)
                .bind(&u.password_hash)
                .bind(&u.role)
                .bind(u.agent_id)
                .bind(&u.agent_number)
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }

        self.put_named("bill_profiles", &config.bill_profiles).await?;
        self.put_named("product_categories", &config.product_categories).await?;
        self.put_named("line_types", &config.line_types).await?;
        self.put_named("unavailable_reasons", &config.unavailable_reasons).await?;

        let sql = format!(
            "INSERT INTO {p}product_types (id, code, name, recurring, requires_shipping) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, \
                 recurring = excluded.recurring, requires_shipping = excluded.requires_shipping"
        );
        for t in &config.product_types {
            sqlx::query(&sql)
                .bind(t.id)
                .bind(&t.code)
                .bind(&t.name)
                .bind(t.recurring)
                .bind(t.requires_shipping)
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }

        let sql = format!(
            "INSERT INTO {p}providers (id, code, name, wireless, provisionable, adapter, adapter_settings, accounts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, wireless = excluded.wireless, \
                 provisionable = excluded.provisionable, adapter = excluded.adapter, \
                 adapter_settings = excluded.adapter_settings, accounts = excluded.accounts"
        );
        for x in &config.providers {
            sqlx::query(&sql)
                .bind(x.id)
                .bind(&x.code)
                .bind(&x.name)
                .bind(x.wireless)
                .bind(x.provisionable)
                .bind(&x.adapter)
                .bind(to_json(&x.adapter_settings))
                .bind(to_json(&x.accounts))
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }

        let sql = format!(
            "INSERT INTO {p}processes (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        );
        let delete_routes = format!("DELETE FROM {p}process_routes WHERE process_id = $1");
        let insert_route =
            format!("INSERT INTO {p}process_routes (process_id, seq, id, description) VALUES ($1, $2, $3, $4)");
        for x in &config.processes {
            sqlx::query(&sql).bind(x.id).bind(&x.name).execute(self.conn().await?).await.map_err(db_err)?;
            sqlx::query(&delete_routes).bind(x.id).execute(self.conn().await?).await.map_err(db_err)?;
            for (seq, r) in (0i32..).zip(&x.routes) {
                sqlx::query(&insert_route)
                    .bind(x.id)
                    .bind(seq)
                    .bind(r.id)
                    .bind(&r.description)
                    .execute(self.conn().await?)
                    .await
                    .map_err(db_err)?;
            }
        }

        let sql = format!(
            "INSERT INTO {p}custom_fields (id, label) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET label = excluded.label"
        );
        for f in &config.custom_fields {
            sqlx::query(&sql).bind(f.id).bind(&f.label).execute(self.conn().await?).await.map_err(db_err)?;
        }

        for x in &config.products {
            self.write_product(x).await?;
        }

        let sql = format!(
            "INSERT INTO {p}packages (id, name, provider_id, line_type_id, origin) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, provider_id = excluded.provider_id, \
                 line_type_id = excluded.line_type_id, origin = excluded.origin"
        );
        let delete_products = format!("DELETE FROM {p}package_products WHERE package_id = $1");
        let insert_product =
            format!("INSERT INTO {p}package_products (package_id, seq, product_id) VALUES ($1, $2, $3)");
        for x in &config.packages {
            sqlx::query(&sql)
                .bind(x.id)
                .bind(&x.name)
                .bind(x.provider_id)
                .bind(x.line_type_id)
                .bind(&x.origin)
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
            sqlx::query(&delete_products).bind(x.id).execute(self.conn().await?).await.map_err(db_err)?;
            for (seq, id) in (0i32..).zip(&x.products) {
                sqlx::query(&insert_product)
                    .bind(x.id)
                    .bind(seq)
                    .bind(id)
                    .execute(self.conn().await?)
                    .await
                    .map_err(db_err)?;
            }
        }

        self.raise_counter_to_max(kinds::USER, config.users.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::BILL_PROFILE, config.bill_profiles.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PRODUCT_CATEGORY, config.product_categories.iter().map(|x| x.id).max())
            .await?;
        self.raise_counter_to_max(kinds::LINE_TYPE, config.line_types.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PRODUCT_TYPE, config.product_types.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PROVIDER, config.providers.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PROCESS, config.processes.iter().map(|x| x.id).max()).await?;
        let max_route = config.processes.iter().flat_map(|x| x.routes.iter().map(|r| r.id)).max();
        self.raise_counter_to_max(kinds::PROCESS_ROUTE, max_route).await?;
        self.raise_counter_to_max(kinds::UNAVAILABLE_REASON, config.unavailable_reasons.iter().map(|x| x.id).max())
            .await?;
        self.raise_counter_to_max(kinds::CUSTOM_FIELD, config.custom_fields.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PRODUCT, config.products.iter().map(|x| x.id).max()).await?;
        self.raise_counter_to_max(kinds::PACKAGE, config.packages.iter().map(|x| x.id).max()).await?;
        let p = self.p.clone();
        super::flow::put_webhooks(self.conn().await?, &p, &config.webhooks).await?;

        self.bump_version().await
    }

    async fn put_product(&mut self, product: &Product) -> StoreResult<()> {
        self.write_product(product).await?;
        self.raise_counter(kinds::PRODUCT, product.id).await?;
        self.bump_version().await
    }

    async fn insert_customer(&mut self, x: &CustomerRecord) -> StoreResult<()> {
        let p = self.p.clone();
        let sql = format!(
            "INSERT INTO {p}customers (id, class, first_name, last_name, company_name, status, bill_profile_id, \
                 service_first_name, service_last_name, service_address1, service_address2, service_city, \
                 service_state, service_zip, service_zip4, service_country, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        );
        let a = x.service_address.as_ref();
        sqlx::query(&sql)
            .bind(x.id)
            .bind(enum_str(&x.class))
            .bind(&x.first_name)
            .bind(&x.last_name)
            .bind(&x.company_name)
            .bind(enum_str(&x.status))
            .bind(x.bill_profile_id)
            .bind(a.map(|a| &a.first_name))
            .bind(a.map(|a| &a.last_name))
            .bind(a.map(|a| &a.address1))
            .bind(a.and_then(|a| a.address2.as_ref()))
            .bind(a.map(|a| &a.city))
            .bind(a.map(|a| &a.state))
            .bind(a.map(|a| &a.zip))
            .bind(a.and_then(|a| a.zip4.as_ref()))
            .bind(a.map(|a| &a.country))
            .bind(x.created_at.unix())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        self.insert_field_values("customer_fields", "customer_id", x.id, &x.fields).await?;
        self.raise_counter(kinds::CUSTOMER, x.id).await
    }

    async fn next_ids(&mut self, kind: &str, count: i32) -> StoreResult<i32> {
        Ok(self.reserve(&[(kind, count)]).await?[0])
    }

    async fn insert_service(&mut self, service: &ServiceRecord) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::insert_service(self, &p, service).await?;
        self.raise_counter("service", service.id).await
    }

    async fn insert_customer_product(&mut self, product: &CustomerProductRecord) -> StoreResult<()> {
        self.insert_customer_products(std::slice::from_ref(product)).await
    }

    async fn put_inventory_type(&mut self, record: &InventoryTypeRecord) -> StoreResult<()> {
        let p = self.p.clone();
        super::inventory::put_type(self.conn().await?, &p, record).await?;
        // Inventory types are cached with the configuration.
        self.bump_version().await
    }

    async fn delete_inventory_type(&mut self, id: i32) -> StoreResult<()> {
        let p = self.p.clone();
        super::inventory::delete_type(self.conn().await?, &p, id).await?;
        self.bump_version().await
    }

    async fn inventory_item_for_update(&mut self, id: i32) -> StoreResult<Option<InventoryItemRecord>> {
        let p = self.p.clone();
        super::inventory::item_for_update(self.conn().await?, &p, id).await
    }

    async fn insert_inventory_items(&mut self, items: &[InventoryItemRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::inventory::insert_items(self.conn().await?, &p, items).await
    }

    async fn update_inventory_items(&mut self, items: &[InventoryItemRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::inventory::update_items(self, &p, items).await
    }

    async fn insert_inventory_history(&mut self, entries: &[InventoryHistoryRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::inventory::insert_history(self, &p, entries).await
    }

    async fn customer_for_update(&mut self, id: i32) -> StoreResult<Option<CustomerRecord>> {
        let p = self.p.clone();
        super::orders::customer(self, &p, id, true).await
    }

    async fn set_customer_status(&mut self, id: i32, status: CustomerStatus) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::set_customer_status(self, &p, id, status).await
    }

    async fn update_service(&mut self, service: &ServiceRecord) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::update_service(self, &p, service).await
    }

    async fn delete_service(&mut self, id: i32) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::delete_service(self.conn().await?, &p, id).await
    }

    async fn insert_customer_products(&mut self, products: &[CustomerProductRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::insert_customer_products(self, &p, products).await?;
        self.raise_counter_to_max("customer_product", products.iter().map(|x| x.id).max()).await
    }

    async fn update_customer_products(&mut self, products: &[CustomerProductRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::update_customer_products(self, &p, products).await
    }

    async fn delete_customer_products(&mut self, ids: &[i32]) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::delete_customer_products(self.conn().await?, &p, ids).await
    }

    async fn customer_products_of_services_for_update(
        &mut self,
        service_ids: &[i32],
    ) -> StoreResult<Vec<CustomerProductRecord>> {
        let p = self.p.clone();
        super::orders::customer_products_in(self, &p, "service_id", service_ids, true).await
    }

    async fn services_for_update(&mut self, ids: &[i32]) -> StoreResult<Vec<ServiceRecord>> {
        let p = self.p.clone();
        super::orders::services_in(self, &p, "id", ids, true).await
    }

    async fn inventory_items_for_update(&mut self, ids: &[i32]) -> StoreResult<Vec<InventoryItemRecord>> {
        let p = self.p.clone();
        super::inventory::items_in(self, &p, "id", ids, true).await
    }

    async fn inventory_items_of_services_for_update(
        &mut self,
        service_ids: &[i32],
    ) -> StoreResult<Vec<InventoryItemRecord>> {
        let p = self.p.clone();
        super::inventory::items_in(self, &p, "service_id", service_ids, true).await
    }

    async fn live_service_with_tn(&mut self, tn: &str) -> StoreResult<Option<i32>> {
        let p = self.p.clone();
        super::orders::live_service_with_tn(self.conn().await?, &p, tn).await
    }

    async fn insert_order(&mut self, order: &OrderRecord) -> StoreResult<()> {
        self.insert_orders(std::slice::from_ref(order)).await
    }

    async fn insert_orders(&mut self, orders: &[OrderRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::insert_orders(self, &p, orders).await?;
        self.raise_counter_to_max("order", orders.iter().map(|x| x.id).max()).await
    }

    async fn order_for_update(&mut self, id: i32) -> StoreResult<Option<OrderRecord>> {
        let p = self.p.clone();
        super::orders::order(self, &p, id, true).await
    }

    async fn update_order(&mut self, order: &OrderRecord) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::update_order(self, &p, order).await
    }

    async fn update_order_row(&mut self, order: &OrderRecord) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::update_order_row(self, &p, order).await
    }

    async fn insert_order_status(&mut self, entries: &[OrderStatusRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::orders::insert_status(self, &p, entries).await
    }

    async fn flow_job_for_update(&mut self, order_id: i32) -> StoreResult<Option<FlowJob>> {
        let p = self.p.clone();
        super::flow::job_for_update(self, &p, order_id).await
    }

    async fn put_flow_job(&mut self, job: &FlowJob) -> StoreResult<()> {
        let p = self.p.clone();
        super::flow::put_job(self, &p, job).await
    }

    async fn delete_flow_job(&mut self, order_id: i32) -> StoreResult<()> {
        let p = self.p.clone();
        super::flow::delete_job(self, &p, order_id).await
    }

    async fn insert_events(&mut self, events: &[EventRecord], deliveries: &[DeliveryRecord]) -> StoreResult<()> {
        let p = self.p.clone();
        super::flow::insert_events(self, &p, events, deliveries).await
    }

    async fn prune_events(&mut self, before_ms: i64, limit: u32) -> StoreResult<Vec<i64>> {
        let p = self.p.clone();
        super::flow::prune_events(self.conn().await?, &p, before_ms, limit).await
    }

    async fn audit(&mut self, record: &AuditRecord) -> StoreResult<()> {
        let p = self.p.clone();
        self.later("audit_log", |q| {
            q.push(format!(
                "INSERT INTO {p}audit_log (at, user_id, on_behalf_of_user_id, operation, entity, entity_ids) VALUES ("
            ));
            q.separated(", ")
                .push_bind(record.at.unix())
                .push_bind(record.user_id)
                .push_bind(record.on_behalf_of_user_id)
                .push_bind(record.operation.clone())
                .push_bind(record.entity.clone())
                .push_bind(to_json(&record.entity_ids));
            q.push(")");
        })
        .await
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.finish().await
    }
}
