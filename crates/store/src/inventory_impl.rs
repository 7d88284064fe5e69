//! Inventory types, items and item history, for both engines.
//!
//! Compiled twice like `client_impl.rs` (as `sqlite::inventory` and `postgres::inventory`);
//! `client_impl.rs` delegates the inventory methods of `ClientDb`/`ClientTx` here. Bulk writes
//! are multi-row INSERTs of [`ROWS_PER_INSERT`] rows, and identifier checks are `IN` lists of
//! [`KEYS_PER_QUERY`] keys, so the number of statements grows with the data but each stays
//! within both engines' bind-parameter limits (SQLite 32766, PostgreSQL 65535). [`KeySet`] and
//! [`rows_in`] are how every set-based read binds its keys (`orders_impl.rs` too).

use super::client::{Rows, Tx};
use super::Db;
use crate::common::{col, db_err, enum_str, from_json, opt_time, parse_enum, time, to_json};
use patchbay_core::error::StoreResult;
use patchbay_core::model::*;
use sqlx::{Pool, QueryBuilder};

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

/// Rows per multi-row INSERT (items have 16 columns: 16,000 parameters).
pub(crate) const ROWS_PER_INSERT: usize = 1000;
/// Keys per `IN (…)` list.
pub(crate) const KEYS_PER_QUERY: usize = 5000;

/// How a statement filters on a set of keys. SQLite probes its index once per member of an
/// `IN (…)` list of parameters (a list longer than [`KEYS_PER_QUERY`] becomes one JSON array
/// parameter read with `json_each`, so no list can pass the parameter limit); PostgreSQL gets
/// one array parameter (`= ANY($n)`), which it hashes or probes whatever its statistics say (a
/// long `IN` list of parameters can otherwise be planned as a sequential scan comparing every
/// row with every member). Statements filtering on identifiers are not prepared for reuse: a
/// generic plan made while the table's statistics are stale (right after a bulk import) would
/// compare every row with every member of the array.
pub(crate) trait KeySet: sqlx::Database {
    fn push_strings(q: &mut QueryBuilder<'_, Self>, keys: &[String]);
    fn push_ints(q: &mut QueryBuilder<'_, Self>, keys: &[i32]);
}

impl KeySet for sqlx::Sqlite {
    fn push_strings(q: &mut QueryBuilder<'_, Self>, keys: &[String]) {
        if keys.len() > KEYS_PER_QUERY {
            q.push(" IN (SELECT value FROM json_each(").push_bind(to_json(&keys)).push("))");
            return;
        }
        q.push(" IN (");
        let mut list = q.separated(", ");
        for k in keys {
            list.push_bind(k.clone());
        }
        q.push(")");
    }

    fn push_ints(q: &mut QueryBuilder<'_, Self>, keys: &[i32]) {
        if keys.len() > KEYS_PER_QUERY {
            q.push(" IN (SELECT value FROM json_each(").push_bind(to_json(&keys)).push("))");
            return;
        }
        q.push(" IN (");
        let mut list = q.separated(", ");
        for k in keys {
            list.push_bind(*k);
        }
        q.push(")");
    }
}

impl KeySet for sqlx::Postgres {
    fn push_strings(q: &mut QueryBuilder<'_, Self>, keys: &[String]) {
        q.push(" = ANY(").push_bind(keys.to_vec()).push(")");
    }

    fn push_ints(q: &mut QueryBuilder<'_, Self>, keys: &[i32]) {
        q.push(" = ANY(").push_bind(keys.to_vec()).push(")");
    }
}

pub(crate) fn is_postgres() -> bool {
    <Db as sqlx::Database>::NAME == "PostgreSQL"
}

/// What ends a read that locks its rows until the transaction ends: `FOR UPDATE` on
/// PostgreSQL; nothing on SQLite, whose write transactions already hold the file's write lock
/// (BEGIN IMMEDIATE).
pub(crate) fn lock_clause() -> &'static str {
    if is_postgres() {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// The rows of `{head}{column} IN keys{tail}`, mapped, [`KEYS_PER_QUERY`] keys per statement
/// (the rows of one statement in the order `tail` gives, statement after statement).
pub(crate) async fn rows_in<T>(
    c: &mut impl Rows,
    head: &str,
    column: &str,
    keys: &[i32],
    tail: &str,
    map: impl Fn(&DbRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let rows = c
            .rows(&mut |q| {
                q.push(head).push(column);
                Db::push_ints(q, chunk);
                q.push(tail);
            })
            .await?;
        for r in &rows {
            out.push(map(r)?);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Types.

const TYPE_COLUMNS: &str =
    "id, kind, identifier_label, name, requires_product, programming_instructions, description, \
                            active, format, fields, item_fields, product_ids";

fn type_row(r: &DbRow) -> StoreResult<InventoryTypeRecord> {
    Ok(InventoryTypeRecord {
        id: col(r, "id")?,
        kind: parse_enum("inventory type kind", col(r, "kind")?)?,
        identifier_label: col(r, "identifier_label")?,
        name: col(r, "name")?,
        requires_product: col(r, "requires_product")?,
        programming_instructions: col(r, "programming_instructions")?,
        description: col(r, "description")?,
        active: col(r, "active")?,
        format: parse_enum("inventory type format", col(r, "format")?)?,
        fields: from_json("inventory type fields", &col::<String, _>(r, "fields")?)?,
        item_fields: from_json("inventory item fields", &col::<String, _>(r, "item_fields")?)?,
        product_ids: from_json("inventory type products", &col::<String, _>(r, "product_ids")?)?,
    })
}

pub(crate) async fn types(pool: &Pool<Db>, p: &str) -> StoreResult<Vec<InventoryTypeRecord>> {
    let sql = format!("SELECT {TYPE_COLUMNS} FROM {p}inventory_types ORDER BY id");
    sqlx::query(&sql).fetch_all(pool).await.map_err(db_err)?.iter().map(type_row).collect()
}

pub(crate) async fn type_by_id(pool: &Pool<Db>, p: &str, id: i32) -> StoreResult<Option<InventoryTypeRecord>> {
    let sql = format!("SELECT {TYPE_COLUMNS} FROM {p}inventory_types WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await.map_err(db_err)?.as_ref().map(type_row).transpose()
}

pub(crate) async fn count_items_of_type(pool: &Pool<Db>, p: &str, type_id: i32) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {p}inventory_items WHERE type_id = $1");
    sqlx::query_scalar(&sql).bind(type_id).fetch_one(pool).await.map_err(db_err)
}

pub(crate) async fn put_type(c: &mut Conn, p: &str, t: &InventoryTypeRecord) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO {p}inventory_types ({TYPE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, identifier_label = excluded.identifier_label, \
             name = excluded.name, requires_product = excluded.requires_product, \
             programming_instructions = excluded.programming_instructions, description = excluded.description, \
             active = excluded.active, format = excluded.format, fields = excluded.fields, \
             item_fields = excluded.item_fields, product_ids = excluded.product_ids"
    );
    sqlx::query(&sql)
        .bind(t.id)
        .bind(enum_str(&t.kind))
        .bind(&t.identifier_label)
        .bind(&t.name)
        .bind(t.requires_product)
        .bind(&t.programming_instructions)
        .bind(&t.description)
        .bind(t.active)
        .bind(enum_str(&t.format))
        .bind(to_json(&t.fields))
        .bind(to_json(&t.item_fields))
        .bind(to_json(&t.product_ids))
        .execute(c)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn delete_type(c: &mut Conn, p: &str, id: i32) -> StoreResult<()> {
    sqlx::query(&format!("DELETE FROM {p}inventory_types WHERE id = $1")).bind(id).execute(c).await.map_err(db_err)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Items.

const ITEM_COLUMNS: &str =
    "id, type_id, identifier, status, customer_id, service_id, customer_product_id, assigned_at, \
                            unavailable_reason_id, note, msid, msl, mdn, fields, created_at, updated_at";

fn item_row(r: &DbRow) -> StoreResult<InventoryItemRecord> {
    let fields = match col::<Option<String>, _>(r, "fields")? {
        Some(json) => from_json("inventory item fields", &json)?,
        None => Vec::new(),
    };
    Ok(InventoryItemRecord {
        id: col(r, "id")?,
        type_id: col(r, "type_id")?,
        identifier: col(r, "identifier")?,
        status: parse_enum("inventory item status", col(r, "status")?)?,
        customer_id: col(r, "customer_id")?,
        service_id: col(r, "service_id")?,
        customer_product_id: col(r, "customer_product_id")?,
        assigned_at: opt_time("inventory assigned_at", col(r, "assigned_at")?)?,
        unavailable_reason_id: col(r, "unavailable_reason_id")?,
        note: col(r, "note")?,
        msid: col(r, "msid")?,
        msl: col(r, "msl")?,
        mdn: col(r, "mdn")?,
        fields,
        created_at: time("inventory created_at", col(r, "created_at")?)?,
        updated_at: time("inventory updated_at", col(r, "updated_at")?)?,
    })
}

fn fields_json(fields: &[FieldValue]) -> Option<String> {
    (!fields.is_empty()).then(|| to_json(&fields))
}

async fn items_where(
    pool: &Pool<Db>,
    p: &str,
    condition: &str,
    key: impl ToString,
) -> StoreResult<Vec<InventoryItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE {condition} ORDER BY id");
    sqlx::query(&sql).bind(key.to_string()).fetch_all(pool).await.map_err(db_err)?.iter().map(item_row).collect()
}

pub(crate) async fn item(pool: &Pool<Db>, p: &str, id: i32) -> StoreResult<Option<InventoryItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(pool).await.map_err(db_err)?.as_ref().map(item_row).transpose()
}

pub(crate) async fn items(pool: &Pool<Db>, p: &str, ids: &[i32]) -> StoreResult<Vec<InventoryItemRecord>> {
    let mut c = pool.acquire().await.map_err(db_err)?;
    items_in(&mut c, p, "id", ids, false).await
}

/// The items whose `column` (`id`, `service_id`) is one of `keys`, lowest id first; locked
/// until the transaction ends with `lock`.
pub(crate) async fn items_in(
    c: &mut impl Rows,
    p: &str,
    column: &str,
    keys: &[i32],
    lock: bool,
) -> StoreResult<Vec<InventoryItemRecord>> {
    let head = format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE ");
    let tail = format!(" ORDER BY id{}", if lock { lock_clause() } else { "" });
    let mut out = rows_in(c, &head, column, keys, &tail, item_row).await?;
    out.sort_by_key(|x| x.id);
    Ok(out)
}

pub(crate) async fn items_by_identifiers(
    pool: &Pool<Db>,
    p: &str,
    type_id: i32,
    identifiers: &[String],
) -> StoreResult<Vec<InventoryItemRecord>> {
    let mut out = Vec::new();
    for chunk in identifiers.chunks(KEYS_PER_QUERY) {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE type_id = "));
        q.push_bind(type_id).push(" AND identifier");
        Db::push_strings(&mut q, chunk);
        // Planned with the actual set each time (see `KeySet`), never a cached generic plan.
        for r in q.build().persistent(false).fetch_all(pool).await.map_err(db_err)? {
            out.push(item_row(&r)?);
        }
    }
    Ok(out)
}

pub(crate) async fn existing_identifiers(
    pool: &Pool<Db>,
    p: &str,
    type_id: i32,
    identifiers: &[String],
) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in identifiers.chunks(KEYS_PER_QUERY) {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT identifier FROM {p}inventory_items WHERE type_id = "));
        q.push_bind(type_id).push(" AND identifier");
        Db::push_strings(&mut q, chunk);
        // Planned with the actual set each time (see `KeySet`), never a cached generic plan.
        for r in q.build().persistent(false).fetch_all(pool).await.map_err(db_err)? {
            out.push(col(&r, "identifier")?);
        }
    }
    Ok(out)
}

pub(crate) async fn items_with_identifier(
    pool: &Pool<Db>,
    p: &str,
    identifier: &str,
) -> StoreResult<Vec<InventoryItemRecord>> {
    items_where(pool, p, "identifier = $1", identifier).await
}

pub(crate) async fn items_by_mdn(pool: &Pool<Db>, p: &str, mdn: &str) -> StoreResult<Vec<InventoryItemRecord>> {
    items_where(pool, p, "mdn = $1", mdn).await
}

pub(crate) async fn items_of_customer(
    pool: &Pool<Db>,
    p: &str,
    customer_id: i32,
) -> StoreResult<Vec<InventoryItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE customer_id = $1 ORDER BY id");
    sqlx::query(&sql).bind(customer_id).fetch_all(pool).await.map_err(db_err)?.iter().map(item_row).collect()
}

pub(crate) async fn item_for_update(c: &mut Conn, p: &str, id: i32) -> StoreResult<Option<InventoryItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM {p}inventory_items WHERE id = $1{}", lock_clause());
    sqlx::query(&sql).bind(id).fetch_optional(c).await.map_err(db_err)?.as_ref().map(item_row).transpose()
}

pub(crate) async fn insert_items(c: &mut Conn, p: &str, items: &[InventoryItemRecord]) -> StoreResult<()> {
    for chunk in items.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO {p}inventory_items ({ITEM_COLUMNS}) "));
        q.push_values(chunk, |mut b, x| {
            b.push_bind(x.id)
                .push_bind(x.type_id)
                .push_bind(x.identifier.as_str())
                .push_bind(enum_str(&x.status))
                .push_bind(x.customer_id)
                .push_bind(x.service_id)
                .push_bind(x.customer_product_id)
                .push_bind(x.assigned_at.map(|d| d.unix()))
                .push_bind(x.unavailable_reason_id)
                .push_bind(x.note.as_deref())
                .push_bind(x.msid.as_deref())
                .push_bind(x.msl.as_deref())
                .push_bind(x.mdn.as_deref())
                .push_bind(fields_json(&x.fields))
                .push_bind(x.created_at.unix())
                .push_bind(x.updated_at.unix());
        });
        q.build().execute(&mut *c).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn update_items(w: &mut Tx, p: &str, items: &[InventoryItemRecord]) -> StoreResult<()> {
    for x in items {
        w.later("inventory_items", |q| {
            q.push(format!("UPDATE {p}inventory_items SET status = "))
                .push_bind(enum_str(&x.status))
                .push(", customer_id = ")
                .push_bind(x.customer_id)
                .push(", service_id = ")
                .push_bind(x.service_id)
                .push(", customer_product_id = ")
                .push_bind(x.customer_product_id)
                .push(", assigned_at = ")
                .push_bind(x.assigned_at.map(|d| d.unix()))
                .push(", unavailable_reason_id = ")
                .push_bind(x.unavailable_reason_id)
                .push(", note = ")
                .push_bind(x.note.clone())
                .push(", msid = ")
                .push_bind(x.msid.clone())
                .push(", msl = ")
                .push_bind(x.msl.clone())
                .push(", mdn = ")
                .push_bind(x.mdn.clone())
                .push(", fields = ")
                .push_bind(fields_json(&x.fields))
                .push(", updated_at = ")
                .push_bind(x.updated_at.unix())
                .push(" WHERE id = ")
                .push_bind(x.id);
        })
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// History.

const HISTORY_COLUMNS: &str =
    "item_id, at, user_id, on_behalf_of_user_id, operation, action, field, old_value, new_value, note";

pub(crate) async fn insert_history(w: &mut Tx, p: &str, entries: &[InventoryHistoryRecord]) -> StoreResult<()> {
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        w.later("inventory_history", |q| {
            q.push(format!("INSERT INTO {p}inventory_history ({HISTORY_COLUMNS}) "));
            q.push_values(chunk, |mut b, h| {
                b.push_bind(h.item_id)
                    .push_bind(h.at.unix())
                    .push_bind(h.user_id)
                    .push_bind(h.on_behalf_of_user_id)
                    .push_bind(h.operation.clone())
                    .push_bind(h.action.clone())
                    .push_bind(h.field.clone())
                    .push_bind(h.old_value.clone())
                    .push_bind(h.new_value.clone())
                    .push_bind(h.note.clone());
            });
        })
        .await?;
    }
    Ok(())
}

pub(crate) async fn history(pool: &Pool<Db>, p: &str, item_id: i32) -> StoreResult<Vec<InventoryHistoryRecord>> {
    let sql = format!("SELECT {HISTORY_COLUMNS} FROM {p}inventory_history WHERE item_id = $1 ORDER BY id");
    sqlx::query(&sql)
        .bind(item_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(InventoryHistoryRecord {
                item_id: col(r, "item_id")?,
                at: time("inventory history at", col(r, "at")?)?,
                user_id: col(r, "user_id")?,
                on_behalf_of_user_id: col(r, "on_behalf_of_user_id")?,
                operation: col(r, "operation")?,
                action: col(r, "action")?,
                field: col(r, "field")?,
                old_value: col(r, "old_value")?,
                new_value: col(r, "new_value")?,
                note: col(r, "note")?,
            })
        })
        .collect()
}
