//! Inventory: items (Inventory_*), their types (InventoryTypes_*) and the item history
//! (InventoryHistory_Query, an extension).
//!
//! Every change to an item is written with its history entries and the audit record in one
//! transaction. The bulk operations are all-or-nothing: every item is validated in memory
//! first, duplicates are checked against the store with set-based reads, and only then is
//! anything written, with multi-row inserts. [`import_items`] is the shared path of
//! Inventory_Create, Inventory_Bulk_Create and the `patchbay inventory import` command.

use super::bulk::{self, rule, BulkError, Failures, Rule};
use super::{identifiers, validate};
use crate::audit::Author;
use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult, ErrorCode, StoreError};
use crate::model::*;
use crate::store::ClientDb;
use async_trait::async_trait;
use patchbay_api::common::{CustomField, Empty};
use patchbay_api::inventory::*;
use patchbay_api::ops::*;
use patchbay_schema::DateTime;
use std::collections::{HashMap, HashSet};

// ---------------------------------------------------------------------------------------------
// Shared rules.

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn reason_exists(config: &ClientConfig, id: i32) -> bool {
    config.unavailable_reasons.iter().any(|r| r.id == id)
}

/// Validates one item custom field value against its definition; returns the value to store.
fn field_value(def: &ItemFieldDef, value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        if def.required {
            return Err(format!("{:?} is required", def.label));
        }
        return Ok(String::new());
    }
    match def.field_type {
        ItemFieldType::DropDownList | ItemFieldType::RadioButtonList => {
            if def.options.iter().any(|o| o == v) {
                Ok(v.to_string())
            } else {
                Err(format!("{v:?} is not one of the options of {:?}: {}", def.label, def.options.join(", ")))
            }
        }
        ItemFieldType::Date => match v.parse::<DateTime>() {
            Ok(_) => Ok(v.to_string()),
            Err(_) => Err(format!("{v:?} is not a real date (YYYY-MM-DD) for {:?}", def.label)),
        },
        ItemFieldType::CheckBox => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok("true".into()),
            "false" | "0" | "no" => Ok("false".into()),
            _ => Err(format!("{v:?} is not true or false for {:?}", def.label)),
        },
        ItemFieldType::TextBox | ItemFieldType::TextArea => Ok(value.to_string()),
    }
}

/// Resolves the given item custom fields against the type's definitions (FieldID or Label,
/// agreeing when both are given) and applies them over `stored`. On create `stored` is empty
/// and defaults fill the fields not given; required fields must end up with a value.
fn apply_item_fields(
    given: &[CustomField],
    defs: &[ItemFieldDef],
    stored: &mut Vec<FieldValue>,
    creating: bool,
) -> Result<Vec<(String, Option<String>, String)>, Rule> {
    let mut changes = Vec::new();
    let mut seen = HashSet::new();
    for (i, f) in given.iter().enumerate() {
        let at = format!("Fields/Field[{}]", i + 1);
        let label = f.label.as_deref().filter(|l| !l.is_empty());
        let def = match (f.field_id, label) {
            (None, None) => return Err(rule(at, "needs FieldID or Label")),
            (Some(id), label) => {
                let def = defs.iter().find(|d| d.id == id).ok_or_else(|| {
                    rule(format!("{at}/FieldID"), format!("the inventory type has no item field {id}"))
                })?;
                if let Some(label) = label {
                    if label != def.label {
                        return Err(rule(
                            format!("{at}/Label"),
                            format!("{label:?} does not match the label of field {id}, {:?}", def.label),
                        ));
                    }
                }
                def
            }
            (None, Some(label)) => defs.iter().find(|d| d.label == label).ok_or_else(|| {
                rule(format!("{at}/Label"), format!("the inventory type has no item field labelled {label:?}"))
            })?,
        };
        if !seen.insert(def.id) {
            return Err(rule(at, format!("field {:?} is given twice", def.label)));
        }
        // A Field whose Value is absent or nil leaves the stored value alone.
        let Some(value) = &f.value else { continue };
        let value = field_value(def, value).map_err(|r| rule(format!("{at}/Value"), r))?;
        let old = stored.iter().find(|v| v.field_id == def.id).map(|v| v.value.clone());
        if old.as_deref() != Some(value.as_str()) {
            changes.push((def.label.clone(), old, value.clone()));
        }
        match stored.iter_mut().find(|v| v.field_id == def.id) {
            Some(slot) => slot.value = value,
            None => stored.push(FieldValue { field_id: def.id, value }),
        }
    }
    if creating {
        for def in defs {
            if stored.iter().any(|v| v.field_id == def.id) {
                continue;
            }
            if let Some(default) = def.default_value.as_deref().filter(|d| !d.is_empty()) {
                stored.push(FieldValue { field_id: def.id, value: default.to_string() });
            }
        }
    }
    for def in defs.iter().filter(|d| d.required) {
        if !stored.iter().any(|v| v.field_id == def.id && !v.value.trim().is_empty()) {
            return Err(rule("Fields", format!("the item field {:?} is required", def.label)));
        }
    }
    stored.sort_by_key(|v| v.field_id);
    Ok(changes)
}

// ---------------------------------------------------------------------------------------------
// Output.

fn type_description(t: &InventoryTypeRecord) -> String {
    t.description.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| t.name.clone())
}

pub fn item_out(config: &ClientConfig, t: Option<&InventoryTypeRecord>, item: &InventoryItemRecord) -> Inventory {
    let wireless = item.msid.is_some()
        || item.msl.is_some()
        || item.mdn.is_some()
        || t.is_some_and(|t| matches!(t.kind, InventoryKind::MobileDevice | InventoryKind::SimCard));
    Inventory {
        id: Some(item.id),
        customer_id: item.customer_id,
        identifier: Some(item.identifier.clone()),
        identifier_label: t.map(|t| t.identifier_label.clone()),
        inventory_type_id: Some(item.type_id),
        inventory_type: t.map(|t| t.kind),
        inventory_description: t.map(type_description),
        status: Some(item.status),
        assigned_date: item.assigned_at,
        unavailable_reason_id: item.unavailable_reason_id,
        unavailable_reason_description: item
            .unavailable_reason_id
            .and_then(|id| config.unavailable_reasons.iter().find(|r| r.id == id))
            .map(|r| r.name.clone()),
        note: item.note.clone(),
        fields: Some(
            item.fields
                .iter()
                .map(|v| CustomField {
                    field_id: Some(v.field_id),
                    label: t.and_then(|t| t.item_fields.iter().find(|d| d.id == v.field_id)).map(|d| d.label.clone()),
                    value: Some(v.value.clone()),
                })
                .collect(),
        ),
        wireless: wireless.then(|| InventoryWireless {
            msid: item.msid.clone(),
            msl: item.msl.clone(),
            mdn: item.mdn.clone(),
        }),
    }
}

/// The inventory of each of a customer's services, for Customers_Query's ServiceItem.
pub async fn inventory_by_service(
    db: &dyn ClientDb,
    config: &ClientConfig,
    types: &[InventoryTypeRecord],
    customer_id: i32,
) -> ApiResult<HashMap<i32, Vec<Inventory>>> {
    let items = db.inventory_items_of_customer(customer_id).await?;
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    let types: HashMap<i32, &InventoryTypeRecord> = types.iter().map(|t| (t.id, t)).collect();
    let mut out: HashMap<i32, Vec<Inventory>> = HashMap::new();
    for item in &items {
        if let Some(service) = item.service_id {
            out.entry(service).or_default().push(item_out(config, types.get(&item.type_id).copied(), item));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Creating items: Inventory_Create, Inventory_Bulk_Create, the import command.

/// Validates one new item; `None` type means the request names none or an unknown one.
fn new_item(
    config: &ClientConfig,
    types: &HashMap<i32, InventoryTypeRecord>,
    inv: Inventory,
    now: DateTime,
) -> Result<InventoryItemRecord, Rule> {
    if inv.id.is_some() {
        return Err(rule("ID", "must be left out on create; the server assigns it"));
    }
    if inv.customer_id.is_some() {
        return Err(rule("CustomerID", "is prohibited on create; use Inventory_Assign"));
    }
    let type_id = inv.inventory_type_id.ok_or_else(|| rule("InventoryTypeID", "is required"))?;
    let t =
        types.get(&type_id).ok_or_else(|| rule("InventoryTypeID", format!("no inventory type has id {type_id}")))?;
    if !t.active {
        return Err(rule("InventoryTypeID", format!("inventory type {type_id} is INACTIVE and takes no new items")));
    }
    if let Some(kind) = inv.inventory_type {
        if kind != t.kind {
            return Err(rule(
                "InventoryType",
                format!(
                    "{} does not match inventory type {type_id}, which is {}",
                    kind.wire_name(),
                    t.kind.wire_name()
                ),
            ));
        }
    }
    let identifier = text(&inv.identifier).ok_or_else(|| rule("Identifier", "is required"))?;
    identifiers::check(t.format, &identifier).map_err(|r| rule("Identifier", r))?;
    let status = inv.status.unwrap_or(InventoryItemStatus::Available);
    if status == InventoryItemStatus::Batched {
        return Err(rule("Status", "BATCHED cannot be set through the API; use AVAILABLE, UNAVAILABLE or ASSIGNED"));
    }
    let unavailable_reason_id = match inv.unavailable_reason_id.filter(|id| *id != 0) {
        None => None,
        Some(_) if status != InventoryItemStatus::Unavailable => {
            return Err(rule("UnavailableReasonID", "is only allowed with Status UNAVAILABLE"))
        }
        Some(id) if !reason_exists(config, id) => {
            return Err(rule("UnavailableReasonID", format!("no unavailable reason has id {id}")))
        }
        Some(id) => Some(id),
    };
    let mut fields = Vec::new();
    apply_item_fields(inv.fields.as_deref().unwrap_or_default(), &t.item_fields, &mut fields, true)?;
    let w = inv.wireless.unwrap_or_default();
    Ok(InventoryItemRecord {
        id: 0,
        type_id,
        identifier,
        status,
        customer_id: None,
        service_id: None,
        customer_product_id: None,
        assigned_at: inv.assigned_date,
        unavailable_reason_id,
        note: inv.note,
        msid: w.msid,
        msl: w.msl,
        mdn: text(&w.mdn),
        fields,
        created_at: now,
        updated_at: now,
    })
}

/// Creates inventory items, all or none: the shared path of Inventory_Create,
/// Inventory_Bulk_Create and `patchbay inventory import` (which runs it on a system context,
/// [`Engine::system_ctx`](crate::engine::Engine::system_ctx)). `progress` is told how many
/// items have been written so far. Returns the new ids in the order of `items`.
pub async fn import_items(
    ctx: &Ctx,
    items: Vec<Inventory>,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Vec<i32>, BulkError> {
    let (db, config, author) = (ctx.db(), ctx.config(), ctx.author());
    if items.is_empty() {
        return Err(ApiError::invalid("InventoryItems", "must hold at least one Inventory").into());
    }
    let types: HashMap<i32, InventoryTypeRecord> = db.inventory_types().await?.into_iter().map(|t| (t.id, t)).collect();
    let now = DateTime::now();
    let mut failures = Failures::new();
    let mut records = Vec::with_capacity(items.len());
    // Identifier -> position of its first occurrence, per type.
    let mut seen: HashMap<i32, HashMap<String, usize>> = HashMap::new();
    for (i, inv) in items.into_iter().enumerate() {
        let position = i + 1;
        let given = inv.identifier.as_deref().map(str::trim).map(str::to_string);
        match new_item(config, &types, inv, now) {
            Ok(rec) => {
                let first = seen.entry(rec.type_id).or_default();
                if let Some(earlier) = first.get(&rec.identifier) {
                    failures.push(
                        position,
                        Some(&rec.identifier),
                        "Identifier",
                        format!("duplicates item {earlier} of this request"),
                    );
                } else {
                    first.insert(rec.identifier.clone(), position);
                }
                records.push(rec);
            }
            Err((field, r)) => failures.push(position, given.as_deref(), field, r),
        }
    }
    // Identifiers already stored, checked per type with set-based reads.
    for (type_id, identifiers) in &seen {
        let list: Vec<String> = identifiers.keys().cloned().collect();
        for existing in db.existing_identifiers(*type_id, &list).await? {
            if let Some(&position) = identifiers.get(&existing) {
                failures.push(
                    position,
                    Some(&existing),
                    "Identifier",
                    format!("already exists in inventory type {type_id}"),
                );
            }
        }
    }
    drop(seen);
    failures.check()?;

    let count = i32::try_from(records.len()).map_err(|_| ApiError::invalid("InventoryItems", "too many items"))?;
    let mut tx = db.begin().await?;
    let first = tx.next_ids("inventory_item", count).await?;
    for (i, rec) in records.iter_mut().enumerate() {
        rec.id = first + i as i32;
    }
    let mut written = 0;
    for chunk in records.chunks(bulk::WRITE_CHUNK) {
        tx.insert_inventory_items(chunk).await.map_err(|e| match e {
            StoreError::Conflict(m) => ApiError::invalid("Identifier", format!("already exists ({m})")),
            other => other.into(),
        })?;
        let history: Vec<InventoryHistoryRecord> = chunk
            .iter()
            .map(|r| InventoryHistoryRecord {
                new_value: Some(r.status.wire_name().to_string()),
                note: r.note.clone().filter(|n| !n.is_empty()),
                ..author.history(r.id, now, "CREATED")
            })
            .collect();
        tx.insert_inventory_history(&history).await?;
        written += chunk.len();
        progress(written);
    }
    let ids: Vec<i32> = records.iter().map(|r| r.id).collect();
    drop(records);
    let audit_ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
    author.audit(&mut *tx, "inventory_item", &audit_ids).await?;
    tx.commit().await?;
    Ok(ids)
}

#[async_trait]
impl Handler for InventoryCreate {
    async fn handle(ctx: &Ctx, input: InventoryCreateInput) -> ApiResult<InventoryCreateOutput> {
        let inv = input.inventory.ok_or_else(|| ApiError::invalid("Inventory", "is required"))?;
        let ids = import_items(ctx, vec![inv], &|_| {}).await.map_err(|e| e.into_single("Inventory"))?;
        Ok(InventoryCreateOutput { inventory_item_id: ids[0] })
    }
}

#[async_trait]
impl Handler for InventoryBulkCreate {
    async fn handle(ctx: &Ctx, input: InventoryBulkInput) -> ApiResult<InventoryBulkCreateOutput> {
        let items = input.inventory_items.ok_or_else(|| ApiError::invalid("InventoryItems", "is required"))?;
        let ids = import_items(ctx, items, &|_| {}).await.map_err(|e| e.into_api("InventoryItems"))?;
        Ok(InventoryBulkCreateOutput { inventory_item_ids: ids })
    }
}

// ---------------------------------------------------------------------------------------------
// Updating items: Inventory_Update, Inventory_Bulk_Update.

/// Finds the stored item an update addresses. Errors are (code, field, rule).
fn locate<'a>(
    inv: &Inventory,
    by_id: &'a HashMap<i32, InventoryItemRecord>,
    by_identifier: &'a HashMap<(i32, String), i32>,
    types: &HashMap<i32, InventoryTypeRecord>,
) -> Result<&'a InventoryItemRecord, (ErrorCode, Rule)> {
    let invalid = |f: &str, r: String| (ErrorCode::InvalidInput, rule(f, r));
    let identifier = inv.identifier.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let item = if let Some(id) = inv.id {
        let item = by_id
            .get(&id)
            .ok_or((ErrorCode::InventoryNotFound, rule("ID", format!("inventory item {id} does not exist"))))?;
        if let Some(identifier) = identifier {
            if identifier != item.identifier {
                return Err(invalid("Identifier", format!("cannot be changed (item {id} is {:?})", item.identifier)));
            }
        }
        item
    } else {
        let identifier = identifier.ok_or_else(|| {
            invalid("ID", "ID, or Identifier with InventoryTypeID or InventoryType, is required".into())
        })?;
        let candidates: Vec<i32> = match (inv.inventory_type_id, inv.inventory_type) {
            (Some(type_id), _) => by_identifier.get(&(type_id, identifier.to_string())).copied().into_iter().collect(),
            (None, Some(kind)) => types
                .values()
                .filter(|t| t.kind == kind)
                .filter_map(|t| by_identifier.get(&(t.id, identifier.to_string())).copied())
                .collect(),
            (None, None) => {
                return Err(invalid(
                    "InventoryTypeID",
                    "is required with Identifier when ID is not given (or give InventoryType)".into(),
                ))
            }
        };
        match candidates.as_slice() {
            [] => {
                return Err((
                    ErrorCode::InventoryNotFound,
                    rule("Identifier", format!("no inventory item has identifier {identifier:?}")),
                ))
            }
            [one] => &by_id[one],
            _ => {
                return Err(invalid(
                    "Identifier",
                    format!("{identifier:?} is in several inventory types; give InventoryTypeID"),
                ))
            }
        }
    };
    if let Some(type_id) = inv.inventory_type_id {
        if type_id != item.type_id {
            return Err(invalid(
                "InventoryTypeID",
                format!("item {} is of inventory type {}; the type cannot change", item.id, item.type_id),
            ));
        }
    }
    if let (Some(kind), Some(t)) = (inv.inventory_type, types.get(&item.type_id)) {
        if kind != t.kind {
            return Err(invalid(
                "InventoryType",
                format!("{} does not match the item's type, {}", kind.wire_name(), t.kind.wire_name()),
            ));
        }
    }
    Ok(item)
}

type Change = (String, Option<String>, Option<String>);

/// Applies an update to an item; returns the changes (field, old, new) for its history.
fn apply_update(
    config: &ClientConfig,
    t: &InventoryTypeRecord,
    item: &mut InventoryItemRecord,
    inv: &Inventory,
) -> Result<Vec<Change>, Rule> {
    let mut changes: Vec<Change> = Vec::new();
    if let Some(c) = inv.customer_id {
        if item.customer_id != Some(c) {
            return Err(rule(
                "CustomerID",
                match item.customer_id {
                    Some(cur) => format!("the item is assigned to customer {cur}; the assignment cannot change here"),
                    None => "the item is not assigned to a customer; use Inventory_Assign".to_string(),
                },
            ));
        }
    }
    if let Some(w) = &inv.wireless {
        if w.mdn.is_some() {
            return Err(rule("Wireless/MDN", "is prohibited on update"));
        }
    }
    let mut set = |field: &str, slot: &mut Option<String>, new: &Option<String>| {
        if let Some(new) = new {
            if slot.as_deref() != Some(new.as_str()) {
                changes.push((field.to_string(), slot.clone(), Some(new.clone())));
                *slot = Some(new.clone());
            }
        }
    };
    set("Note", &mut item.note, &inv.note);
    if let Some(w) = &inv.wireless {
        set("Wireless/MSID", &mut item.msid, &w.msid);
        set("Wireless/MSL", &mut item.msl, &w.msl);
    }
    if let Some(d) = inv.assigned_date {
        if item.assigned_at != Some(d) {
            changes.push(("AssignedDate".into(), item.assigned_at.map(|x| x.to_string()), Some(d.to_string())));
            item.assigned_at = Some(d);
        }
    }
    if let Some(status) = inv.status {
        if status != item.status {
            if status == InventoryItemStatus::Batched {
                return Err(rule("Status", "BATCHED cannot be set through the API"));
            }
            if item.customer_id.is_some() {
                return Err(rule(
                    "Status",
                    format!(
                        "the item is assigned to customer {}; use Inventory_Unassign to change its status",
                        item.customer_id.unwrap_or_default()
                    ),
                ));
            }
            changes.push(("Status".into(), Some(item.status.wire_name().into()), Some(status.wire_name().into())));
            item.status = status;
        }
    }
    let reason = match inv.unavailable_reason_id {
        None => item.unavailable_reason_id,
        Some(0) => None,
        Some(id) if !reason_exists(config, id) => {
            return Err(rule("UnavailableReasonID", format!("no unavailable reason has id {id}")))
        }
        Some(id) => Some(id),
    };
    let reason = if item.status == InventoryItemStatus::Unavailable {
        reason
    } else if inv.unavailable_reason_id.is_some_and(|id| id != 0) {
        return Err(rule("UnavailableReasonID", "is only allowed when the item's Status is UNAVAILABLE"));
    } else {
        None
    };
    if reason != item.unavailable_reason_id {
        changes.push((
            "UnavailableReasonID".into(),
            item.unavailable_reason_id.map(|r| r.to_string()),
            reason.map(|r| r.to_string()),
        ));
        item.unavailable_reason_id = reason;
    }
    if let Some(fields) = &inv.fields {
        for (label, old, new) in apply_item_fields(fields, &t.item_fields, &mut item.fields, false)? {
            changes.push((format!("Fields/{label}"), old, Some(new)));
        }
    }
    Ok(changes)
}

async fn update_items(ctx: &Ctx, items: Vec<Inventory>) -> Result<(), BulkError> {
    if items.is_empty() {
        return Err(ApiError::invalid("InventoryItems", "must hold at least one Inventory").into());
    }
    let db = ctx.db();
    let config = ctx.config();
    let types: HashMap<i32, InventoryTypeRecord> = db.inventory_types().await?.into_iter().map(|t| (t.id, t)).collect();
    // Read every addressed item with set-based reads: by id, and by identifier per type.
    let ids: Vec<i32> = items.iter().filter_map(|i| i.id).collect();
    let mut by_id: HashMap<i32, InventoryItemRecord> =
        db.inventory_items(&ids).await?.into_iter().map(|r| (r.id, r)).collect();
    let mut wanted: HashMap<i32, Vec<String>> = HashMap::new();
    for inv in items.iter().filter(|i| i.id.is_none()) {
        let Some(identifier) = inv.identifier.as_deref().map(str::trim).filter(|s| !s.is_empty()) else { continue };
        let type_ids: Vec<i32> = match (inv.inventory_type_id, inv.inventory_type) {
            (Some(t), _) => vec![t],
            (None, Some(kind)) => types.values().filter(|t| t.kind == kind).map(|t| t.id).collect(),
            _ => vec![],
        };
        for t in type_ids {
            wanted.entry(t).or_default().push(identifier.to_string());
        }
    }
    let mut by_identifier: HashMap<(i32, String), i32> = HashMap::new();
    for (type_id, identifiers) in wanted {
        for r in db.inventory_items_by_identifiers(type_id, &identifiers).await? {
            by_identifier.insert((r.type_id, r.identifier.clone()), r.id);
            by_id.insert(r.id, r);
        }
    }

    let mut failures = Failures::new();
    let mut not_found: Option<ApiError> = None;
    let mut updated: Vec<InventoryItemRecord> = Vec::new();
    let mut history: Vec<InventoryHistoryRecord> = Vec::new();
    let mut touched: HashMap<i32, usize> = HashMap::new();
    let now = DateTime::now();
    let author = ctx.author();
    let single = items.len() == 1;
    for (i, inv) in items.iter().enumerate() {
        let position = i + 1;
        let given = inv.identifier.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let stored = match locate(inv, &by_id, &by_identifier, &types) {
            Ok(item) => item,
            Err((code, (field, r))) => {
                if code == ErrorCode::InventoryNotFound && single {
                    not_found = Some(ApiError::new(code, format!("Inventory/{field}: {r}.")));
                }
                failures.push(position, given, field, r);
                continue;
            }
        };
        if let Some(earlier) = touched.insert(stored.id, position) {
            failures.push(
                position,
                Some(&stored.identifier),
                "ID",
                format!("item {} is also updated by item {earlier} of this request", stored.id),
            );
            continue;
        }
        let Some(t) = types.get(&stored.type_id) else {
            failures.push(
                position,
                Some(&stored.identifier),
                "InventoryTypeID",
                "the item's inventory type no longer exists",
            );
            continue;
        };
        let mut item = stored.clone();
        match apply_update(config, t, &mut item, inv) {
            Ok(changes) if changes.is_empty() => {}
            Ok(changes) => {
                for (field, old, new) in changes {
                    let action = if field == "Status" { "STATUS" } else { "UPDATED" };
                    history.push(InventoryHistoryRecord {
                        field: Some(field),
                        old_value: old,
                        new_value: new,
                        ..author.history(item.id, now, action)
                    });
                }
                item.updated_at = now;
                updated.push(item);
            }
            Err((field, r)) => failures.push(position, Some(&stored.identifier), field, r),
        }
    }
    if let Some(e) = not_found {
        return Err(e.into());
    }
    failures.check()?;
    let mut tx = db.begin().await?;
    for chunk in updated.chunks(bulk::WRITE_CHUNK) {
        tx.update_inventory_items(chunk).await?;
    }
    for chunk in history.chunks(bulk::WRITE_CHUNK) {
        tx.insert_inventory_history(chunk).await?;
    }
    let audit_ids: Vec<i64> = updated.iter().map(|r| i64::from(r.id)).collect();
    author.audit(&mut *tx, "inventory_item", &audit_ids).await?;
    tx.commit().await?;
    Ok(())
}

#[async_trait]
impl Handler for InventoryUpdate {
    async fn handle(ctx: &Ctx, input: InventoryUpdateInput) -> ApiResult<Empty> {
        let inv = input.inventory.ok_or_else(|| ApiError::invalid("Inventory", "is required"))?;
        update_items(ctx, vec![inv]).await.map_err(|e| e.into_single("Inventory"))?;
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for InventoryBulkUpdate {
    async fn handle(ctx: &Ctx, input: InventoryBulkInput) -> ApiResult<Empty> {
        let items = input.inventory_items.ok_or_else(|| ApiError::invalid("InventoryItems", "is required"))?;
        update_items(ctx, items).await.map_err(|e| e.into_api("InventoryItems"))?;
        Ok(Empty {})
    }
}

// ---------------------------------------------------------------------------------------------
// Inventory_Query, Inventory_Assign, Inventory_Unassign.

#[async_trait]
impl Handler for InventoryQuery {
    async fn handle(ctx: &Ctx, input: InventoryQueryInput) -> ApiResult<InventoryQueryOutput> {
        let db = ctx.db();
        let mdn = text(&input.mdn);
        let given =
            [mdn.is_some(), input.inventory_id.is_some(), input.inventory.is_some()].iter().filter(|b| **b).count();
        if given == 0 {
            return Err(ApiError::invalid("Request", "one of MDN, InventoryID or Inventory is required"));
        }
        if given > 1 {
            return Err(ApiError::invalid("Request", "give only one of MDN, InventoryID or Inventory"));
        }
        let types = db.inventory_types().await?;
        let item = if let Some(mdn) = mdn {
            db.inventory_items_by_mdn(&mdn).await?.into_iter().next().ok_or_else(|| {
                ApiError::new(ErrorCode::InventoryNotFound, format!("No inventory item has MDN {mdn}."))
            })?
        } else if let Some(id) = input.inventory_id {
            db.inventory_item(id)
                .await?
                .ok_or_else(|| ApiError::not_found(ErrorCode::InventoryNotFound, "Inventory item", id))?
        } else {
            let lookup = input.inventory.unwrap_or_default();
            let identifier =
                text(&lookup.identifier).ok_or_else(|| ApiError::invalid("Inventory/Identifier", "is required"))?;
            let kind = lookup.kind.unwrap_or(InventoryKind::MobileDevice);
            if !matches!(kind, InventoryKind::MobileDevice | InventoryKind::SimCard) {
                return Err(ApiError::invalid("Inventory/Type", "must be Mobile_Device or SIM_Card"));
            }
            db.inventory_items_with_identifier(&identifier)
                .await?
                .into_iter()
                .find(|i| types.iter().any(|t| t.id == i.type_id && t.kind == kind))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InventoryNotFound,
                        format!("No {} inventory item has identifier {identifier}.", kind.wire_name()),
                    )
                })?
        };
        let t = types.iter().find(|t| t.id == item.type_id);
        Ok(InventoryQueryOutput { inventory: item_out(ctx.config(), t, &item) })
    }
}

/// The service and customer product an assignment names, checked against each other.
struct Target {
    customer_id: i32,
    service_id: Option<i32>,
    customer_product: Option<CustomerProductRecord>,
}

async fn resolve_target(
    db: &dyn ClientDb,
    customer_id: Option<i32>,
    line_id: Option<i32>,
    customer_product_id: Option<i32>,
) -> ApiResult<Target> {
    if customer_id.is_none() && line_id.is_none() && customer_product_id.is_none() {
        return Err(ApiError::invalid("CustomerID", "one of CustomerID, LineID or CustomerProductID is required"));
    }
    if let Some(c) = customer_id {
        db.customer(c).await?.ok_or_else(|| ApiError::not_found(ErrorCode::CustomerNotFound, "Customer", c))?;
    }
    let service = match line_id {
        Some(l) => {
            Some(db.service(l).await?.ok_or_else(|| ApiError::not_found(ErrorCode::ServiceNotFound, "Service", l))?)
        }
        None => None,
    };
    let product = match customer_product_id {
        Some(p) => Some(
            db.customer_product(p)
                .await?
                .ok_or_else(|| ApiError::invalid("CustomerProductID", format!("no customer product has id {p}")))?,
        ),
        None => None,
    };
    if let (Some(c), Some(s)) = (customer_id, &service) {
        if s.customer_id != c {
            return Err(ApiError::new(
                ErrorCode::ServiceCustomerMismatch,
                format!("Service {} belongs to customer {}, not to CustomerID {c}.", s.id, s.customer_id),
            ));
        }
    }
    if let (Some(c), Some(p)) = (customer_id, &product) {
        if p.customer_id != c {
            return Err(ApiError::new(
                ErrorCode::ServiceCustomerMismatch,
                format!("Customer product {} belongs to customer {}, not to CustomerID {c}.", p.id, p.customer_id),
            ));
        }
    }
    if let (Some(s), Some(p)) = (&service, &product) {
        if p.service_id != Some(s.id) {
            return Err(ApiError::invalid(
                "CustomerProductID",
                format!("customer product {} is not on service {}", p.id, s.id),
            ));
        }
    }
    let customer_id = customer_id
        .or(service.as_ref().map(|s| s.customer_id))
        .or(product.as_ref().map(|p| p.customer_id))
        .expect("one of the three is given");
    let service_id = service.as_ref().map(|s| s.id).or(product.as_ref().and_then(|p| p.service_id));
    Ok(Target { customer_id, service_id, customer_product: product })
}

/// Whether an item may be assigned to `customer_id`; the rule for both assign operations.
fn assignable(item: &InventoryItemRecord, customer_id: i32) -> Result<(), String> {
    match item.status {
        InventoryItemStatus::Unavailable => return Err(format!("item {} is UNAVAILABLE", item.identifier)),
        InventoryItemStatus::Batched => return Err(format!("item {} is on a batch", item.identifier)),
        _ => {}
    }
    if let Some(other) = item.customer_id.filter(|c| *c != customer_id) {
        return Err(format!("item {} is assigned to another customer ({other}); unassign it first", item.identifier));
    }
    Ok(())
}

/// Whether a customer product's product goes with the item's type (when the type lists products).
fn product_fits(t: &InventoryTypeRecord, product_id: i32) -> bool {
    t.product_ids.is_empty() || t.product_ids.contains(&product_id)
}

fn assign(item: &mut InventoryItemRecord, target: &Target, now: DateTime) -> String {
    item.status = InventoryItemStatus::Assigned;
    item.customer_id = Some(target.customer_id);
    item.service_id = target.service_id;
    item.customer_product_id = target.customer_product.as_ref().map(|p| p.id);
    item.assigned_at = Some(now);
    item.unavailable_reason_id = None;
    item.updated_at = now;
    let mut to = format!("customer {}", target.customer_id);
    if let Some(s) = target.service_id {
        to.push_str(&format!(", service {s}"));
    }
    if let Some(p) = &target.customer_product {
        to.push_str(&format!(", customer product {}", p.id));
    }
    to
}

fn unassign(item: &mut InventoryItemRecord, status: InventoryItemStatus, reason: Option<i32>, now: DateTime) -> String {
    let from = match (item.customer_id, item.service_id) {
        (Some(c), Some(s)) => format!("customer {c}, service {s}"),
        (Some(c), None) => format!("customer {c}"),
        _ => String::new(),
    };
    item.status = status;
    item.customer_id = None;
    item.service_id = None;
    item.customer_product_id = None;
    item.assigned_at = None;
    item.unavailable_reason_id = reason;
    item.updated_at = now;
    from
}

fn unassign_status(field: &str, status: Option<InventoryItemStatus>) -> ApiResult<InventoryItemStatus> {
    match status.unwrap_or(InventoryItemStatus::Available) {
        s @ (InventoryItemStatus::Available | InventoryItemStatus::Unavailable) => Ok(s),
        _ => Err(ApiError::invalid(field, "must be AVAILABLE or UNAVAILABLE")),
    }
}

#[async_trait]
impl Handler for InventoryAssign {
    async fn handle(ctx: &Ctx, input: InventoryAssignInput) -> ApiResult<Empty> {
        let db = ctx.db();
        let id = input.inventory_item_id.ok_or_else(|| ApiError::invalid("InventoryItemID", "is required"))?;
        let item = db
            .inventory_item(id)
            .await?
            .ok_or_else(|| ApiError::not_found(ErrorCode::InventoryNotFound, "Inventory item", id))?;
        let target = resolve_target(db, input.customer_id, input.line_id, input.customer_product_id).await?;
        if let Some(p) = &target.customer_product {
            // An item's type never changes, so it can be checked before the item is locked.
            if let Some(t) = db.inventory_type(item.type_id).await? {
                if !product_fits(&t, p.product_id) {
                    return Err(ApiError::invalid(
                        "CustomerProductID",
                        format!(
                            "product {} of customer product {} is not associated with inventory type {}",
                            p.product_id, p.id, t.id
                        ),
                    ));
                }
            }
        }
        let author = ctx.author();
        let now = DateTime::now();
        change_items(ctx, &author, &[id], |item| {
            assignable(item, target.customer_id).map_err(|r| ApiError::invalid("InventoryItemID", r))?;
            let to = assign(item, &target, now);
            Ok(InventoryHistoryRecord { new_value: Some(to), ..author.history(id, now, "ASSIGNED") })
        })
        .await?;
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for InventoryUnassign {
    async fn handle(ctx: &Ctx, input: InventoryUnassignInput) -> ApiResult<Empty> {
        let id = input.inventory_item_id.ok_or_else(|| ApiError::invalid("InventoryItemID", "is required"))?;
        let status = unassign_status("Status", input.status)?;
        let reason = match input.unavailable_reason_id.filter(|r| *r != 0) {
            None => None,
            Some(_) if status != InventoryItemStatus::Unavailable => {
                return Err(ApiError::invalid("UnavailableReasonID", "is only allowed with Status UNAVAILABLE"))
            }
            Some(r) if !reason_exists(ctx.config(), r) => {
                return Err(ApiError::invalid("UnavailableReasonID", format!("no unavailable reason has id {r}")))
            }
            Some(r) => Some(r),
        };
        let author = ctx.author();
        let now = DateTime::now();
        let note = input.note.filter(|n| !n.is_empty());
        change_items(ctx, &author, &[id], |item| {
            if item.customer_id.is_none() && item.status != InventoryItemStatus::Assigned {
                return Err(ApiError::invalid("InventoryItemID", format!("item {id} is not assigned")));
            }
            let from = unassign(item, status, reason, now);
            if let Some(n) = &note {
                item.note = Some(n.clone());
            }
            Ok(InventoryHistoryRecord {
                old_value: Some(from).filter(|f| !f.is_empty()),
                new_value: Some(status.wire_name().to_string()),
                note: note.clone(),
                ..author.history(id, now, "UNASSIGNED")
            })
        })
        .await?;
        Ok(Empty {})
    }
}

/// Locks the items, applies `change` to each (it returns the item's history entry, or refuses),
/// and writes the items, their history and the audit record in one transaction.
async fn change_items(
    ctx: &Ctx,
    author: &Author,
    ids: &[i32],
    mut change: impl FnMut(&mut InventoryItemRecord) -> ApiResult<InventoryHistoryRecord> + Send,
) -> ApiResult<()> {
    let mut tx = ctx.db().begin().await?;
    let mut updated = Vec::with_capacity(ids.len());
    let mut history = Vec::with_capacity(ids.len());
    for &id in ids {
        let mut item = tx
            .inventory_item_for_update(id)
            .await?
            .ok_or_else(|| ApiError::not_found(ErrorCode::InventoryNotFound, "Inventory item", id))?;
        history.push(change(&mut item)?);
        updated.push(item);
    }
    tx.update_inventory_items(&updated).await?;
    crate::flow::record_item_history(ctx, &mut *tx, &history).await?;
    let audit_ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
    author.audit(&mut *tx, "inventory_item", &audit_ids).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inventory types.

fn item_field_defs(given: &[InventoryItemField], stored: &[ItemFieldDef]) -> ApiResult<(Vec<ItemFieldDef>, usize)> {
    let mut out: Vec<ItemFieldDef> = Vec::new();
    let mut new = 0;
    for (i, f) in given.iter().enumerate() {
        let at = |name: &str| format!("InventoryType/ItemFields/Field[{}]/{name}", i + 1);
        let id = match f.field_id {
            Some(id) => {
                if !stored.iter().any(|d| d.id == id) {
                    return Err(ApiError::invalid(
                        &at("FieldID"),
                        format!("the inventory type has no item field {id}"),
                    ));
                }
                id
            }
            None => {
                new += 1;
                0
            }
        };
        let label = text(&f.label).ok_or_else(|| ApiError::invalid(&at("Label"), "is required"))?;
        if out.iter().any(|d| d.label == label) {
            return Err(ApiError::invalid(&at("Label"), format!("{label:?} is used by another item field")));
        }
        let field_type = match f.field_type.as_deref() {
            None => ItemFieldType::TextBox,
            Some(s) => ItemFieldType::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    &at("FieldType"),
                    format!("{s:?} is not one of {}", ItemFieldType::ALL.map(|t| t.label()).join(", ")),
                )
            })?,
        };
        let options: Vec<String> =
            f.options.clone().unwrap_or_default().into_iter().map(|o| o.trim().to_string()).collect();
        if field_type.has_options() {
            if options.is_empty() || options.iter().any(String::is_empty) {
                return Err(ApiError::invalid(
                    &at("Options"),
                    format!("a {} needs its options, none empty", field_type.label()),
                ));
            }
        } else if !options.is_empty() {
            return Err(ApiError::invalid(
                &at("Options"),
                format!("only a Drop Down List or Radio Button List has options, not a {}", field_type.label()),
            ));
        }
        let mut def = ItemFieldDef {
            id,
            label,
            description: f.description.clone(),
            field_type,
            default_value: None,
            required: f.is_required.unwrap_or(false),
            options,
        };
        if let Some(d) = f.default_value.as_deref().filter(|d| !d.trim().is_empty()) {
            let checked = field_value(&def, d).map_err(|r| ApiError::invalid(&at("DefaultValue"), r))?;
            def.default_value = Some(checked);
        }
        out.push(def);
    }
    Ok((out, new))
}

/// The Type/Format/RequiresProduct combination rules, on the record as it would be stored.
fn check_type(t: &InventoryTypeRecord) -> ApiResult<()> {
    let wireless = matches!(t.kind, InventoryKind::MobileDevice | InventoryKind::SimCard);
    if wireless && !t.requires_product {
        return Err(ApiError::invalid(
            "InventoryType/RequiresProduct",
            format!("must be true for a {} type", t.kind.wire_name()),
        ));
    }
    let fits = match t.kind {
        InventoryKind::MobileDevice => matches!(
            t.format,
            InventoryTypeFormat::EsnDecimal | InventoryTypeFormat::MeidDecimal | InventoryTypeFormat::EsnOrMeidDecimal
        ),
        InventoryKind::SimCard => t.format == InventoryTypeFormat::IccidDecimal,
        _ => t.format == InventoryTypeFormat::None,
    };
    if !fits {
        let allowed = match t.kind {
            InventoryKind::MobileDevice => "ESN_DECIMAL, MEID_DECIMAL or ESN_OR_MEID_DECIMAL",
            InventoryKind::SimCard => "ICCID_DECIMAL",
            _ => "NONE",
        };
        return Err(ApiError::invalid(
            "InventoryType/Format",
            format!("{} does not suit a {} type; use {allowed}", t.format.wire_name(), t.kind.wire_name()),
        ));
    }
    Ok(())
}

fn check_products(config: &ClientConfig, ids: &[i32]) -> ApiResult<Vec<i32>> {
    let mut out = Vec::new();
    for &id in ids {
        if !config.products.iter().any(|p| p.id == id) {
            return Err(ApiError::not_found(ErrorCode::ProductNotFound, "Product", id));
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn type_out(config: &ClientConfig, t: &InventoryTypeRecord) -> InventoryType {
    InventoryType {
        id: Some(t.id),
        kind: Some(t.kind),
        identifier: Some(t.identifier_label.clone()),
        name: Some(t.name.clone()),
        requires_product: Some(t.requires_product),
        programming_instructions: t.programming_instructions.clone(),
        description: t.description.clone(),
        status: Some(if t.active { InventoryTypeStatus::Active } else { InventoryTypeStatus::Inactive }),
        format: Some(t.format),
        fields: Some(validate::fields_out(&t.fields, &config.custom_fields)),
        item_fields: Some(
            t.item_fields
                .iter()
                .map(|d| InventoryItemField {
                    field_id: Some(d.id),
                    label: Some(d.label.clone()),
                    description: d.description.clone(),
                    field_type: Some(d.field_type.label().to_string()),
                    default_value: d.default_value.clone(),
                    is_required: Some(d.required),
                    options: Some(d.options.clone()),
                })
                .collect(),
        ),
        product_ids: Some(t.product_ids.clone()),
    }
}

async fn type_by_id(db: &dyn ClientDb, id: i32) -> ApiResult<InventoryTypeRecord> {
    db.inventory_type(id).await?.ok_or_else(|| ApiError::invalid("ID", format!("no inventory type has id {id}")))
}

#[async_trait]
impl Handler for InventoryTypesCreate {
    async fn handle(ctx: &Ctx, input: InventoryTypesCreateInput) -> ApiResult<InventoryTypesCreateOutput> {
        let config = ctx.config();
        let t = input.inventory_type.ok_or_else(|| ApiError::invalid("InventoryType", "is required"))?;
        if t.id.is_some() {
            return Err(ApiError::invalid("InventoryType/ID", "is prohibited on create; the server assigns it"));
        }
        let kind = t.kind.ok_or_else(|| ApiError::invalid("InventoryType/Type", "is required"))?;
        let identifier_label =
            text(&t.identifier).ok_or_else(|| ApiError::invalid("InventoryType/Identifier", "is required"))?;
        let name = text(&t.name).ok_or_else(|| ApiError::invalid("InventoryType/Name", "is required"))?;
        let wireless = matches!(kind, InventoryKind::MobileDevice | InventoryKind::SimCard);
        let format = match t.format {
            Some(f) => f,
            None if wireless => {
                return Err(ApiError::invalid(
                    "InventoryType/Format",
                    format!("is required for a {} type", kind.wire_name()),
                ))
            }
            None => InventoryTypeFormat::None,
        };
        let (mut item_fields, _) = item_field_defs(t.item_fields.as_deref().unwrap_or_default(), &[])?;
        let mut record = InventoryTypeRecord {
            id: 0,
            kind,
            identifier_label,
            name,
            requires_product: t.requires_product.unwrap_or(false),
            programming_instructions: t.programming_instructions,
            description: t.description,
            active: t.status.unwrap_or(InventoryTypeStatus::Active) == InventoryTypeStatus::Active,
            format,
            fields: validate::fields(
                "InventoryType/Fields",
                t.fields.as_deref().unwrap_or_default(),
                &config.custom_fields,
            )?,
            item_fields: vec![],
            product_ids: check_products(config, t.product_ids.as_deref().unwrap_or_default())?,
        };
        check_type(&record)?;
        let mut tx = ctx.db().begin().await?;
        record.id = tx.next_id("inventory_type").await?;
        if !item_fields.is_empty() {
            let first = tx.next_ids("inventory_item_field", item_fields.len() as i32).await?;
            for (i, d) in item_fields.iter_mut().enumerate() {
                d.id = first + i as i32;
            }
        }
        record.item_fields = item_fields;
        tx.put_inventory_type(&record).await?;
        ctx.audit(&mut *tx, "inventory_type", &[i64::from(record.id)]).await?;
        tx.commit().await?;
        Ok(InventoryTypesCreateOutput { id: record.id })
    }
}

#[async_trait]
impl Handler for InventoryTypesUpdate {
    async fn handle(ctx: &Ctx, input: InventoryTypesUpdateInput) -> ApiResult<Empty> {
        let config = ctx.config();
        let db = ctx.db();
        let t = input.inventory_type.ok_or_else(|| ApiError::invalid("InventoryType", "is required"))?;
        let id = t.id.ok_or_else(|| ApiError::invalid("InventoryType/ID", "is required"))?;
        let mut record = db
            .inventory_type(id)
            .await?
            .ok_or_else(|| ApiError::invalid("InventoryType/ID", format!("no inventory type has id {id}")))?;
        let before = record.clone();
        if let Some(k) = t.kind {
            record.kind = k;
        }
        if t.identifier.is_some() {
            record.identifier_label = text(&t.identifier)
                .ok_or_else(|| ApiError::invalid("InventoryType/Identifier", "must not be empty"))?;
        }
        if t.name.is_some() {
            record.name = text(&t.name).ok_or_else(|| ApiError::invalid("InventoryType/Name", "must not be empty"))?;
        }
        if let Some(r) = t.requires_product {
            record.requires_product = r;
        }
        if t.programming_instructions.is_some() {
            record.programming_instructions = t.programming_instructions;
        }
        if t.description.is_some() {
            record.description = t.description;
        }
        if let Some(s) = t.status {
            record.active = s == InventoryTypeStatus::Active;
        }
        if let Some(f) = t.format {
            record.format = f;
        }
        if let Some(given) = &t.fields {
            for v in validate::fields("InventoryType/Fields", given, &config.custom_fields)? {
                match record.fields.iter_mut().find(|x| x.field_id == v.field_id) {
                    Some(slot) => slot.value = v.value,
                    None => record.fields.push(v),
                }
            }
        }
        let mut new_fields = 0;
        if let Some(given) = &t.item_fields {
            let (defs, n) = item_field_defs(given, &record.item_fields)?;
            record.item_fields = defs;
            new_fields = n;
        }
        if let Some(p) = &t.product_ids {
            record.product_ids = check_products(config, p)?;
        }
        check_type(&record)?;
        if (record.kind != before.kind || record.format != before.format)
            && db.count_inventory_items_of_type(id).await? > 0
        {
            return Err(ApiError::invalid(
                "InventoryType/Format",
                format!("inventory type {id} has items; its Type and Format cannot change"),
            ));
        }
        let mut tx = db.begin().await?;
        if new_fields > 0 {
            let mut next = tx.next_ids("inventory_item_field", new_fields as i32).await?;
            for d in record.item_fields.iter_mut().filter(|d| d.id == 0) {
                d.id = next;
                next += 1;
            }
        }
        tx.put_inventory_type(&record).await?;
        ctx.audit(&mut *tx, "inventory_type", &[i64::from(id)]).await?;
        tx.commit().await?;
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for InventoryTypesDelete {
    async fn handle(ctx: &Ctx, input: InventoryTypesDeleteInput) -> ApiResult<Empty> {
        let db = ctx.db();
        let id = input.id.ok_or_else(|| ApiError::invalid("ID", "is required"))?;
        type_by_id(db, id).await?;
        let items = db.count_inventory_items_of_type(id).await?;
        if items > 0 {
            return Err(ApiError::invalid(
                "ID",
                format!("inventory type {id} still has {items} inventory item(s); it cannot be deleted"),
            ));
        }
        let mut tx = db.begin().await?;
        tx.delete_inventory_type(id).await?;
        ctx.audit(&mut *tx, "inventory_type", &[i64::from(id)]).await?;
        tx.commit().await?;
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for InventoryTypesQuery {
    async fn handle(ctx: &Ctx, q: InventoryTypesQueryInput) -> ApiResult<InventoryTypesQueryOutput> {
        let config = ctx.config();
        if let Some(p) = q.product_id {
            if !config.products.iter().any(|x| x.id == p) {
                return Err(ApiError::not_found(ErrorCode::ProductNotFound, "Product", p));
            }
        }
        let package_products = match q.package_id {
            Some(id) => Some(
                config
                    .packages
                    .iter()
                    .find(|p| p.id == id)
                    .ok_or_else(|| ApiError::not_found(ErrorCode::PackageNotFound, "Package", id))?
                    .products
                    .clone(),
            ),
            None => None,
        };
        let field = match &q.field {
            Some(f) => {
                let label = text(&f.label).ok_or_else(|| ApiError::invalid("Field/Label", "is required"))?;
                let def = config.custom_fields.iter().find(|d| d.label == label);
                Some((def.map(|d| d.id), f.value.clone().unwrap_or_default()))
            }
            None => None,
        };
        let types = ctx.db().inventory_types().await?;
        let out = types
            .iter()
            .filter(|t| q.id.is_none_or(|id| t.id == id))
            .filter(|t| q.kind.is_none_or(|k| t.kind == k))
            .filter(|t| q.product_id.is_none_or(|p| t.product_ids.contains(&p)))
            .filter(|t| package_products.as_ref().is_none_or(|ps| t.product_ids.iter().any(|p| ps.contains(p))))
            .filter(|t| match &field {
                None => true,
                Some((None, _)) => false,
                Some((Some(fid), value)) => t.fields.iter().any(|v| v.field_id == *fid && &v.value == value),
            })
            .map(|t| type_out(config, t))
            .collect();
        Ok(InventoryTypesQueryOutput { inventory_types: out })
    }
}

fn identifiers_of(given: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in given.unwrap_or_default() {
        let s = s.trim().to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid("Identifiers", "must hold at least one identifier"));
    }
    Ok(out)
}

#[async_trait]
impl Handler for InventoryTypesAssign {
    async fn handle(ctx: &Ctx, input: InventoryTypesAssignInput) -> ApiResult<Empty> {
        let db = ctx.db();
        let identifiers = identifiers_of(input.identifiers)?;
        let line_id = input.line_id.ok_or_else(|| ApiError::invalid("LineID", "is required"))?;
        let cp_id = input.customer_product_id.ok_or_else(|| ApiError::invalid("CustomerProductID", "is required"))?;
        let target = resolve_target(db, None, Some(line_id), Some(cp_id)).await?;
        let product_id = target.customer_product.as_ref().map(|p| p.product_id).unwrap_or_default();
        let types: HashMap<i32, InventoryTypeRecord> =
            db.inventory_types().await?.into_iter().map(|t| (t.id, t)).collect();
        let now = DateTime::now();
        let author = ctx.author();
        let mut items = Vec::new();
        for identifier in &identifiers {
            let found = db.inventory_items_with_identifier(identifier).await?;
            if found.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::InventoryNotFound,
                    format!("No inventory item has identifier {identifier}."),
                ));
            }
            let linked: Vec<InventoryItemRecord> = found
                .into_iter()
                .filter(|i| types.get(&i.type_id).is_some_and(|t| t.product_ids.contains(&product_id)))
                .collect();
            let item = match <[InventoryItemRecord; 1]>::try_from(linked) {
                Ok([one]) => one,
                Err(v) if v.is_empty() => {
                    return Err(ApiError::invalid(
                        "CustomerProductID",
                        format!("product {product_id} of customer product {cp_id} is not associated with the inventory type of {identifier}"),
                    ))
                }
                Err(_) => {
                    return Err(ApiError::invalid(
                        "Identifiers",
                        format!("{identifier} is in several inventory types associated with product {product_id}"),
                    ))
                }
            };
            assignable(&item, target.customer_id).map_err(|r| ApiError::invalid("Identifiers", r))?;
            if item.service_id.is_some_and(|s| s != line_id) {
                return Err(ApiError::invalid(
                    "Identifiers",
                    format!("{identifier} is assigned to another service; unassign it first"),
                ));
            }
            items.push(item.id);
        }
        change_items(ctx, &author, &items, |item| {
            assignable(item, target.customer_id).map_err(|r| ApiError::invalid("Identifiers", r))?;
            let to = assign(item, &target, now);
            Ok(InventoryHistoryRecord { new_value: Some(to), ..author.history(item.id, now, "ASSIGNED") })
        })
        .await?;
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for InventoryTypesUnassign {
    async fn handle(ctx: &Ctx, input: InventoryTypesUnassignInput) -> ApiResult<Empty> {
        let db = ctx.db();
        let identifiers = identifiers_of(input.identifiers)?;
        let line_id = input.line_id.ok_or_else(|| ApiError::invalid("LineID", "is required"))?;
        db.service(line_id)
            .await?
            .ok_or_else(|| ApiError::not_found(ErrorCode::ServiceNotFound, "Service", line_id))?;
        let status = unassign_status("InventoryStatus", input.inventory_status)?;
        let mut ids = Vec::new();
        for identifier in &identifiers {
            let item = db
                .inventory_items_with_identifier(identifier)
                .await?
                .into_iter()
                .find(|i| i.service_id == Some(line_id))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InventoryNotFound,
                        format!("No inventory item {identifier} is assigned to service {line_id}."),
                    )
                })?;
            ids.push(item.id);
        }
        let now = DateTime::now();
        let author = ctx.author();
        change_items(ctx, &author, &ids, |item| {
            let from = unassign(item, status, None, now);
            Ok(InventoryHistoryRecord {
                old_value: Some(from).filter(|f| !f.is_empty()),
                new_value: Some(status.wire_name().to_string()),
                ..author.history(item.id, now, "UNASSIGNED")
            })
        })
        .await?;
        Ok(Empty {})
    }
}

// ---------------------------------------------------------------------------------------------
// InventoryHistory_Query (extension).

#[async_trait]
impl Handler for InventoryHistoryQuery {
    async fn handle(ctx: &Ctx, input: InventoryHistoryQueryInput) -> ApiResult<InventoryHistoryQueryOutput> {
        let db = ctx.db();
        let id = input.inventory_item_id.ok_or_else(|| ApiError::invalid("InventoryItemID", "is required"))?;
        db.inventory_item(id)
            .await?
            .ok_or_else(|| ApiError::not_found(ErrorCode::InventoryNotFound, "Inventory item", id))?;
        let users = &ctx.config().users;
        let history = db
            .inventory_history(id)
            .await?
            .into_iter()
            .map(|h| InventoryHistoryEntry {
                date: h.at,
                user_id: h.user_id,
                username: users.iter().find(|u| u.id == h.user_id).map(|u| u.username.clone()),
                operation: h.operation,
                action: h.action,
                field: h.field,
                old_value: h.old_value,
                new_value: h.new_value,
                note: h.note,
            })
            .collect();
        Ok(InventoryHistoryQueryOutput { history })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(t: ItemFieldType) -> ItemFieldDef {
        ItemFieldDef {
            id: 1,
            label: "Color".into(),
            description: None,
            field_type: t,
            default_value: None,
            required: false,
            options: vec!["Black".into(), "White".into()],
        }
    }

    #[test]
    fn field_values_follow_their_type() {
        assert_eq!(field_value(&def(ItemFieldType::DropDownList), "Black").unwrap(), "Black");
        assert!(field_value(&def(ItemFieldType::DropDownList), "Red").unwrap_err().contains("options"));
        assert!(field_value(&def(ItemFieldType::RadioButtonList), "Red").is_err());
        assert!(field_value(&def(ItemFieldType::Date), "2026-02-30").is_err());
        assert_eq!(field_value(&def(ItemFieldType::Date), "2026-02-28").unwrap(), "2026-02-28");
        assert_eq!(field_value(&def(ItemFieldType::CheckBox), "1").unwrap(), "true");
        assert!(field_value(&def(ItemFieldType::CheckBox), "maybe").is_err());
        let mut required = def(ItemFieldType::TextBox);
        required.required = true;
        assert!(field_value(&required, " ").is_err());
    }

    #[test]
    fn item_fields_resolve_default_and_require() {
        let mut color = def(ItemFieldType::DropDownList);
        color.default_value = Some("White".into());
        let mut serial = def(ItemFieldType::TextBox);
        serial.id = 2;
        serial.label = "Box".into();
        serial.required = true;
        let defs = vec![color, serial];
        let mut stored = vec![];
        let given = vec![CustomField { field_id: None, label: Some("Box".into()), value: Some("B-1".into()) }];
        apply_item_fields(&given, &defs, &mut stored, true).unwrap();
        assert_eq!(
            stored,
            vec![FieldValue { field_id: 1, value: "White".into() }, FieldValue { field_id: 2, value: "B-1".into() }]
        );
        let mut empty = vec![];
        assert!(apply_item_fields(&[], &defs, &mut empty, true).unwrap_err().1.contains("required"));
        let mismatch = vec![CustomField { field_id: Some(1), label: Some("Box".into()), value: Some("x".into()) }];
        assert!(apply_item_fields(&mismatch, &defs, &mut vec![], true).unwrap_err().0.ends_with("Label"));
    }
}
