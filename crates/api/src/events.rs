//! Extension: Events_Query, the events Patchbay records (order.created, order.status_changed,
//! order.completed, inventory.assigned, inventory.unassigned) and how their delivery to the
//! client's webhook subscribers stands. The hosted API has no events.

use patchbay_schema::{DateTime, Schema};
use serde::{Deserialize, Serialize};

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct EventsQueryInput {
    /// Only this order's events.
    #[serde(rename = "OrderID", default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i32>,
    /// Only this inventory item's events.
    #[serde(rename = "InventoryItemID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_id: Option<i32>,
    /// Only events with one of these names.
    /// `<Names><string>order.completed</string></Names>`
    #[serde(rename = "Names", default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
    /// Only events with a delivery not yet made.
    #[serde(rename = "Undelivered", default, skip_serializing_if = "Option::is_none")]
    pub undelivered: Option<bool>,
    /// Only events older than this Sequence: the next page after one ending there.
    #[serde(rename = "BeforeSequence", default, skip_serializing_if = "Option::is_none")]
    pub before_sequence: Option<i64>,
    /// At most this many events (1 to 1000; 100 unless given).
    #[serde(rename = "Limit", default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// One event's delivery to one subscriber.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "EventDelivery")]
pub struct EventDelivery {
    #[serde(rename = "URL")]
    pub url: String,
    #[serde(rename = "Attempts")]
    pub attempts: i32,
    #[serde(rename = "Delivered")]
    pub delivered: bool,
    #[serde(rename = "DeliveredDate", default, skip_serializing_if = "Option::is_none")]
    pub delivered_date: Option<DateTime>,
    /// When the next attempt is due, for one not yet delivered.
    #[serde(rename = "NextAttemptDate", default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_date: Option<DateTime>,
    /// Why the last attempt failed.
    #[serde(rename = "LastError", default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Something that happened.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "Event")]
pub struct Event {
    /// Unique: what a receiver drops duplicates by.
    #[serde(rename = "EventID")]
    pub event_id: String,
    /// Orders the client's events.
    #[serde(rename = "Sequence")]
    pub sequence: i64,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CreatedDate")]
    pub created_date: DateTime,
    #[serde(rename = "OrderID", default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i32>,
    #[serde(rename = "InventoryItemID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_id: Option<i32>,
    /// The event's data, as the JSON text subscribers receive under `data`.
    #[serde(rename = "Data")]
    pub data: String,
    #[serde(rename = "Deliveries")]
    #[schema(item = "Delivery")]
    pub deliveries: Vec<EventDelivery>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct EventsQueryOutput {
    /// Newest first.
    #[serde(rename = "Events")]
    #[schema(item = "Event")]
    pub events: Vec<Event>,
}
