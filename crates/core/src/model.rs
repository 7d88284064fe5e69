//! The domain's records: what the store keeps for one client.
//!
//! A client's configuration (settings and catalog) is small, read on nearly every request and
//! changed rarely, so it travels as one [`ClientConfig`] snapshot that the engine caches and
//! revalidates by version. Customers, services and everything that grows with the business
//! are read and written row by row.

use patchbay_api::customers::{CustomerProductStatus, CustomerStatus, CustomerType};
use patchbay_api::inventory::{InventoryItemStatus, InventoryKind, InventoryTypeFormat};
use patchbay_api::orders::{BillingOption, OrderStatus, OrderType, ShippingStatus, SuspendType};
use patchbay_api::products::{AvailabilityLocation, CustomerClass};
use patchbay_schema::DateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A client: a separate system with its own ids, data and sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub code: String,
    pub name: String,
    pub session_idle_minutes: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub bill_profiles: Vec<Named>,
    pub product_categories: Vec<Named>,
    pub line_types: Vec<Named>,
    pub product_types: Vec<ProductType>,
    pub providers: Vec<Provider>,
    pub processes: Vec<Process>,
    pub unavailable_reasons: Vec<Named>,
    pub custom_fields: Vec<CustomFieldDef>,
    pub products: Vec<Product>,
    pub packages: Vec<Package>,
    /// Who is told of the client's events (`[[clients.webhooks]]`).
    #[serde(default)]
    pub webhooks: Vec<WebhookSubscriber>,
}

impl ClientConfig {
    pub fn provider(&self, id: i32) -> Option<&Provider> {
        self.providers.iter().find(|x| x.id == id)
    }

    /// The provider of that code, whatever its case (`SIMWIRELESS`, `simwireless`).
    pub fn provider_by_code(&self, code: &str) -> Option<&Provider> {
        self.providers.iter().find(|x| x.code.eq_ignore_ascii_case(code))
    }

    pub fn product_type(&self, id: i32) -> Option<&ProductType> {
        self.product_types.iter().find(|t| t.id == id)
    }

    pub fn product(&self, id: i32) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }
}

/// A subscriber to a client's events: each event named in `events` is POSTed to `url` as
/// JSON, signed with `secret` (the header `X-Patchbay-Signature`, as provider webhooks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSubscriber {
    pub url: String,
    pub secret: String,
    /// Event names (`order.created`, …); `*` is every event.
    pub events: Vec<String>,
}

impl WebhookSubscriber {
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event)
    }
}

/// A role names the operations its users may call, as globs over operation names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub allow: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i32,
    pub username: String,
    /// An argon2id PHC string; the plain password is never stored.
    pub password_hash: String,
    pub role: String,
    pub agent_id: Option<i32>,
    pub agent_number: Option<String>,
}

/// The many settings lists that are just an id and a name (bill profiles, G/L codes, service
/// types, unavailable reasons).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: i32,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductType {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub recurring: bool,
    pub requires_shipping: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub wireless: bool,
    pub provisionable: bool,
    /// How orders reach the provider: `simulated`, `manual` or `webhook`.
    pub adapter: String,
    /// The adapter's own settings (the `simulated = {…}` table, a webhook's url), kept as given.
    pub adapter_settings: serde_json::Value,
    /// The provider's accounts (Carrier_Account); the one marked default is used when an
    /// order names none.
    pub accounts: Vec<ProviderAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAccount {
    pub id: i32,
    pub name: String,
    pub default: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub id: i32,
    pub name: String,
    pub routes: Vec<ProcessRoute>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRoute {
    pub id: i32,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    pub id: i32,
    pub label: String,
}

/// A custom field value on a product or customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    pub field_id: i32,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub quantity: Option<i32>,
    pub expiration_days: Option<i32>,
    pub nights_weekends: bool,
    pub unlimited: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wireless {
    pub voice: bool,
    pub sms: bool,
    pub data: bool,
    pub allowances: Vec<Allowance>,
}

/// A catalog product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: i32,
    pub provider_id: i32,
    pub product_type_id: i32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub wholesale_description: Option<String>,
    pub code1: Option<String>,
    pub code2: Option<String>,
    pub rate: Decimal,
    pub cost: Decimal,
    pub free_months: Option<i32>,
    pub automatic_expiration: Option<i32>,
    pub billing_months: Option<i32>,
    /// Sold only in this state; `None` for everywhere.
    pub state: Option<String>,
    pub bill_in_arrears: bool,
    pub prorate: bool,
    pub product_category_id: Option<i32>,
    pub order_completion_billing: bool,
    pub creates_order: bool,
    pub active: bool,
    pub customer_class: CustomerClass,
    pub bill_profiles: Vec<i32>,
    pub line_types: Vec<i32>,
    pub attributes: Vec<(String, String)>,
    pub availability: Vec<AvailabilityLocation>,
    pub wireless: Option<Wireless>,
    pub fields: Vec<FieldValue>,
    /// Where the product was defined: `"<settings file>:<line>"` of its `[[clients.products]]`
    /// table, as the file was named to apply; `None` for a product made by Products_Create.
    /// Products_Update keeps it; applying a file rewrites it when it moved.
    #[serde(default)]
    pub origin: Option<String>,
}

/// A package: a provider and the products a new service starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub id: i32,
    pub name: String,
    pub provider_id: i32,
    pub line_type_id: Option<i32>,
    pub products: Vec<i32>,
    /// Where the package was defined: `"<settings file>:<line>"` of its `[[clients.packages]]`
    /// table (packages come only from settings files, but a stored one may predate origins).
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressRecord {
    pub first_name: String,
    pub last_name: String,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub zip4: Option<String>,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: i32,
    pub class: CustomerType,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub status: CustomerStatus,
    pub bill_profile_id: Option<i32>,
    pub service_address: Option<AddressRecord>,
    pub fields: Vec<FieldValue>,
    pub created_at: DateTime,
}

/// A service (line) of a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    pub id: i32,
    pub customer_id: i32,
    pub tn: Option<String>,
    pub line_type_id: Option<i32>,
    pub provider_id: Option<i32>,
    pub package_id: Option<i32>,
    pub description: Option<String>,
    pub created_at: DateTime,
    pub provider_account_id: Option<i32>,
    /// The service whose BTN this one bills under; `None` when it is its own BTN.
    pub alt_btn_id: Option<i32>,
    pub pbx_make: Option<String>,
    pub pbx_model: Option<String>,
}

/// A customer as a search lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: i32,
    pub class: CustomerType,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub status: CustomerStatus,
}

/// A product on a customer's service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProductRecord {
    pub id: i32,
    pub customer_id: i32,
    pub service_id: Option<i32>,
    pub product_id: i32,
    pub description: Option<String>,
    pub rate: Decimal,
    pub quantity: i32,
    pub status: CustomerProductStatus,
    pub activated_at: Option<DateTime>,
    pub billed_through: Option<DateTime>,
}

/// One line of the audit trail: who changed what, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub at: DateTime,
    pub user_id: i32,
    /// The user who granted an impersonation key, when the change was made through one:
    /// `user_id` acted as `on_behalf_of_user_id`.
    pub on_behalf_of_user_id: Option<i32>,
    pub operation: String,
    /// The kind of entity changed, e.g. `product`.
    pub entity: String,
    /// The ids of the entities changed.
    pub entity_ids: Vec<i64>,
}

/// A live session. The key itself is never stored, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub key_hash: String,
    pub client: String,
    /// The user the session acts as.
    pub user_id: i32,
    /// The user who actually logged in, when acting through an impersonation key.
    pub impersonator_user_id: Option<i32>,
    pub created_at: DateTime,
    pub last_used_at: DateTime,
    /// When the session ends whatever its use: the ExpirationDate of the impersonation key it
    /// was opened with. `None` for an ordinary session.
    pub expires_at: Option<DateTime>,
}

/// A grant from one user to another to act as the granting user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationGrant {
    pub key_hash: String,
    pub client: String,
    /// The user who granted it, and whom the holder acts as.
    pub grantor_user_id: i32,
    /// The only user who may use it.
    pub grantee_user_id: i32,
    pub expires_at: DateTime,
}

/// The kind of value an inventory item custom field holds (InventoryTypes ItemFields/FieldType).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemFieldType {
    TextBox,
    TextArea,
    DropDownList,
    RadioButtonList,
    CheckBox,
    Date,
}

impl ItemFieldType {
    pub const ALL: [ItemFieldType; 6] = [
        ItemFieldType::TextBox,
        ItemFieldType::TextArea,
        ItemFieldType::DropDownList,
        ItemFieldType::RadioButtonList,
        ItemFieldType::CheckBox,
        ItemFieldType::Date,
    ];

    /// The name on the wire: `Text Box`, `Drop Down List`, …
    pub fn label(self) -> &'static str {
        match self {
            ItemFieldType::TextBox => "Text Box",
            ItemFieldType::TextArea => "Text Area",
            ItemFieldType::DropDownList => "Drop Down List",
            ItemFieldType::RadioButtonList => "Radio Button List",
            ItemFieldType::CheckBox => "Check Box",
            ItemFieldType::Date => "Date",
        }
    }

    /// Accepts the wire name, ignoring case and spaces (`DropDownList`, `drop down list`).
    pub fn parse(s: &str) -> Option<Self> {
        let key: String =
            s.chars().filter(|c| !c.is_whitespace() && *c != '_').collect::<String>().to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.label().replace(' ', "").to_ascii_lowercase() == key)
    }

    pub fn has_options(self) -> bool {
        matches!(self, ItemFieldType::DropDownList | ItemFieldType::RadioButtonList)
    }
}

/// The definition of one custom field of an inventory type's items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFieldDef {
    pub id: i32,
    pub label: String,
    pub description: Option<String>,
    pub field_type: ItemFieldType,
    pub default_value: Option<String>,
    pub required: bool,
    pub options: Vec<String>,
}

/// An inventory type: what kind of items, their identifier format and custom fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryTypeRecord {
    pub id: i32,
    pub kind: InventoryKind,
    /// The label of the items' identifier ("ICCID", "ESN/MEID").
    pub identifier_label: String,
    pub name: String,
    pub requires_product: bool,
    pub programming_instructions: Option<String>,
    pub description: Option<String>,
    pub active: bool,
    pub format: InventoryTypeFormat,
    /// Custom field values of the type itself (client custom fields).
    pub fields: Vec<FieldValue>,
    pub item_fields: Vec<ItemFieldDef>,
    /// The catalog products the type's items go with.
    pub product_ids: Vec<i32>,
}

/// One inventory item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryItemRecord {
    pub id: i32,
    pub type_id: i32,
    pub identifier: String,
    pub status: InventoryItemStatus,
    pub customer_id: Option<i32>,
    pub service_id: Option<i32>,
    pub customer_product_id: Option<i32>,
    pub assigned_at: Option<DateTime>,
    pub unavailable_reason_id: Option<i32>,
    pub note: Option<String>,
    pub msid: Option<String>,
    pub msl: Option<String>,
    pub mdn: Option<String>,
    /// Values of the type's item fields.
    pub fields: Vec<FieldValue>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

/// One change to an inventory item; the history is append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryHistoryRecord {
    pub item_id: i32,
    pub at: DateTime,
    /// The user who made the change.
    pub user_id: i32,
    /// The user `user_id` acted as, when through an impersonation key (as in the audit trail).
    pub on_behalf_of_user_id: Option<i32>,
    pub operation: String,
    /// CREATED, UPDATED, ASSIGNED, UNASSIGNED or STATUS.
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
}

/// What an order does to one of its services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineAction {
    /// The order creates the service (NEW, ADD_LINE, CONVERSION).
    New,
    Suspend,
    Restore,
    Disconnect,
    /// Products of the service change (CHANGE_FEATURE).
    Change,
    /// The service moves to another package.
    PackageChange,
}

impl LineAction {
    pub const ALL: [LineAction; 6] = [
        LineAction::New,
        LineAction::Suspend,
        LineAction::Restore,
        LineAction::Disconnect,
        LineAction::Change,
        LineAction::PackageChange,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LineAction::New => "NEW",
            LineAction::Suspend => "SUSPEND",
            LineAction::Restore => "RESTORE",
            LineAction::Disconnect => "DISCONNECT",
            LineAction::Change => "CHANGE",
            LineAction::PackageChange => "PACKAGE_CHANGE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One service an order involves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRecord {
    pub service_id: i32,
    /// The service's TN when the order was made (Orders_Search's TN filter).
    pub tn: Option<String>,
    pub action: LineAction,
    /// The service's package after the order (NEW, PackageChange).
    pub package_id: Option<i32>,
    /// The service's package before a package change.
    pub old_package_id: Option<i32>,
}

/// What an order does to one product of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemAction {
    /// A product the order adds: a PENDING customer product that activates on completion.
    Add,
    /// New rate and/or quantity, applied on completion.
    Change,
    /// Disconnected on completion.
    Remove,
}

impl ItemAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemAction::Add => "ADD",
            ItemAction::Change => "CHANGE",
            ItemAction::Remove => "REMOVE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ItemAction::Add, ItemAction::Change, ItemAction::Remove].into_iter().find(|a| a.as_str() == s)
    }
}

/// One product change an order carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItemRecord {
    pub service_id: i32,
    pub action: ItemAction,
    /// The customer product changed (for Add, the PENDING one the order created).
    pub customer_product_id: i32,
    pub product_id: i32,
    /// For Change: the new rate, when it changes; for Add: the rate ordered.
    pub rate: Option<Decimal>,
    /// For Change: the new quantity, when it changes; for Add: the quantity ordered.
    pub quantity: Option<i32>,
}

/// An inventory item an order reserved for one of its services, with what it was before,
/// so that a canceled order can give it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInventoryRecord {
    pub item_id: i32,
    pub identifier: String,
    pub service_id: i32,
    pub previous_status: InventoryItemStatus,
    pub previous_customer_id: Option<i32>,
    pub previous_service_id: Option<i32>,
    pub previous_assigned_at: Option<DateTime>,
}

/// A number ported in with a new service (NewOrders_Create WirelessPort).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRecord {
    pub mdn: String,
    pub account_number: String,
    pub authorized_signer: String,
    pub pin_password: Option<String>,
    pub remark: Option<String>,
    pub address: AddressRecord,
    /// The provider the number moves to.
    pub external_provider_id: Option<i32>,
}

/// An order: what it does to which services, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: i32,
    /// The purchase order number: unique within the client.
    pub pon: String,
    pub customer_id: i32,
    pub order_type: OrderType,
    pub status: OrderStatus,
    pub status_note: Option<String>,
    pub provider_id: Option<i32>,
    pub provider_account_id: Option<i32>,
    pub process_id: Option<i32>,
    pub process_route_id: Option<i32>,
    /// Send automatically (FlowThrough / FlowThroughFlag).
    pub flow_through: bool,
    /// Send at once (NewOrders_Create SendOrders).
    pub send_now: bool,
    /// Created with ReconnectTN.
    pub reconnect: bool,
    pub billing_option: Option<BillingOption>,
    pub suspend_type: Option<SuspendType>,
    /// Disconnect: what the services' inventory becomes on completion.
    pub inventory_status: Option<InventoryItemStatus>,
    /// Disconnect of the whole account.
    pub whole_account: bool,
    pub prorate: bool,
    pub ignore_related_products: bool,
    pub tracking_number: Option<String>,
    pub shipping_status: ShippingStatus,
    pub shipping_address: Option<AddressRecord>,
    pub port: Option<PortRecord>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    /// When the order first left NEW for a status other than a hold: from then on it never
    /// goes back to NEW.
    pub sent_at: Option<DateTime>,
    pub completed_at: Option<DateTime>,
    pub lines: Vec<OrderLineRecord>,
    pub items: Vec<OrderItemRecord>,
    pub inventory: Vec<OrderInventoryRecord>,
}

impl OrderRecord {
    /// A NEW order with nothing optional set: no process, no flags, no lines, made at `at`.
    pub fn new(
        id: i32,
        pon: String,
        customer_id: i32,
        order_type: OrderType,
        provider_id: Option<i32>,
        at: DateTime,
    ) -> Self {
        OrderRecord {
            id,
            pon,
            customer_id,
            order_type,
            status: OrderStatus::New,
            status_note: None,
            provider_id,
            provider_account_id: None,
            process_id: None,
            process_route_id: None,
            flow_through: false,
            send_now: false,
            reconnect: false,
            billing_option: None,
            suspend_type: None,
            inventory_status: None,
            whole_account: false,
            prorate: false,
            ignore_related_products: false,
            tracking_number: None,
            shipping_status: ShippingStatus::NotRequired,
            shipping_address: None,
            port: None,
            created_at: at,
            updated_at: at,
            sent_at: None,
            completed_at: None,
            lines: Vec::new(),
            items: Vec::new(),
            inventory: Vec::new(),
        }
    }
}

/// One entry of an order's status history (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatusRecord {
    pub order_id: i32,
    pub at: DateTime,
    /// `None` for the entry that records the order's creation.
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub note: Option<String>,
    pub user_id: i32,
    pub on_behalf_of_user_id: Option<i32>,
}

/// Orders_Search's filters, already validated: each `Vec` is an OR of its values (empty
/// means no filter), and the filters combine with AND.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub bill_profile_ids: Vec<i32>,
    pub customer_ids: Vec<i32>,
    pub provider_ids: Vec<i32>,
    pub order_ids: Vec<i32>,
    pub order_types: Vec<OrderType>,
    pub statuses: Vec<OrderStatus>,
    pub pons: Vec<String>,
    pub tns: Vec<String>,
    pub identifiers: Vec<String>,
    /// `Some(ids)`: only orders not COMPLETE or CANCELED whose process is one of `ids` (the
    /// processes that have routes) and that have no route chosen.
    pub awaiting_route_of_processes: Option<Vec<i32>>,
}

/// What the flow-through queue does next with an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobPhase {
    /// Hand the order to its provider (again, after a failure to deliver).
    Send,
    /// Ask the provider where the order stands (an adapter that answers by itself).
    Poll,
}

impl JobPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            JobPhase::Send => "send",
            JobPhase::Poll => "poll",
        }
    }

    pub fn parse(s: &str) -> Option<JobPhase> {
        match s {
            "send" => Some(JobPhase::Send),
            "poll" => Some(JobPhase::Poll),
            _ => None,
        }
    }
}

/// An order waiting in the flow-through queue (one per order at most). Times are Unix
/// milliseconds: the queue's clock is finer than the orders' seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowJob {
    pub order_id: i32,
    pub phase: JobPhase,
    /// Attempts to send started so far (each recorded before the order leaves): the number of
    /// the attempt under way once claimed.
    pub attempts: i32,
    /// Claims so far: a process finishing a job names the claim it holds, so a job claimed
    /// again after its lease ran out is finished once, by its newest holder.
    pub claims: i32,
    /// Not to be run before this.
    pub due_at_ms: i64,
    /// Held by a process until this (0 when free).
    pub lease_until_ms: i64,
    /// When the provider accepted the order, for polling.
    pub sent_at_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

impl FlowJob {
    /// A job to send `order_id` now (or again, from the first attempt).
    pub fn send(order_id: i32, now_ms: i64) -> FlowJob {
        FlowJob {
            order_id,
            phase: JobPhase::Send,
            attempts: 0,
            claims: 0,
            due_at_ms: now_ms,
            lease_until_ms: 0,
            sent_at_ms: None,
            last_error: None,
        }
    }
}

/// Something that happened, for Events_Query and for webhook subscribers. `seq` orders a
/// client's events; `id` is what receivers drop duplicates by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    pub seq: i64,
    pub id: String,
    /// `order.created`, `order.status_changed`, `order.completed`, `inventory.assigned`,
    /// `inventory.unassigned`.
    pub name: String,
    pub order_id: Option<i32>,
    pub item_id: Option<i32>,
    /// When it happened, Unix milliseconds.
    pub at_ms: i64,
    pub data: serde_json::Value,
}

impl EventRecord {
    /// Events of one order (or one item) reach each subscriber in `seq` order: this names
    /// the line they queue in.
    pub fn stream(&self) -> String {
        match (self.order_id, self.item_id) {
            (Some(o), _) => format!("order:{o}"),
            (None, Some(i)) => format!("item:{i}"),
            (None, None) => "client".to_string(),
        }
    }
}

/// An event on its way to one subscriber.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub event_seq: i64,
    /// The subscriber's url.
    pub subscriber: String,
    /// As [`EventRecord::stream`]: deliveries of one stream go one after the other.
    pub stream: String,
    pub attempts: i32,
    pub claims: i32,
    pub due_at_ms: i64,
    pub lease_until_ms: i64,
    pub delivered_at_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// Events_Query's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub order_id: Option<i32>,
    pub item_id: Option<i32>,
    pub names: Vec<String>,
    /// Only events before this `seq` (paging backwards from the newest).
    pub before_seq: Option<i64>,
    /// Only events with a delivery not yet made.
    pub undelivered: bool,
    pub limit: u32,
}

/// What waits in a client's queues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowBacklog {
    /// Orders in the flow-through queue.
    pub orders: i64,
    /// Of those, orders due now or overdue.
    pub orders_due: i64,
    /// Event deliveries not yet made.
    pub deliveries: i64,
    /// When the oldest undelivered event happened (Unix ms).
    pub oldest_undelivered_ms: Option<i64>,
}

impl FlowBacklog {
    /// The backlog of several clients together: the counts added, the oldest undelivered event
    /// the older of the two.
    pub fn add(&mut self, other: &FlowBacklog) {
        self.orders += other.orders;
        self.orders_due += other.orders_due;
        self.deliveries += other.deliveries;
        self.oldest_undelivered_ms = match (self.oldest_undelivered_ms, other.oldest_undelivered_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}
