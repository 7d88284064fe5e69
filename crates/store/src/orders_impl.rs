//! Orders, and the customers, services and customer products they read and change, for both
//! engines.
//!
//! Compiled twice like `client_impl.rs` (as `sqlite::orders` and `postgres::orders`);
//! `client_impl.rs` delegates to it. Each table read here has one column list and one row
//! mapper (`SERVICE_COLUMNS` + `service_row`, …), whatever selects the rows. Sets of keys are
//! bound as `inventory_impl.rs` binds them ([`KeySet`]: `IN (…)` on SQLite, `= ANY($n)` on
//! PostgreSQL). Every function takes a connection: the reading pool's (or a snapshot
//! transaction's) for `ClientDb`, the write transaction's for `ClientTx`. A `lock` read ends
//! with `FOR UPDATE` on PostgreSQL; on SQLite the write transaction already holds the file's
//! write lock.
//!
//! An order's lines, items and inventory are read in the same statement as the order, each
//! child table aggregated into a JSON array per order ([`JsonRows`]): one statement for one
//! order or a page of them.

use super::client::{Rows, Tx};
use super::inventory::{lock_clause, rows_in, KeySet, ROWS_PER_INSERT};
use super::{money_in, money_out, Db, Money};
use crate::common::{col, db_err, enum_str, from_json, opt_time, parse_enum, time, to_json};
use patchbay_api::customers::CustomerStatus;
use patchbay_api::orders::{BillingOption, OrderStatus, OrderType, ShippingStatus, SuspendType};
use patchbay_core::error::{StoreError, StoreResult};
use patchbay_core::model::*;
use sqlx::query_builder::Separated;
use sqlx::QueryBuilder;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;
type Values<'q, 'a> = Separated<'q, 'a, Db, &'static str>;

/// Reads an enum stored in its wire spelling with the enum's own parser.
fn wire<T>(what: &str, s: String, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(&s).ok_or_else(|| StoreError::Database(format!("stored {what} {s:?} is not valid")))
}

fn opt_wire<T>(what: &str, s: Option<String>, parse: fn(&str) -> Option<T>) -> StoreResult<Option<T>> {
    s.map(|s| wire(what, s, parse)).transpose()
}

fn lock_if(lock: bool) -> &'static str {
    if lock {
        lock_clause()
    } else {
        ""
    }
}

/// Fails unless a statement that must change one stored row did.
/// An address kept as columns `{prefix}first_name` … `{prefix}country`: all NULL for none.
fn address(r: &DbRow, prefix: &str) -> StoreResult<Option<AddressRecord>> {
    let text = |name: &str| col::<Option<String>, _>(r, &format!("{prefix}{name}"));
    let Some(address1) = text("address1")? else { return Ok(None) };
    Ok(Some(AddressRecord {
        first_name: text("first_name")?.unwrap_or_default(),
        last_name: text("last_name")?.unwrap_or_default(),
        address1,
        address2: text("address2")?,
        city: text("city")?.unwrap_or_default(),
        state: text("state")?.unwrap_or_default(),
        zip: text("zip")?.unwrap_or_default(),
        zip4: text("zip4")?,
        country: text("country")?.unwrap_or_default(),
    }))
}

/// Binds an address as the nine columns [`address`] reads.
// The pushers below bind owned values, so the statements they build can be held past the
// caller's records (`Tx::later`).
fn push_address(b: &mut Values<'_, '_>, a: Option<&AddressRecord>) {
    b.push_bind(a.map(|a| a.first_name.clone()))
        .push_bind(a.map(|a| a.last_name.clone()))
        .push_bind(a.map(|a| a.address1.clone()))
        .push_bind(a.and_then(|a| a.address2.clone()))
        .push_bind(a.map(|a| a.city.clone()))
        .push_bind(a.map(|a| a.state.clone()))
        .push_bind(a.map(|a| a.zip.clone()))
        .push_bind(a.and_then(|a| a.zip4.clone()))
        .push_bind(a.map(|a| a.country.clone()));
}

// ---------------------------------------------------------------------------------------------
// Customers.

/// The customer with its custom field values (one row per value, or one with NULL values).
pub(crate) async fn customer(c: &mut impl Rows, p: &str, id: i32, lock: bool) -> StoreResult<Option<CustomerRecord>> {
    // PostgreSQL cannot lock the nullable side of an outer join: only the customer's row.
    let lock = if lock && !lock_clause().is_empty() { " FOR UPDATE OF c" } else { "" };
    let rows = c
        .rows(&mut |q| {
            q.push(format!(
                "SELECT c.id, c.class, c.first_name, c.last_name, c.company_name, c.status, c.bill_profile_id, \
                        c.service_first_name, c.service_last_name, c.service_address1, c.service_address2, \
                        c.service_city, c.service_state, c.service_zip, c.service_zip4, c.service_country, \
                        c.created_at, f.field_id, f.value \
                 FROM {p}customers c LEFT JOIN {p}customer_fields f ON f.customer_id = c.id \
                 WHERE c.id = "
            ))
            .push_bind(id)
            .push(format!(" ORDER BY f.seq{lock}"));
        })
        .await?;
    let Some(r) = rows.first() else { return Ok(None) };
    let mut fields = Vec::new();
    for row in &rows {
        if let Some(field_id) = col::<Option<i32>, _>(row, "field_id")? {
            fields.push(FieldValue { field_id, value: col(row, "value")? });
        }
    }
    Ok(Some(CustomerRecord {
        id: col(r, "id")?,
        class: parse_enum("customer class", col(r, "class")?)?,
        first_name: col(r, "first_name")?,
        last_name: col(r, "last_name")?,
        company_name: col(r, "company_name")?,
        status: parse_enum("customer status", col(r, "status")?)?,
        bill_profile_id: col(r, "bill_profile_id")?,
        service_address: address(r, "service_")?,
        fields,
        created_at: time("customer created_at", col(r, "created_at")?)?,
    }))
}

pub(crate) async fn set_customer_status(w: &mut Tx, p: &str, id: i32, status: CustomerStatus) -> StoreResult<()> {
    w.later_one("customers", "customer", id, |q| {
        q.push(format!("UPDATE {p}customers SET status = "))
            .push_bind(enum_str(&status))
            .push(" WHERE id = ")
            .push_bind(id);
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Services.

/// Every column of `services` but `id`, in the order [`push_service_fields`] binds them.
const SERVICE_FIELDS: &str = "customer_id, tn, line_type_id, provider_id, package_id, description, created_at, \
                              provider_account_id, alt_btn_id, pbx_make, pbx_model";

fn service_row(r: &DbRow) -> StoreResult<ServiceRecord> {
    Ok(ServiceRecord {
        id: col(r, "id")?,
        customer_id: col(r, "customer_id")?,
        tn: col(r, "tn")?,
        line_type_id: col(r, "line_type_id")?,
        provider_id: col(r, "provider_id")?,
        package_id: col(r, "package_id")?,
        description: col(r, "description")?,
        created_at: time("service created_at", col(r, "created_at")?)?,
        provider_account_id: col(r, "provider_account_id")?,
        alt_btn_id: col(r, "alt_btn_id")?,
        pbx_make: col(r, "pbx_make")?,
        pbx_model: col(r, "pbx_model")?,
    })
}

fn push_service_fields(b: &mut Values<'_, '_>, s: &ServiceRecord) {
    b.push_bind(s.customer_id)
        .push_bind(s.tn.clone())
        .push_bind(s.line_type_id)
        .push_bind(s.provider_id)
        .push_bind(s.package_id)
        .push_bind(s.description.clone())
        .push_bind(s.created_at.unix())
        .push_bind(s.provider_account_id)
        .push_bind(s.alt_btn_id)
        .push_bind(s.pbx_make.clone())
        .push_bind(s.pbx_model.clone());
}

/// The services whose `column` (`id`, `customer_id`) is one of `keys`, lowest id first.
pub(crate) async fn services_in(
    c: &mut impl Rows,
    p: &str,
    column: &str,
    keys: &[i32],
    lock: bool,
) -> StoreResult<Vec<ServiceRecord>> {
    let head = format!("SELECT id, {SERVICE_FIELDS} FROM {p}services WHERE ");
    let tail = format!(" ORDER BY id{}", lock_if(lock));
    let mut out = rows_in(c, &head, column, keys, &tail, service_row).await?;
    out.sort_by_key(|x| x.id);
    Ok(out)
}

pub(crate) async fn services_by_tn(c: &mut Conn, p: &str, tn: &str) -> StoreResult<Vec<ServiceRecord>> {
    let sql = format!("SELECT id, {SERVICE_FIELDS} FROM {p}services WHERE tn = $1 ORDER BY id");
    sqlx::query(&sql).bind(tn).fetch_all(c).await.map_err(db_err)?.iter().map(service_row).collect()
}

pub(crate) async fn insert_service(w: &mut Tx, p: &str, s: &ServiceRecord) -> StoreResult<()> {
    w.later("services", |q| {
        q.push(format!("INSERT INTO {p}services (id, {SERVICE_FIELDS}) "));
        q.push_values([s], |mut b, s| {
            b.push_bind(s.id);
            push_service_fields(&mut b, s);
        });
    })
    .await
}

pub(crate) async fn update_service(w: &mut Tx, p: &str, s: &ServiceRecord) -> StoreResult<()> {
    w.later_one("services", "service", s.id, |q| {
        q.push(format!("UPDATE {p}services SET ({SERVICE_FIELDS}) = ("));
        push_service_fields(&mut q.separated(", "), s);
        q.push(") WHERE id = ").push_bind(s.id);
    })
    .await
}

pub(crate) async fn delete_service(c: &mut Conn, p: &str, id: i32) -> StoreResult<()> {
    let sql = format!("DELETE FROM {p}services WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(c).await.map_err(db_err)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Customer products.

/// Every column of `customer_products` but `id`, in the order [`push_customer_product_fields`]
/// binds them.
const CUSTOMER_PRODUCT_FIELDS: &str =
    "customer_id, service_id, product_id, description, rate, quantity, status, activated_at, billed_through";

fn customer_product_row(r: &DbRow) -> StoreResult<CustomerProductRecord> {
    Ok(CustomerProductRecord {
        id: col(r, "id")?,
        customer_id: col(r, "customer_id")?,
        service_id: col(r, "service_id")?,
        product_id: col(r, "product_id")?,
        description: col(r, "description")?,
        rate: money_out(col::<Money, _>(r, "rate")?)?,
        quantity: col(r, "quantity")?,
        status: parse_enum("customer product status", col(r, "status")?)?,
        activated_at: opt_time("activated_at", col(r, "activated_at")?)?,
        billed_through: opt_time("billed_through", col(r, "billed_through")?)?,
    })
}

fn push_customer_product_fields(b: &mut Values<'_, '_>, x: &CustomerProductRecord) {
    b.push_bind(x.customer_id)
        .push_bind(x.service_id)
        .push_bind(x.product_id)
        .push_bind(x.description.clone())
        .push_bind(money_in(&x.rate))
        .push_bind(x.quantity)
        .push_bind(enum_str(&x.status))
        .push_bind(x.activated_at.map(|d| d.unix()))
        .push_bind(x.billed_through.map(|d| d.unix()));
}

/// The customer products whose `column` (`id`, `customer_id`, `service_id`) is one of `keys`,
/// lowest id first.
pub(crate) async fn customer_products_in(
    c: &mut impl Rows,
    p: &str,
    column: &str,
    keys: &[i32],
    lock: bool,
) -> StoreResult<Vec<CustomerProductRecord>> {
    let head = format!("SELECT id, {CUSTOMER_PRODUCT_FIELDS} FROM {p}customer_products WHERE ");
    let tail = format!(" ORDER BY id{}", lock_if(lock));
    let mut out = rows_in(c, &head, column, keys, &tail, customer_product_row).await?;
    out.sort_by_key(|x| x.id);
    Ok(out)
}

pub(crate) async fn insert_customer_products(
    w: &mut Tx,
    p: &str,
    products: &[CustomerProductRecord],
) -> StoreResult<()> {
    for chunk in products.chunks(ROWS_PER_INSERT) {
        w.later("customer_products", |q| {
            q.push(format!("INSERT INTO {p}customer_products (id, {CUSTOMER_PRODUCT_FIELDS}) "));
            q.push_values(chunk, |mut b, x| {
                b.push_bind(x.id);
                push_customer_product_fields(&mut b, x);
            });
        })
        .await?;
    }
    Ok(())
}

pub(crate) async fn update_customer_products(
    w: &mut Tx,
    p: &str,
    products: &[CustomerProductRecord],
) -> StoreResult<()> {
    for x in products {
        w.later_one("customer_products", "customer product", x.id, |q| {
            q.push(format!("UPDATE {p}customer_products SET ({CUSTOMER_PRODUCT_FIELDS}) = ("));
            push_customer_product_fields(&mut q.separated(", "), x);
            q.push(") WHERE id = ").push_bind(x.id);
        })
        .await?;
    }
    Ok(())
}

pub(crate) async fn delete_customer_products(c: &mut Conn, p: &str, ids: &[i32]) -> StoreResult<()> {
    for chunk in ids.chunks(super::inventory::KEYS_PER_QUERY) {
        let mut q = QueryBuilder::<Db>::new(format!("DELETE FROM {p}customer_products WHERE id"));
        Db::push_ints(&mut q, chunk);
        q.build().execute(&mut *c).await.map_err(db_err)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Orders.

/// Every column of `orders` but `id`, in the order [`push_order_fields`] binds them.
const ORDER_FIELDS: &str = "pon, customer_id, order_type, status, status_note, provider_id, provider_account_id, \
     process_id, process_route_id, flow_through, send_now, reconnect, billing_option, suspend_type, \
     inventory_status, whole_account, prorate, ignore_related_products, tracking_number, shipping_status, \
     ship_first_name, ship_last_name, ship_address1, ship_address2, ship_city, ship_state, ship_zip, ship_zip4, \
     ship_country, port, created_at, updated_at, sent_at, completed_at";

/// An order's row, without its child rows.
fn order_row(r: &DbRow) -> StoreResult<OrderRecord> {
    Ok(OrderRecord {
        id: col(r, "id")?,
        pon: col(r, "pon")?,
        customer_id: col(r, "customer_id")?,
        order_type: wire("order type", col(r, "order_type")?, OrderType::from_wire)?,
        status: wire("order status", col(r, "status")?, OrderStatus::from_wire)?,
        status_note: col(r, "status_note")?,
        provider_id: col(r, "provider_id")?,
        provider_account_id: col(r, "provider_account_id")?,
        process_id: col(r, "process_id")?,
        process_route_id: col(r, "process_route_id")?,
        flow_through: col(r, "flow_through")?,
        send_now: col(r, "send_now")?,
        reconnect: col(r, "reconnect")?,
        billing_option: opt_wire("billing option", col(r, "billing_option")?, BillingOption::from_wire)?,
        suspend_type: opt_wire("suspend type", col(r, "suspend_type")?, SuspendType::from_wire)?,
        inventory_status: col::<Option<String>, _>(r, "inventory_status")?
            .map(|s| parse_enum("order inventory status", s))
            .transpose()?,
        whole_account: col(r, "whole_account")?,
        prorate: col(r, "prorate")?,
        ignore_related_products: col(r, "ignore_related_products")?,
        tracking_number: col(r, "tracking_number")?,
        shipping_status: wire("shipping status", col(r, "shipping_status")?, ShippingStatus::from_wire)?,
        shipping_address: address(r, "ship_")?,
        port: col::<Option<String>, _>(r, "port")?.map(|json| from_json("order port", &json)).transpose()?,
        created_at: time("order created_at", col(r, "created_at")?)?,
        updated_at: time("order updated_at", col(r, "updated_at")?)?,
        sent_at: opt_time("order sent_at", col(r, "sent_at")?)?,
        completed_at: opt_time("order completed_at", col(r, "completed_at")?)?,
        lines: vec![],
        items: vec![],
        inventory: vec![],
    })
}

fn push_order_fields(b: &mut Values<'_, '_>, o: &OrderRecord) {
    b.push_bind(o.pon.clone())
        .push_bind(o.customer_id)
        .push_bind(o.order_type.wire_name())
        .push_bind(o.status.wire_name())
        .push_bind(o.status_note.clone())
        .push_bind(o.provider_id)
        .push_bind(o.provider_account_id)
        .push_bind(o.process_id)
        .push_bind(o.process_route_id)
        .push_bind(o.flow_through)
        .push_bind(o.send_now)
        .push_bind(o.reconnect)
        .push_bind(o.billing_option.map(|x| x.wire_name()))
        .push_bind(o.suspend_type.map(|x| x.wire_name()))
        .push_bind(o.inventory_status.as_ref().map(enum_str))
        .push_bind(o.whole_account)
        .push_bind(o.prorate)
        .push_bind(o.ignore_related_products)
        .push_bind(o.tracking_number.clone())
        .push_bind(o.shipping_status.wire_name());
    push_address(b, o.shipping_address.as_ref());
    b.push_bind(o.port.as_ref().map(to_json))
        .push_bind(o.created_at.unix())
        .push_bind(o.updated_at.unix())
        .push_bind(o.sent_at.map(|d| d.unix()))
        .push_bind(o.completed_at.map(|d| d.unix()));
}

const LINE_COLUMNS: &str = "order_id, seq, service_id, tn, action, package_id, old_package_id";
const ITEM_COLUMNS: &str = "order_id, seq, service_id, action, customer_product_id, product_id, rate, quantity";
const INVENTORY_COLUMNS: &str = "order_id, seq, item_id, identifier, service_id, previous_status, \
     previous_customer_id, previous_service_id, previous_assigned_at";

/// How an engine turns a child table's rows into one JSON array of arrays, so an order and
/// everything it carries come back in one row (one statement, whether one order or a page).
pub(crate) trait JsonRows: sqlx::Database {
    /// An aggregate of `json_array(columns)` over the rows, ordered by `order_by`; `[]` for none.
    fn json_rows(columns: &str, order_by: &str) -> String;
    /// A money column as its decimal text (`35.00` stays `35.00`).
    fn money_text(column: &str) -> String;
}

impl JsonRows for sqlx::Sqlite {
    fn json_rows(columns: &str, order_by: &str) -> String {
        format!("json_group_array(json_array({columns}) ORDER BY {order_by})")
    }
    fn money_text(column: &str) -> String {
        column.to_string()
    }
}

impl JsonRows for sqlx::Postgres {
    fn json_rows(columns: &str, order_by: &str) -> String {
        format!("COALESCE(json_agg(json_build_array({columns}) ORDER BY {order_by})::text, '[]')")
    }
    fn money_text(column: &str) -> String {
        format!("{column}::text")
    }
}

/// The select-list entries that read an order's (`o`) lines, items and inventory as JSON,
/// named `lines_json`, `items_json` and `inventory_json`; [`order_with_children`] reads them.
fn children_columns(p: &str) -> String {
    let child = |table: &str, columns: &str, name: &str| {
        format!("(SELECT {} FROM {p}{table} c WHERE c.order_id = o.id) AS {name}", Db::json_rows(columns, "c.seq"))
    };
    let rate = Db::money_text("c.rate");
    [
        child("order_lines", "c.service_id, c.tn, c.action, c.package_id, c.old_package_id", "lines_json"),
        child(
            "order_items",
            &format!("c.service_id, c.action, c.customer_product_id, c.product_id, {rate}, c.quantity"),
            "items_json",
        ),
        child(
            "order_inventory",
            "c.item_id, c.identifier, c.service_id, c.previous_status, c.previous_customer_id, \
             c.previous_service_id, c.previous_assigned_at",
            "inventory_json",
        ),
    ]
    .join(", ")
}

/// An order's row with the child rows [`children_columns`] read.
fn order_with_children(r: &DbRow) -> StoreResult<OrderRecord> {
    type Line = (i32, Option<String>, String, Option<i32>, Option<i32>);
    type Item = (i32, String, i32, i32, Option<String>, Option<i32>);
    type Inventory = (i32, String, i32, String, Option<i32>, Option<i32>, Option<i64>);
    let mut order = order_row(r)?;
    let lines: Vec<Line> = from_json("order lines", &col::<String, _>(r, "lines_json")?)?;
    for (service_id, tn, action, package_id, old_package_id) in lines {
        let action = wire("order line action", action, LineAction::parse)?;
        order.lines.push(OrderLineRecord { service_id, tn, action, package_id, old_package_id });
    }
    let items: Vec<Item> = from_json("order items", &col::<String, _>(r, "items_json")?)?;
    for (service_id, action, customer_product_id, product_id, rate, quantity) in items {
        order.items.push(OrderItemRecord {
            service_id,
            action: wire("order item action", action, ItemAction::parse)?,
            customer_product_id,
            product_id,
            rate: rate.map(|s| decimal("order item rate", &s)).transpose()?,
            quantity,
        });
    }
    let inventory: Vec<Inventory> = from_json("order inventory", &col::<String, _>(r, "inventory_json")?)?;
    for (item_id, identifier, service_id, previous_status, previous_customer_id, previous_service_id, at) in inventory {
        order.inventory.push(OrderInventoryRecord {
            item_id,
            identifier,
            service_id,
            previous_status: parse_enum("order inventory previous status", previous_status)?,
            previous_customer_id,
            previous_service_id,
            previous_assigned_at: opt_time("order inventory previous_assigned_at", at)?,
        });
    }
    Ok(order)
}

fn decimal(what: &str, s: &str) -> StoreResult<rust_decimal::Decimal> {
    rust_decimal::Decimal::from_str_exact(s)
        .map_err(|e| StoreError::Database(format!("stored {what} {s:?} is not a decimal: {e}")))
}

/// One order with its child rows, in one statement.
pub(crate) async fn order(c: &mut impl Rows, p: &str, id: i32, lock: bool) -> StoreResult<Option<OrderRecord>> {
    if lock && !lock_clause().is_empty() {
        // Locked first, read after: a statement that waited for the lock would still read the
        // child rows as they were when it started (PostgreSQL re-reads only the locked row).
        c.rows(&mut |q| {
            q.push(format!("SELECT id FROM {p}orders WHERE id = ")).push_bind(id).push(lock_clause());
        })
        .await?;
    }
    let rows = c
        .rows(&mut |q| {
            q.push(format!("SELECT o.id, {ORDER_FIELDS}, {} FROM {p}orders o WHERE o.id = ", children_columns(p)))
                .push_bind(id);
        })
        .await?;
    rows.first().map(order_with_children).transpose()
}

/// Appends `filter`'s conditions (each starting with ` AND`) to a statement over `orders o`.
/// `false` when the filter cannot match anything.
fn push_filter(q: &mut QueryBuilder<'_, Db>, p: &str, f: &OrderFilter) -> bool {
    let wire_names = |names: Vec<&str>| names.into_iter().map(str::to_string).collect::<Vec<_>>();
    // Subqueries are `IN (SELECT …)`: a semi-join like EXISTS, and one SQLite can drive from
    // the subquery's index (the TN, the identifier) instead of probing it once per order.
    if !f.bill_profile_ids.is_empty() {
        q.push(format!(" AND o.customer_id IN (SELECT c.id FROM {p}customers c WHERE c.bill_profile_id"));
        Db::push_ints(q, &f.bill_profile_ids);
        q.push(")");
    }
    if !f.customer_ids.is_empty() {
        q.push(" AND o.customer_id");
        Db::push_ints(q, &f.customer_ids);
    }
    if !f.provider_ids.is_empty() {
        q.push(" AND o.provider_id");
        Db::push_ints(q, &f.provider_ids);
    }
    if !f.order_ids.is_empty() {
        q.push(" AND o.id");
        Db::push_ints(q, &f.order_ids);
    }
    if !f.order_types.is_empty() {
        q.push(" AND o.order_type");
        Db::push_strings(q, &wire_names(f.order_types.iter().map(|t| t.wire_name()).collect()));
    }
    if !f.statuses.is_empty() {
        q.push(" AND o.status");
        Db::push_strings(q, &wire_names(f.statuses.iter().map(|s| s.wire_name()).collect()));
    }
    if !f.pons.is_empty() {
        q.push(" AND o.pon");
        Db::push_strings(q, &f.pons);
    }
    if !f.tns.is_empty() {
        q.push(format!(" AND o.id IN (SELECT l.order_id FROM {p}order_lines l WHERE l.tn"));
        Db::push_strings(q, &f.tns);
        q.push(")");
    }
    if !f.identifiers.is_empty() {
        q.push(format!(" AND o.id IN (SELECT i.order_id FROM {p}order_inventory i WHERE i.identifier"));
        Db::push_strings(q, &f.identifiers);
        q.push(")");
    }
    if let Some(processes) = &f.awaiting_route_of_processes {
        if processes.is_empty() {
            return false;
        }
        // Matches the partial index orders_awaiting_route.
        q.push(" AND o.process_route_id IS NULL AND o.status NOT IN ('COMPLETE', 'CANCELED') AND o.process_id");
        Db::push_ints(q, processes);
    }
    true
}

/// Orders matching `filter`, lowest id first: above `after_id` (keyset) or from `offset`.
pub(crate) async fn search(
    c: &mut Conn,
    p: &str,
    filter: &OrderFilter,
    after_id: Option<i32>,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<OrderRecord>> {
    // The ids first, then the rows: the page's ids come from the filter's index alone (a
    // status and provider index holds the id), and only the page's orders are read, with
    // their children. Sorting whole rows instead reads a row and its children for every
    // match that enters the sort, not just the page's.
    let mut q = QueryBuilder::<Db>::new(format!(
        "SELECT o.id, {ORDER_FIELDS}, {} FROM {p}orders o WHERE o.id IN (SELECT o.id FROM {p}orders o WHERE 1 = 1",
        children_columns(p)
    ));
    if !push_filter(&mut q, p, filter) || limit <= 0 {
        return Ok(vec![]);
    }
    if let Some(after) = after_id {
        q.push(" AND o.id > ").push_bind(after);
    }
    q.push(" ORDER BY o.id LIMIT ").push_bind(limit);
    if offset > 0 {
        q.push(" OFFSET ").push_bind(offset);
    }
    q.push(") ORDER BY o.id");
    // Planned with the actual sets each time (see `KeySet`).
    let rows = q.build().persistent(false).fetch_all(&mut *c).await.map_err(db_err)?;
    rows.iter().map(order_with_children).collect()
}

pub(crate) async fn count(c: &mut Conn, p: &str, filter: &OrderFilter, at_most: i64) -> StoreResult<i64> {
    let mut q = QueryBuilder::<Db>::new(format!("SELECT COUNT(*) FROM (SELECT 1 FROM {p}orders o WHERE 1 = 1"));
    if !push_filter(&mut q, p, filter) || at_most <= 0 {
        return Ok(0);
    }
    q.push(" LIMIT ").push_bind(at_most).push(") AS matches");
    q.build_query_scalar::<i64>().persistent(false).fetch_one(c).await.map_err(db_err)
}

/// Writes the child rows of `orders` (after their rows, or after deleting the old ones): one
/// multi-row insert per table for all of them (per `ROWS_PER_INSERT` rows).
async fn insert_children(w: &mut Tx, p: &str, orders: &[OrderRecord]) -> StoreResult<()> {
    /// One child table's rows of every order, each with its order's id and its `seq` in it.
    fn numbered<T>(orders: &[OrderRecord], rows: fn(&OrderRecord) -> &Vec<T>) -> Vec<(i32, i32, &T)> {
        orders.iter().flat_map(|o| (0i32..).zip(rows(o)).map(move |(seq, x)| (o.id, seq, x))).collect()
    }
    for chunk in numbered(orders, |o| &o.lines).chunks(ROWS_PER_INSERT) {
        w.later("order_lines", |q| {
            q.push(format!("INSERT INTO {p}order_lines ({LINE_COLUMNS}) "));
            q.push_values(chunk, |mut b, &(order_id, seq, x)| {
                b.push_bind(order_id)
                    .push_bind(seq)
                    .push_bind(x.service_id)
                    .push_bind(x.tn.clone())
                    .push_bind(x.action.as_str())
                    .push_bind(x.package_id)
                    .push_bind(x.old_package_id);
            });
        })
        .await?;
    }
    for chunk in numbered(orders, |o| &o.items).chunks(ROWS_PER_INSERT) {
        w.later("order_items", |q| {
            q.push(format!("INSERT INTO {p}order_items ({ITEM_COLUMNS}) "));
            q.push_values(chunk, |mut b, &(order_id, seq, x)| {
                b.push_bind(order_id)
                    .push_bind(seq)
                    .push_bind(x.service_id)
                    .push_bind(x.action.as_str())
                    .push_bind(x.customer_product_id)
                    .push_bind(x.product_id)
                    .push_bind(x.rate.as_ref().map(money_in))
                    .push_bind(x.quantity);
            });
        })
        .await?;
    }
    for chunk in numbered(orders, |o| &o.inventory).chunks(ROWS_PER_INSERT) {
        w.later("order_inventory", |q| {
            q.push(format!("INSERT INTO {p}order_inventory ({INVENTORY_COLUMNS}) "));
            q.push_values(chunk, |mut b, &(order_id, seq, x)| {
                b.push_bind(order_id)
                    .push_bind(seq)
                    .push_bind(x.item_id)
                    .push_bind(x.identifier.clone())
                    .push_bind(x.service_id)
                    .push_bind(enum_str(&x.previous_status))
                    .push_bind(x.previous_customer_id)
                    .push_bind(x.previous_service_id)
                    .push_bind(x.previous_assigned_at.map(|d| d.unix()));
            });
        })
        .await?;
    }
    Ok(())
}

/// Order rows per insert: 35 parameters each, within SQLite's 32,766.
const ORDERS_PER_INSERT: usize = 500;

/// New orders and their child rows, each table in one multi-row insert (per
/// `ORDERS_PER_INSERT` orders, `ROWS_PER_INSERT` child rows); a PON taken is a unique
/// violation, so `Conflict`.
pub(crate) async fn insert_orders(w: &mut Tx, p: &str, orders: &[OrderRecord]) -> StoreResult<()> {
    for chunk in orders.chunks(ORDERS_PER_INSERT) {
        w.later("orders", |q| {
            q.push(format!("INSERT INTO {p}orders (id, {ORDER_FIELDS}) "));
            q.push_values(chunk, |mut b, o| {
                b.push_bind(o.id);
                push_order_fields(&mut b, o);
            });
        })
        .await?;
    }
    insert_children(w, p, orders).await
}

/// Replaces an order's row and rewrites its child rows.
pub(crate) async fn update_order(w: &mut Tx, p: &str, o: &OrderRecord) -> StoreResult<()> {
    update_order_row(w, p, o).await?;
    for table in ["order_lines", "order_items", "order_inventory"] {
        w.later(table, |q| {
            q.push(format!("DELETE FROM {p}{table} WHERE order_id = ")).push_bind(o.id);
        })
        .await?;
    }
    insert_children(w, p, std::slice::from_ref(o)).await
}

/// Replaces an order's row, its child rows left alone.
pub(crate) async fn update_order_row(w: &mut Tx, p: &str, o: &OrderRecord) -> StoreResult<()> {
    w.later_one("orders", "order", o.id, |q| {
        q.push(format!("UPDATE {p}orders SET ({ORDER_FIELDS}) = ("));
        push_order_fields(&mut q.separated(", "), o);
        q.push(") WHERE id = ").push_bind(o.id);
    })
    .await
}

const STATUS_COLUMNS: &str = "order_id, at, from_status, to_status, note, user_id, on_behalf_of_user_id";

pub(crate) async fn insert_status(w: &mut Tx, p: &str, entries: &[OrderStatusRecord]) -> StoreResult<()> {
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        w.later("order_status_history", |q| {
            q.push(format!("INSERT INTO {p}order_status_history ({STATUS_COLUMNS}) "));
            q.push_values(chunk, |mut b, x| {
                b.push_bind(x.order_id)
                    .push_bind(x.at.unix())
                    .push_bind(x.from.map(|s| s.wire_name()))
                    .push_bind(x.to.wire_name())
                    .push_bind(x.note.clone())
                    .push_bind(x.user_id)
                    .push_bind(x.on_behalf_of_user_id);
            });
        })
        .await?;
    }
    Ok(())
}

pub(crate) async fn counts_by_day(c: &mut Conn, p: &str, since: i64) -> StoreResult<Vec<(i64, OrderStatus, i64)>> {
    let sql = format!(
        "SELECT created_at / 86400 AS day, status, COUNT(*) AS n FROM {p}orders WHERE created_at >= $1 \
         GROUP BY created_at / 86400, status ORDER BY day, status"
    );
    let rows = sqlx::query(&sql).bind(since).fetch_all(&mut *c).await.map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok((
                col::<i64, _>(r, "day")?,
                wire("order status", col(r, "status")?, OrderStatus::from_wire)?,
                col::<i64, _>(r, "n")?,
            ))
        })
        .collect()
}

pub(crate) async fn status_history(c: &mut Conn, p: &str, order_id: i32) -> StoreResult<Vec<OrderStatusRecord>> {
    let sql = format!("SELECT {STATUS_COLUMNS} FROM {p}order_status_history WHERE order_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(order_id).fetch_all(c).await.map_err(db_err)?;
    rows.iter()
        .map(|r| {
            Ok(OrderStatusRecord {
                order_id: col(r, "order_id")?,
                at: time("order status at", col(r, "at")?)?,
                from: opt_wire("order status", col(r, "from_status")?, OrderStatus::from_wire)?,
                to: wire("order status", col(r, "to_status")?, OrderStatus::from_wire)?,
                note: col(r, "note")?,
                user_id: col(r, "user_id")?,
                on_behalf_of_user_id: col(r, "on_behalf_of_user_id")?,
            })
        })
        .collect()
}

/// A service with this TN that still has a live product. On PostgreSQL the TN is first locked
/// for the rest of the transaction (an advisory lock on its hash), so that two transactions
/// taking the same TN run one after the other; SQLite's write transactions already do.
pub(crate) async fn live_service_with_tn(c: &mut Conn, p: &str, tn: &str) -> StoreResult<Option<i32>> {
    if super::inventory::is_postgres() {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("{p}tn:{tn}"))
            .execute(&mut *c)
            .await
            .map_err(db_err)?;
    }
    let sql = format!(
        "SELECT s.id FROM {p}services s WHERE s.tn = $1 AND EXISTS \
         (SELECT 1 FROM {p}customer_products cp WHERE cp.service_id = s.id AND cp.status <> 'DISCONNECTED') \
         ORDER BY s.id LIMIT 1"
    );
    sqlx::query_scalar(&sql).bind(tn).fetch_optional(&mut *c).await.map_err(db_err)
}
