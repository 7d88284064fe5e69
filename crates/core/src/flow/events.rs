//! Events: what happened, recorded in the transaction of the change that caused it, with one
//! delivery per subscriber that wants it (`[[clients.webhooks]]`). The worker
//! (`flow::worker`) delivers them; Events_Query lists them.

use crate::engine::Ctx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::ClientTx;
use patchbay_api::orders::OrderStatus;
use serde_json::{json, Value};

pub const ORDER_CREATED: &str = "order.created";
pub const ORDER_STATUS_CHANGED: &str = "order.status_changed";
pub const ORDER_COMPLETED: &str = "order.completed";
pub const INVENTORY_ASSIGNED: &str = "inventory.assigned";
pub const INVENTORY_UNASSIGNED: &str = "inventory.unassigned";

/// Every event a subscriber may ask for.
pub const EVENT_NAMES: [&str; 5] =
    [ORDER_CREATED, ORDER_STATUS_CHANGED, ORDER_COMPLETED, INVENTORY_ASSIGNED, INVENTORY_UNASSIGNED];

/// An event about to be recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub name: &'static str,
    pub order_id: Option<i32>,
    pub item_id: Option<i32>,
    pub data: Value,
}

/// An event of order `o`: its data is the order's id, PON and customer, and `more`.
fn order_event(name: &'static str, o: &OrderRecord, more: Value) -> NewEvent {
    let mut data = json!({ "order_id": o.id, "pon": o.pon, "customer_id": o.customer_id });
    if let (Some(data), Value::Object(more)) = (data.as_object_mut(), more) {
        data.extend(more);
    }
    NewEvent { name, order_id: Some(o.id), item_id: None, data }
}

pub fn order_created(o: &OrderRecord) -> NewEvent {
    order_event(
        ORDER_CREATED,
        o,
        json!({
            "order_type": o.order_type.wire_name(),
            "status": o.status.wire_name(),
            "provider_id": o.provider_id,
        }),
    )
}

/// The events of a status history entry: the change, and the completion when it is one.
pub fn status_changed(o: &OrderRecord, entry: &OrderStatusRecord) -> Vec<NewEvent> {
    let Some(from) = entry.from else { return Vec::new() };
    let mut out = vec![order_event(
        ORDER_STATUS_CHANGED,
        o,
        json!({ "from": from.wire_name(), "to": entry.to.wire_name(), "note": entry.note }),
    )];
    if entry.to == OrderStatus::Complete {
        out.push(order_event(
            ORDER_COMPLETED,
            o,
            json!({
                "order_type": o.order_type.wire_name(),
                "completed_at": o.completed_at.map(|d| d.to_string()),
            }),
        ));
    }
    out
}

/// The events of inventory history entries: assignments and unassignments.
pub fn item_history(entries: &[InventoryHistoryRecord]) -> Vec<NewEvent> {
    entries
        .iter()
        .filter_map(|e| {
            let name = match e.action.as_str() {
                "ASSIGNED" => INVENTORY_ASSIGNED,
                "UNASSIGNED" => INVENTORY_UNASSIGNED,
                _ => return None,
            };
            Some(NewEvent {
                name,
                order_id: None,
                item_id: Some(e.item_id),
                data: json!({ "item_id": e.item_id, "from": e.old_value, "to": e.new_value, "note": e.note }),
            })
        })
        .collect()
}

/// Records `events`, and a delivery of each to every subscriber that wants it.
pub async fn emit(ctx: &Ctx, tx: &mut dyn ClientTx, events: Vec<NewEvent>) -> ApiResult<()> {
    emit_reserved(ctx, tx, events, None).await
}

/// [`emit`] with the events' `seq`s already reserved from `first` on (with the transaction's
/// other ids, in one statement), when `reserved` holds that many.
pub async fn emit_reserved(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    events: Vec<NewEvent>,
    reserved: Option<(i32, usize)>,
) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    debug_assert!(reserved.is_none_or(|(_, n)| n == events.len()), "the events reserved for are not the events made");
    let first = match reserved {
        Some((first, n)) if n == events.len() => first,
        _ => tx.next_ids("event", events.len() as i32).await?,
    };
    let now_ms = super::now_ms();
    let subscribers = &ctx.config().webhooks;
    let mut records = Vec::with_capacity(events.len());
    let mut deliveries = Vec::new();
    for (i, e) in events.into_iter().enumerate() {
        let record = EventRecord {
            seq: i64::from(first) + i as i64,
            id: format!("evt_{:032x}", rand::random::<u128>()),
            name: e.name.to_string(),
            order_id: e.order_id,
            item_id: e.item_id,
            at_ms: now_ms,
            data: e.data,
        };
        for s in subscribers.iter().filter(|s| s.wants(e.name)) {
            deliveries.push(DeliveryRecord {
                event_seq: record.seq,
                subscriber: s.url.clone(),
                stream: record.stream(),
                attempts: 0,
                claims: 0,
                due_at_ms: now_ms,
                lease_until_ms: 0,
                delivered_at_ms: None,
                last_error: None,
            });
        }
        records.push(record);
    }
    tx.insert_events(&records, &deliveries).await?;
    Ok(())
}

/// Writes inventory history, with the events of its assignments and unassignments: every
/// assignment and unassignment is written through here, so none goes untold.
pub async fn record_item_history(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    entries: &[InventoryHistoryRecord],
) -> ApiResult<()> {
    let events = record_item_history_later(tx, entries).await?;
    emit(ctx, tx, events).await
}

/// [`record_item_history`] whose events the caller records, with others of its transaction
/// (one statement for all).
#[must_use = "the history's events must be recorded"]
pub async fn record_item_history_later(
    tx: &mut dyn ClientTx,
    entries: &[InventoryHistoryRecord],
) -> ApiResult<Vec<NewEvent>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    tx.insert_inventory_history(entries).await?;
    Ok(item_history(entries))
}

/// The JSON a subscriber receives.
pub fn payload(client: &str, e: &EventRecord) -> Value {
    json!({
        "id": e.id,
        "name": e.name,
        "client": client,
        "sequence": e.seq,
        "at": patchbay_schema::DateTime::from_unix(e.at_ms.div_euclid(1000)).map(|d| d.to_string()),
        "at_ms": e.at_ms,
        "data": e.data,
    })
}
