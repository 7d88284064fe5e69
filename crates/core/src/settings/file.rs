//! The settings file format, as written by operators (`examples/settings.toml`).
//!
//! Unknown keys are refused rather than ignored: a misspelt `rat = "35.00"` silently dropped
//! would ship a product at the wrong price. References to other entities are `Spanned` so a
//! broken one can be reported with its line.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    #[serde(default)]
    pub clients: Vec<ClientSection>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ClientSection {
    pub code: Spanned<String>,
    pub name: String,
    pub session_idle_minutes: Option<Spanned<i64>>,
    #[serde(default)]
    pub roles: Vec<RoleEntry>,
    #[serde(default)]
    pub users: Vec<Spanned<UserEntry>>,
    #[serde(default)]
    pub bill_profiles: Vec<NamedEntry>,
    #[serde(default)]
    pub product_categories: Vec<NamedEntry>,
    #[serde(default)]
    pub line_types: Vec<NamedEntry>,
    #[serde(default)]
    pub product_types: Vec<ProductTypeEntry>,
    #[serde(default)]
    pub providers: Vec<Spanned<ProviderEntry>>,
    #[serde(default)]
    pub processes: Vec<ProcessEntry>,
    #[serde(default)]
    pub unavailable_reasons: Vec<ReasonEntry>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldEntry>,
    #[serde(default)]
    pub products: Vec<Spanned<ProductEntry>>,
    #[serde(default)]
    pub packages: Vec<Spanned<PackageEntry>>,
    /// `[[clients.webhooks]]`: subscribers to the client's events.
    #[serde(default)]
    pub webhooks: Vec<Spanned<WebhookEntry>>,
}

/// A subscriber: events named in `events` (or `["*"]`, every event) are POSTed to `url`,
/// signed with `secret`. Keyed by `url`: a file that names it again replaces its secret and
/// events.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WebhookEntry {
    pub url: String,
    pub secret: String,
    pub events: Vec<Spanned<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    pub name: String,
    pub allow: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    pub id: Option<i32>,
    pub username: String,
    pub password: Option<String>,
    pub password_hash: Option<Spanned<String>>,
    pub role: Spanned<String>,
    pub agent_id: Option<i32>,
    pub agent_number: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct NamedEntry {
    pub id: Option<i32>,
    pub name: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReasonEntry {
    pub id: Option<i32>,
    pub description: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldEntry {
    pub id: Option<i32>,
    pub label: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProductTypeEntry {
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub recurring: bool,
    #[serde(default)]
    pub requires_shipping: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProviderEntry {
    pub id: Option<i32>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub wireless: bool,
    #[serde(default)]
    pub provisionable: bool,
    pub adapter: Spanned<String>,
    pub simulated: Option<toml::Table>,
    pub webhook: Option<toml::Table>,
    pub url: Option<String>,
    /// `accounts = [ { id = 1, name = "Main", default = true } ]`: at most one default; ids
    /// unique within the client.
    #[serde(default)]
    pub accounts: Vec<Spanned<AccountEntry>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub id: Spanned<i32>,
    pub name: String,
    pub default: Option<Spanned<bool>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProcessEntry {
    pub id: Option<i32>,
    pub name: String,
    #[serde(default)]
    pub routes: Vec<RouteEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RouteEntry {
    pub id: i32,
    pub description: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProductEntry {
    pub id: Option<i32>,
    pub provider: Spanned<i32>,
    pub product_type: Spanned<i32>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub wholesale_description: Option<String>,
    pub code1: Option<String>,
    pub code2: Option<String>,
    pub rate: Option<Spanned<String>>,
    pub cost: Option<Spanned<String>>,
    pub free_months: Option<i32>,
    pub automatic_expiration: Option<i32>,
    pub billing_months: Option<i32>,
    pub state: Option<Spanned<String>>,
    #[serde(default)]
    pub bill_in_arrears: bool,
    #[serde(default)]
    pub prorate: bool,
    pub product_category: Option<Spanned<i32>>,
    #[serde(default)]
    pub order_completion_billing: bool,
    pub creates_order: Option<bool>,
    pub active: Option<bool>,
    pub customer_class: Option<Spanned<String>>,
    #[serde(default)]
    pub bill_profiles: Vec<Spanned<i32>>,
    #[serde(default)]
    pub line_types: Vec<Spanned<i32>>,
    #[serde(default)]
    pub attributes: toml::Table,
    #[serde(default)]
    pub available_on: Vec<Spanned<String>>,
    pub wireless: Option<WirelessEntry>,
    #[serde(default)]
    pub fields: Vec<FieldEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WirelessEntry {
    #[serde(default)]
    pub voice: bool,
    #[serde(default)]
    pub sms: bool,
    #[serde(default)]
    pub data: bool,
    #[serde(default)]
    pub allowances: Vec<AllowanceEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AllowanceEntry {
    pub quantity: Option<i32>,
    pub expiration_days: Option<i32>,
    #[serde(default)]
    pub nights_weekends: bool,
    #[serde(default)]
    pub unlimited: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FieldEntry {
    pub field_id: Spanned<i32>,
    pub value: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PackageEntry {
    pub id: Option<i32>,
    pub name: String,
    pub provider: Spanned<i32>,
    pub line_type: Option<Spanned<i32>>,
    #[serde(default)]
    pub products: Vec<Spanned<i32>>,
}
