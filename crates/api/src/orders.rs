//! Orders (seed: orders): NewOrders_Create, Orders_Create, Orders_Query, Orders_Search and
//! Orders_Update. An order adds, changes, suspends, restores or disconnects a customer's
//! services; its effects apply when it completes.
//!
//! Where the seed's element names cannot be XML names (`Package Change`) or the seed lists a
//! field only for some order kinds, the choices are written down in docs/semantics.md.

use crate::common::Address;
use crate::customers::ServiceItem;
use crate::inventory::InventoryItemStatus;
use patchbay_schema::{DateTime, Schema};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Order_Status")]
pub enum OrderStatus {
    #[serde(rename = "NOT_SPECIFIED")]
    NotSpecified,
    /// Not yet sent.
    #[serde(rename = "NEW")]
    New,
    /// Sent, waiting on confirmation from the provider.
    #[serde(rename = "SENT")]
    Sent,
    /// The provider returned an error.
    #[serde(rename = "ERROR")]
    Error,
    /// Confirmed by the provider and in process.
    #[serde(rename = "CONFIRMED")]
    Confirmed,
    /// Complete: its effects are applied.
    #[serde(rename = "COMPLETE")]
    Complete,
    #[serde(rename = "CANCELED")]
    Canceled,
    #[serde(rename = "HOLD")]
    Hold,
    /// Sending it automatically failed.
    #[serde(rename = "FLOW_ERROR")]
    FlowError,
    #[serde(rename = "PAYMENT_HOLD")]
    PaymentHold,
    #[serde(rename = "LIFELINE_HOLD")]
    LifelineHold,
    #[serde(rename = "JEOPARDY")]
    Jeopardy,
    #[serde(rename = "PROVISIONED")]
    Provisioned,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 13] = [
        OrderStatus::NotSpecified,
        OrderStatus::New,
        OrderStatus::Sent,
        OrderStatus::Error,
        OrderStatus::Confirmed,
        OrderStatus::Complete,
        OrderStatus::Canceled,
        OrderStatus::Hold,
        OrderStatus::FlowError,
        OrderStatus::PaymentHold,
        OrderStatus::LifelineHold,
        OrderStatus::Jeopardy,
        OrderStatus::Provisioned,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            OrderStatus::NotSpecified => "NOT_SPECIFIED",
            OrderStatus::New => "NEW",
            OrderStatus::Sent => "SENT",
            OrderStatus::Error => "ERROR",
            OrderStatus::Confirmed => "CONFIRMED",
            OrderStatus::Complete => "COMPLETE",
            OrderStatus::Canceled => "CANCELED",
            OrderStatus::Hold => "HOLD",
            OrderStatus::FlowError => "FLOW_ERROR",
            OrderStatus::PaymentHold => "PAYMENT_HOLD",
            OrderStatus::LifelineHold => "LIFELINE_HOLD",
            OrderStatus::Jeopardy => "JEOPARDY",
            OrderStatus::Provisioned => "PROVISIONED",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.wire_name() == s)
    }

    /// COMPLETE and CANCELED orders never change again.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Complete | OrderStatus::Canceled)
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Order_Type")]
pub enum OrderType {
    /// New customer / new service.
    #[serde(rename = "NEW")]
    New,
    /// Disconnect of the whole account or of named services.
    #[serde(rename = "DISCONNECT")]
    Disconnect,
    /// Suspend (deny, hotline) services.
    #[serde(rename = "DENY")]
    Deny,
    #[serde(rename = "RESTORE")]
    Restore,
    /// Add, change or disconnect products and services; also a package change.
    #[serde(rename = "CHANGE_FEATURE")]
    ChangeFeature,
    /// A new service for a customer that already has one.
    #[serde(rename = "ADD_LINE")]
    AddLine,
    #[serde(rename = "TRANSFER")]
    Transfer,
    /// A new service with a number ported in.
    #[serde(rename = "CONVERSION")]
    Conversion,
}

impl OrderType {
    pub const ALL: [OrderType; 8] = [
        OrderType::New,
        OrderType::Disconnect,
        OrderType::Deny,
        OrderType::Restore,
        OrderType::ChangeFeature,
        OrderType::AddLine,
        OrderType::Transfer,
        OrderType::Conversion,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            OrderType::New => "NEW",
            OrderType::Disconnect => "DISCONNECT",
            OrderType::Deny => "DENY",
            OrderType::Restore => "RESTORE",
            OrderType::ChangeFeature => "CHANGE_FEATURE",
            OrderType::AddLine => "ADD_LINE",
            OrderType::Transfer => "TRANSFER",
            OrderType::Conversion => "CONVERSION",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.wire_name() == s)
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Suspend_Type")]
pub enum SuspendType {
    /// Normal suspend: no calls in or out.
    #[serde(rename = "ALL")]
    All,
    /// No incoming calls; for wireless, hotlines the device.
    #[serde(rename = "INCOMING")]
    Incoming,
    /// No outgoing calls; not applicable to wireless.
    #[serde(rename = "OUTGOING")]
    Outgoing,
}

impl SuspendType {
    pub fn wire_name(self) -> &'static str {
        match self {
            SuspendType::All => "ALL",
            SuspendType::Incoming => "INCOMING",
            SuspendType::Outgoing => "OUTGOING",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [SuspendType::All, SuspendType::Incoming, SuspendType::Outgoing].into_iter().find(|x| x.wire_name() == s)
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Billing_Option")]
pub enum BillingOption {
    /// Charge the difference this bill cycle.
    #[serde(rename = "DIFFERENCE")]
    Difference,
    /// Start charging next bill cycle (no proration).
    #[serde(rename = "NEXT_CYCLE")]
    NextCycle,
    /// Charge from the order's completion date.
    #[serde(rename = "PRORATE")]
    Prorate,
}

impl BillingOption {
    pub fn wire_name(self) -> &'static str {
        match self {
            BillingOption::Difference => "DIFFERENCE",
            BillingOption::NextCycle => "NEXT_CYCLE",
            BillingOption::Prorate => "PRORATE",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [BillingOption::Difference, BillingOption::NextCycle, BillingOption::Prorate]
            .into_iter()
            .find(|x| x.wire_name() == s)
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Shipping_Status")]
pub enum ShippingStatus {
    /// Nothing on the order needs shipping.
    #[serde(rename = "NOT_REQUIRED")]
    NotRequired,
    #[serde(rename = "NOT_SHIPPED")]
    NotShipped,
    #[serde(rename = "SHIPPED")]
    Shipped,
}

impl ShippingStatus {
    pub fn wire_name(self) -> &'static str {
        match self {
            ShippingStatus::NotRequired => "NOT_REQUIRED",
            ShippingStatus::NotShipped => "NOT_SHIPPED",
            ShippingStatus::Shipped => "SHIPPED",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        [ShippingStatus::NotRequired, ShippingStatus::NotShipped, ShippingStatus::Shipped]
            .into_iter()
            .find(|x| x.wire_name() == s)
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes shared by several operations.

/// A product on an order: `<Products><Product>…</Product></Products>`.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderProduct")]
pub struct OrderProduct {
    /// A catalog product id.
    #[serde(rename = "ProductID", default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i32>,
    /// Overrides the catalog rate; a negative rate is a credit.
    #[serde(rename = "Rate", default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    /// 1 or more; 1 when not given.
    #[serde(rename = "Quantity", default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i32>,
    /// Overrides the catalog description.
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A change of rate or quantity of a product already on a service.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderProductChange")]
pub struct OrderProductChange {
    #[serde(rename = "CustomerProductID", default, skip_serializing_if = "Option::is_none")]
    pub customer_product_id: Option<i32>,
    #[serde(rename = "Rate", default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(rename = "Quantity", default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i32>,
}

/// A product to remove from a service.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderProductRemove")]
pub struct OrderProductRemove {
    #[serde(rename = "CustomerProductID", default, skip_serializing_if = "Option::is_none")]
    pub customer_product_id: Option<i32>,
}

/// The product changes of one service: any number of Add, Change and Remove elements.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderProductChanges")]
pub struct OrderProductChanges {
    #[serde(rename = "Add", default, skip_serializing_if = "Vec::is_empty")]
    #[schema(repeated)]
    pub add: Vec<OrderProduct>,
    #[serde(rename = "Change", default, skip_serializing_if = "Vec::is_empty")]
    #[schema(repeated)]
    pub change: Vec<OrderProductChange>,
    #[serde(rename = "Remove", default, skip_serializing_if = "Vec::is_empty")]
    #[schema(repeated)]
    pub remove: Vec<OrderProductRemove>,
}

/// A service named by its id or its TN.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderLineRef")]
pub struct OrderLineRef {
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
}

/// A service whose products change (Orders_Create Change, Orders_Update Lines, Orders_Query).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderLineUpdateItem")]
pub struct OrderLineChange {
    /// The service id; optional when TN is given.
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// The service's TN; optional when LineID is given.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "Products", default, skip_serializing_if = "Option::is_none")]
    pub products: Option<OrderProductChanges>,
}

/// The services of a Change order: any number of Change and Disconnect elements.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "OrderChangeLines")]
pub struct OrderChangeLines {
    #[serde(rename = "Change", default, skip_serializing_if = "Vec::is_empty")]
    #[schema(repeated)]
    pub change: Vec<OrderLineChange>,
    #[serde(rename = "Disconnect", default, skip_serializing_if = "Vec::is_empty")]
    #[schema(repeated)]
    pub disconnect: Vec<OrderLineRef>,
}

// ---------------------------------------------------------------------------------------------
// NewOrders_Create.

/// A number being ported in from another provider.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "WirelessPort")]
pub struct WirelessPort {
    /// The 10-digit number being ported.
    #[serde(rename = "MDN", default, skip_serializing_if = "Option::is_none")]
    pub mdn: Option<String>,
    /// The customer's account number with the previous provider.
    #[serde(rename = "AccountNumber", default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    /// The full name of the person authorized to request the port.
    #[serde(rename = "AuthorizedSigner", default, skip_serializing_if = "Option::is_none")]
    pub authorized_signer: Option<String>,
    /// The customer's password with the previous provider.
    #[serde(rename = "PINPassword", default, skip_serializing_if = "Option::is_none")]
    pub pin_password: Option<String>,
    #[serde(rename = "Remark", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// The address the number is registered at with the previous provider.
    #[serde(rename = "Address", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// The code of the (wireless) provider the number moves to.
    #[serde(rename = "ExternalProvider", default, skip_serializing_if = "Option::is_none")]
    pub external_provider: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct NewOrdersCreateInput {
    /// Required: an existing customer.
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    /// Required: the package the new service starts with.
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    /// A handset by its identifier (ESN/MEID); AVAILABLE ones become the customer's.
    #[serde(rename = "ESN", default, skip_serializing_if = "Option::is_none")]
    pub esn: Option<String>,
    /// A SIM card by its ICCID; AVAILABLE ones become the customer's.
    #[serde(rename = "WirelessICCID", default, skip_serializing_if = "Option::is_none")]
    pub wireless_iccid: Option<String>,
    #[serde(rename = "WirelessPort", default, skip_serializing_if = "Option::is_none")]
    pub wireless_port: Option<WirelessPort>,
    /// Required when a product on the order must be shipped.
    #[serde(rename = "ShippingAddress", default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    #[serde(rename = "AdditionalProducts", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Product")]
    pub additional_products: Option<Vec<OrderProduct>>,
    /// The service type; the package's when not given.
    #[serde(rename = "LineTypeID", default, skip_serializing_if = "Option::is_none")]
    pub line_type_id: Option<i32>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
    /// The new service's description.
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creates the service with this TN and marks the order a reconnect.
    #[serde(rename = "ReconnectTN", default, skip_serializing_if = "Option::is_none")]
    pub reconnect_tn: Option<String>,
    /// Send the orders to their providers at once. False when not given.
    #[serde(rename = "SendOrders", default, skip_serializing_if = "Option::is_none")]
    pub send_orders: Option<bool>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct NewOrdersCreateOutput {
    /// The orders created, one per provider.
    #[serde(rename = "Orders")]
    pub orders: Vec<i32>,
    /// The services created.
    #[serde(rename = "Lines")]
    pub lines: Vec<i32>,
}

// ---------------------------------------------------------------------------------------------
// Orders_Create.

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "SuspendOrder")]
pub struct SuspendOrder {
    /// Optional when TN is given; must agree with it when both are.
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    /// Send automatically; true when not given.
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    /// Prohibited, or NEW.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Prohibited.
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// The service's TN; exactly one of TN and LineID.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// ALL when not given; OUTGOING does not apply to wireless services.
    #[serde(rename = "SuspendType", default, skip_serializing_if = "Option::is_none")]
    pub suspend_type: Option<SuspendType>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "DisconnectOrder")]
pub struct DisconnectOrder {
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// One service by TN; without TN or LineID the whole account is disconnected.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// What the services' inventory becomes on completion: AVAILABLE, UNAVAILABLE or
    /// ASSIGNED (stays with the customer, the default).
    #[serde(rename = "InventoryItemStatus", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_status: Option<InventoryItemStatus>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "RestoreOrder")]
pub struct RestoreOrder {
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
}

/// One new service of an AddLine order.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "AddLineItem")]
pub struct AddLineItem {
    /// Ignored.
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// The new service's TN; blank or ten zeros for a new number.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    /// 0 only when a product on the line is provisionable.
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    /// The provider; must be the package's when both are given, required without a package.
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    /// The provider account; the provider's default account when not given.
    #[serde(rename = "CarrierAccountID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_account_id: Option<i32>,
    /// A service of the customer that is its own BTN, to tie the new service to.
    #[serde(rename = "AltBTNID", default, skip_serializing_if = "Option::is_none")]
    pub alt_btn_id: Option<i32>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "PBXMake", default, skip_serializing_if = "Option::is_none")]
    pub pbx_make: Option<String>,
    #[serde(rename = "PBXModel", default, skip_serializing_if = "Option::is_none")]
    pub pbx_model: Option<String>,
    #[serde(rename = "Products", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Product")]
    pub products: Option<Vec<OrderProduct>>,
    #[serde(rename = "LineTypeID", default, skip_serializing_if = "Option::is_none")]
    pub line_type_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "AddLineOrder")]
pub struct AddLineOrder {
    /// Required (an extension: the seed names no customer for AddLine).
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "BillingOption", default, skip_serializing_if = "Option::is_none")]
    pub billing_option: Option<BillingOption>,
    #[serde(rename = "Lines", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Line")]
    pub lines: Option<Vec<AddLineItem>>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
    /// Extension: where products that must be shipped go; the customer's service address when
    /// not given.
    #[serde(rename = "ShippingAddress", default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ChangeOrder")]
pub struct ChangeOrder {
    /// Optional: the services' customer; must agree with them when given.
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "BillingOption", default, skip_serializing_if = "Option::is_none")]
    pub billing_option: Option<BillingOption>,
    /// Do not add or disconnect related products automatically.
    #[serde(rename = "IgnoreRelatedProducts", default, skip_serializing_if = "Option::is_none")]
    pub ignore_related_products: Option<bool>,
    #[serde(rename = "Lines", default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<OrderChangeLines>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
}

/// The seed's "Package Change" (an element name cannot hold a space).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "PackageChangeOrder")]
pub struct PackageChangeOrder {
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "FlowThrough", default, skip_serializing_if = "Option::is_none")]
    pub flow_through: Option<bool>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    /// The service's new package.
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    /// Prorate the changes: removed products are billed through the completion date.
    #[serde(rename = "Prorate", default, skip_serializing_if = "Option::is_none")]
    pub prorate: Option<bool>,
    /// Change the package only, leaving the service's products as they are.
    #[serde(rename = "IgnoreRelatedProducts", default, skip_serializing_if = "Option::is_none")]
    pub ignore_related_products: Option<bool>,
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
}

/// Exactly one of the order kinds.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersCreateInput {
    #[serde(rename = "Suspend", default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<SuspendOrder>,
    #[serde(rename = "Disconnect", default, skip_serializing_if = "Option::is_none")]
    pub disconnect: Option<DisconnectOrder>,
    #[serde(rename = "Restore", default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<RestoreOrder>,
    #[serde(rename = "AddLine", default, skip_serializing_if = "Option::is_none")]
    pub add_line: Option<AddLineOrder>,
    #[serde(rename = "Change", default, skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeOrder>,
    #[serde(rename = "PackageChange", default, skip_serializing_if = "Option::is_none")]
    pub package_change: Option<PackageChangeOrder>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersCreateOutput {
    #[serde(rename = "OrderIDs")]
    #[schema(item = "OrderID")]
    pub order_ids: Vec<i32>,
}

// ---------------------------------------------------------------------------------------------
// Orders_Query and Orders_Search.

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersQueryInput {
    #[serde(rename = "OrderID", default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i32>,
}

/// A process route an order may take.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "Route")]
pub struct Route {
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One order as Orders_Search lists it (and Orders_Query's `Order`).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "Order")]
pub struct OrderSummary {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
    #[serde(rename = "Status")]
    pub status: OrderStatus,
    #[serde(rename = "OrderID")]
    pub order_id: i32,
    #[serde(rename = "PON")]
    pub pon: String,
    #[serde(rename = "Order_Type")]
    pub order_type: OrderType,
    #[serde(rename = "Created_Date")]
    pub created_date: DateTime,
    #[serde(rename = "Tracking_Number", default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// The provider's name.
    #[serde(rename = "Carrier", default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(rename = "Carrier_ID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    /// The provider account's name.
    #[serde(rename = "Carrier_Account", default, skip_serializing_if = "Option::is_none")]
    pub carrier_account: Option<String>,
    #[serde(rename = "Carrier_Account_ID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_account_id: Option<i32>,
    /// Extension: the note of the last status change.
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// Extension: when the order completed.
    #[serde(rename = "CompletionDate", default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime>,
    /// Extension.
    #[serde(rename = "FlowThroughFlag", default, skip_serializing_if = "Option::is_none")]
    pub flow_through_flag: Option<bool>,
    /// Extension.
    #[serde(rename = "ShippingStatus", default, skip_serializing_if = "Option::is_none")]
    pub shipping_status: Option<ShippingStatus>,
    /// Extension.
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
    /// Extension: the route chosen.
    #[serde(rename = "ProcessRouteID", default, skip_serializing_if = "Option::is_none")]
    pub process_route_id: Option<i32>,
    /// The order's services; only with ShowServiceDetails.
    #[serde(rename = "Services", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Service")]
    pub services: Option<Vec<ServiceItem>>,
    /// The routes of the order's process that may be chosen.
    #[serde(rename = "Routes")]
    #[schema(item = "Route")]
    pub routes: Vec<Route>,
}

/// Orders_Query's Suspend.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "SuspendOrderInfo")]
pub struct SuspendInfo {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
    #[serde(rename = "Status")]
    pub status: OrderStatus,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    /// When the order involves one service.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "SuspendType", default, skip_serializing_if = "Option::is_none")]
    pub suspend_type: Option<SuspendType>,
}

/// Orders_Query's Disconnect and Restore.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "OrderStatusInfo")]
pub struct StatusInfo {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
    #[serde(rename = "Status")]
    pub status: OrderStatus,
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// Extension, on Disconnect: what the inventory becomes on completion.
    #[serde(rename = "InventoryItemStatus", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_status: Option<InventoryItemStatus>,
}

/// A service added by an order, as Orders_Query shows it.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "AddedLine")]
pub struct AddedLine {
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    #[serde(rename = "CarrierAccountID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_account_id: Option<i32>,
    #[serde(rename = "Products")]
    #[schema(item = "Product")]
    pub products: Vec<OrderProduct>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "AddLineOrderInfo")]
pub struct AddLineInfo {
    #[serde(rename = "Lines")]
    #[schema(item = "Line")]
    pub lines: Vec<AddedLine>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ChangeOrderInfo")]
pub struct ChangeInfo {
    #[serde(rename = "Lines")]
    pub lines: OrderChangeLines,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OrdersQueryOutput {
    /// Extension: the order as Orders_Search lists it, with its services.
    #[serde(rename = "Order")]
    pub order: OrderSummary,
    #[serde(rename = "Suspend", default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<SuspendInfo>,
    #[serde(rename = "Disconnect", default, skip_serializing_if = "Option::is_none")]
    pub disconnect: Option<StatusInfo>,
    #[serde(rename = "Restore", default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<StatusInfo>,
    #[serde(rename = "AddLine", default, skip_serializing_if = "Option::is_none")]
    pub add_line: Option<AddLineInfo>,
    #[serde(rename = "Change", default, skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeInfo>,
}

/// Every filter given must match (AND); the values of one filter are alternatives (OR).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersSearchInput {
    #[serde(rename = "BillProfileID", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub bill_profile_id: Option<Vec<i32>>,
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub customer_id: Option<Vec<i32>>,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub carrier_id: Option<Vec<i32>>,
    #[serde(rename = "OrderID", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub order_id: Option<Vec<i32>>,
    #[serde(rename = "OrderType", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub order_type: Option<Vec<OrderType>>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub status: Option<Vec<OrderStatus>>,
    #[serde(rename = "PON", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub pon: Option<Vec<String>>,
    /// TNs of the services the order involves.
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub tn: Option<Vec<String>>,
    /// Identifiers of inventory assigned with the order.
    #[serde(rename = "Identifier", default, skip_serializing_if = "Option::is_none")]
    #[schema(repeated)]
    pub identifier: Option<Vec<String>>,
    /// Include each order's services.
    #[serde(rename = "ShowServiceDetails", default, skip_serializing_if = "Option::is_none")]
    pub show_service_details: Option<bool>,
    /// True: only orders waiting for a route to be chosen.
    #[serde(rename = "RequiresRouteDecision", default, skip_serializing_if = "Option::is_none")]
    pub requires_route_decision: Option<bool>,
    /// Extension: orders per page (1 to 500). Without it, every match is returned.
    #[serde(rename = "PageSize", default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i32>,
    /// Extension: the page, from 1 (with PageSize; 1 when not given).
    #[serde(rename = "Page", default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersSearchOutput {
    #[serde(rename = "Orders")]
    #[schema(item = "Order")]
    pub orders: Vec<OrderSummary>,
    /// Extension, with PageSize: whether a later page has more.
    #[serde(rename = "HasMore", default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// Extension, with PageSize: how many orders match in all, or, when RecordCountExact is
    /// false, how many at least (counting stops 10,000 orders past the page).
    #[serde(rename = "RecordCount", default, skip_serializing_if = "Option::is_none")]
    pub record_count: Option<i64>,
    /// Extension, with PageSize: false when RecordCount is a lower bound.
    #[serde(rename = "RecordCountExact", default, skip_serializing_if = "Option::is_none")]
    pub record_count_exact: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Orders_Update.

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrdersUpdateInput {
    /// Required.
    #[serde(rename = "OrderID", default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i32>,
    /// A new status, following the order state machine (docs/semantics.md).
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Only with a status change.
    #[serde(rename = "StatusNote", default, skip_serializing_if = "Option::is_none")]
    pub status_note: Option<String>,
    #[serde(rename = "FlowThroughFlag", default, skip_serializing_if = "Option::is_none")]
    pub flow_through_flag: Option<bool>,
    /// Only with Status COMPLETE; today when not given.
    #[serde(rename = "CompletionDate", default, skip_serializing_if = "Option::is_none")]
    pub completion_date: Option<DateTime>,
    #[serde(rename = "TrackingNumber", default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(rename = "ShippingStatus", default, skip_serializing_if = "Option::is_none")]
    pub shipping_status: Option<ShippingStatus>,
    /// Sets the order's process; 0 clears it.
    #[serde(rename = "ProcessID", default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<i32>,
    /// Chooses one of the process's routes.
    #[serde(rename = "ProcessRouteID", default, skip_serializing_if = "Option::is_none")]
    pub process_route_id: Option<i32>,
    /// Product changes to services, while the order is not COMPLETE or CANCELED.
    #[serde(rename = "Lines", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "OrderLineUpdateItem")]
    pub lines: Option<Vec<OrderLineChange>>,
}

// ---------------------------------------------------------------------------------------------
// Extension: OrderStats_Query, the figures of the console's dashboard.

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrderStatsQueryInput {
    /// Days back from today (UTC), today included: 1 to 90, 14 unless given.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
}

/// How many orders of one status were created on a day.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "StatusCount")]
pub struct StatusCount {
    #[serde(rename = "Status")]
    pub status: OrderStatus,
    #[serde(rename = "Count")]
    pub count: i64,
}

/// The orders created on one day (UTC), by their status now.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "OrderDay")]
pub struct OrderDay {
    /// The day, as midnight UTC.
    #[serde(rename = "Date")]
    pub date: DateTime,
    #[serde(rename = "Statuses")]
    #[schema(item = "StatusCount")]
    pub statuses: Vec<StatusCount>,
}

/// How many flow-through latencies fell at or below `LeMs` and above the previous bucket's.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "LatencyBucket")]
pub struct LatencyBucket {
    /// The bucket's upper bound in milliseconds; absent for the last, unbounded bucket.
    #[serde(rename = "LeMs", default, skip_serializing_if = "Option::is_none")]
    pub le_ms: Option<i64>,
    #[serde(rename = "Count")]
    pub count: i64,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OrderStatsQueryOutput {
    /// Oldest first; every day of the period, also those without orders.
    #[serde(rename = "Days")]
    #[schema(item = "Day")]
    pub days: Vec<OrderDay>,
    /// Flow-through latency of the most recent orders sent (at most 1,000): from the order's
    /// creation to its first status change from NEW, in milliseconds.
    #[serde(rename = "FlowThroughSamples")]
    pub flow_through_samples: i32,
    #[serde(rename = "FlowThroughP50Ms", default, skip_serializing_if = "Option::is_none")]
    pub flow_through_p50_ms: Option<i64>,
    #[serde(rename = "FlowThroughP95Ms", default, skip_serializing_if = "Option::is_none")]
    pub flow_through_p95_ms: Option<i64>,
    /// The same latencies as a histogram: how many fell in each bucket (not cumulative), the
    /// last bucket (no `LeMs`) holding the slower ones. `/metrics` shows the same buckets.
    #[serde(rename = "FlowThroughBuckets")]
    #[schema(item = "Bucket")]
    pub flow_through_buckets: Vec<LatencyBucket>,
    /// Orders waiting in the flow-through queue now.
    #[serde(rename = "OrdersQueued")]
    pub orders_queued: i64,
    /// Event deliveries not yet made.
    #[serde(rename = "EventDeliveriesPending")]
    pub event_deliveries_pending: i64,
}
