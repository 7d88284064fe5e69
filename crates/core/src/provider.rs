//! What the core asks of a provider: take an order, and say how it went.
//!
//! A provider (Settings > Providers) names an `adapter`: how its orders reach it. The adapters
//! themselves, with their HTTP and timers, are in the `patchbay-providers` crate
//! (`patchbay_providers::adapter_for`); the core knows only this trait, so it does no I/O of
//! its own. An order's status follows what its adapter reports: sent and accepted is SENT,
//! confirmed is CONFIRMED, completed is COMPLETE, rejected is ERROR, and a provider that cannot
//! be reached leaves the order to be sent again (FLOW_ERROR when sending was automatic).

use crate::error::{ApiError, ErrorCode};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// An order as it is handed to its provider (and, for a webhook, the JSON it is POSTed as).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundOrder {
    /// The code of the client the order belongs to.
    pub client: String,
    pub order_id: i32,
    /// Which attempt to send the order this is (from 1): a provider receives each attempt
    /// at most once, so (`client`, `order_id`, `attempt`) identifies a delivery.
    #[serde(default)]
    pub attempt: i32,
    /// The order's purchase order number, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pon: Option<String>,
    /// Its Enum_Order_Type: `NEW`, `DISCONNECT`, `ADD_LINE`…
    pub order_type: String,
    /// The code of the provider it is sent to (`SIMWIRELESS`).
    pub provider: String,
    pub customer_id: i32,
    /// The services the order is about.
    #[serde(default)]
    pub services: Vec<OutboundService>,
}

/// One service of an outbound order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundService {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<i32>,
    /// The service's telephone number (its MDN on a wireless line), when it has one yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    /// The catalog products ordered on it.
    #[serde(default)]
    pub product_ids: Vec<i32>,
    /// The inventory the provider needs to know of: SIM cards, handsets.
    #[serde(default)]
    pub inventory: Vec<OutboundItem>,
}

/// An inventory item of an outbound order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundItem {
    /// The inventory type's kind in its wire spelling: `SIM_Card`, `Mobile_Device`…
    pub kind: String,
    /// The ICCID, ESN/MEID or other identifier.
    pub identifier: String,
}

/// What a provider said of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// It took the order and will answer later (the order is SENT). `reference` is the
    /// provider's own id for it, when it gave one.
    Accepted { reference: Option<String> },
    /// It confirmed the order and is carrying it out (CONFIRMED).
    Confirmed { reference: Option<String> },
    /// It carried the order out (COMPLETE), with the numbers it assigned to a wireless line.
    Completed { mdn: Option<String>, msid: Option<String> },
    /// It refused the order (ERROR), for this reason.
    Rejected { reason: String },
}

/// Why an order could not be handed to its provider. The order itself is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdapterError {
    /// The provider could not be reached or did not answer in time: send the order again later.
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    /// The provider answered something the adapter cannot read.
    #[error("the provider's answer cannot be read: {0}")]
    BadAnswer(String),
    /// The provider's `adapter` or `adapter_settings` cannot be used.
    #[error("the provider's adapter settings cannot be used: {0}")]
    Misconfigured(String),
}

impl From<AdapterError> for ApiError {
    /// For an operation that sends at once (SendOrders): an unreachable provider is CA2020,
    /// unusable settings CN2001, an unreadable answer a fatal error.
    fn from(e: AdapterError) -> Self {
        match &e {
            AdapterError::Unreachable(_) => ApiError::new(ErrorCode::ProviderDown, e.to_string()),
            AdapterError::Misconfigured(_) => ApiError::new(ErrorCode::ConfigurationError, e.to_string()),
            AdapterError::BadAnswer(_) => ApiError::internal(e),
        }
    }
}

/// How orders reach one provider.
#[async_trait]
pub trait ProviderAdapter: Send + Sync {
    /// Hands the order to the provider and returns what it answered at once.
    async fn send(&self, order: &OutboundOrder) -> Result<SendOutcome, AdapterError>;

    /// Where an order sent `since_sent` ago stands, for a provider that answers by itself (the
    /// simulated one). `None` (the default) when this adapter learns outcomes otherwise: from
    /// an operator's Orders_Update, or the provider calling back.
    async fn poll(&self, _order: &OutboundOrder, _since_sent: Duration) -> Result<Option<SendOutcome>, AdapterError> {
        Ok(None)
    }

    /// For an adapter that answers by itself: how long after `since_sent` to poll next for an
    /// order it has accepted or confirmed. `None` (the default): this adapter is never polled.
    fn next_poll(&self, _since_sent: Duration) -> Option<Duration> {
        None
    }
}
