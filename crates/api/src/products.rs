//! The product catalog (seed: products).

use crate::common::CustomField;
use patchbay_schema::Schema;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which customers a product is sold to.
#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CustomerClass {
    #[default]
    All,
    Business,
    Residential,
}

/// Where a product is offered (Products_Query AvailabilityLocation).
#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AvailabilityLocation {
    #[allow(non_camel_case_types)]
    Available_On_Agent_Portal_Flag,
    #[allow(non_camel_case_types)]
    Available_Auto_Recharge,
    #[allow(non_camel_case_types)]
    Available_BillCenter,
    #[allow(non_camel_case_types)]
    Available_Replenish,
    #[allow(non_camel_case_types)]
    Available_On_Signup_Flag,
}

/// A product attribute (Products_Query AttributeKey / AttributeValue).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductAttribute {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct WirelessProductAllowance {
    #[serde(rename = "Quantity", default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i32>,
    #[serde(rename = "Expiration_Days", default, skip_serializing_if = "Option::is_none")]
    pub expiration_days: Option<i32>,
    #[serde(rename = "Nights_Weekends_Flag", default, skip_serializing_if = "Option::is_none")]
    pub nights_weekends_flag: Option<bool>,
    #[serde(rename = "Unlimited_Flag", default, skip_serializing_if = "Option::is_none")]
    pub unlimited_flag: Option<bool>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ProductWireless")]
pub struct ProductWireless {
    #[serde(rename = "Allowances", default, skip_serializing_if = "Option::is_none")]
    pub allowances: Option<Vec<WirelessProductAllowance>>,
    #[serde(rename = "Data_Flag", default, skip_serializing_if = "Option::is_none")]
    pub data_flag: Option<bool>,
    #[serde(rename = "SMS_Flag", default, skip_serializing_if = "Option::is_none")]
    pub sms_flag: Option<bool>,
    #[serde(rename = "Voice_Flag", default, skip_serializing_if = "Option::is_none")]
    pub voice_flag: Option<bool>,
}

/// The input of Products_Create and Products_Update: the product's ID (left out on create,
/// required on update) and its fields. The seed's fields come first; the ones after ActiveFlag
/// are extensions that let an integration set everything Products_Query filters on (see
/// docs/semantics.md). One flat struct, so a decoding error names the field it is about.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ProductInput")]
pub struct ProductInput {
    /// Left out (or nil) on create: the server assigns the id. Required on update.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    #[serde(rename = "ProductTypeID", default, skip_serializing_if = "Option::is_none")]
    pub product_type_id: Option<i32>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Code1", default, skip_serializing_if = "Option::is_none")]
    pub code1: Option<String>,
    #[serde(rename = "Code2", default, skip_serializing_if = "Option::is_none")]
    pub code2: Option<String>,
    #[serde(rename = "Rate", default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(rename = "Cost", default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Decimal>,
    #[serde(rename = "FreeMonths", default, skip_serializing_if = "Option::is_none")]
    pub free_months: Option<i32>,
    #[serde(rename = "AutomaticExpiration", default, skip_serializing_if = "Option::is_none")]
    pub automatic_expiration: Option<i32>,
    #[serde(rename = "BillingMonths", default, skip_serializing_if = "Option::is_none")]
    pub billing_months: Option<i32>,
    /// Two-letter US state the product is sold in; empty means every state.
    #[serde(rename = "State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(rename = "BillInArrears", default, skip_serializing_if = "Option::is_none")]
    pub bill_in_arrears: Option<bool>,
    #[serde(rename = "Prorate", default, skip_serializing_if = "Option::is_none")]
    pub prorate: Option<bool>,
    #[serde(rename = "ProductCategoryID", default, skip_serializing_if = "Option::is_none")]
    pub product_category_id: Option<i32>,
    #[serde(rename = "OrderCompletionBilling", default, skip_serializing_if = "Option::is_none")]
    pub order_completion_billing: Option<bool>,
    #[serde(rename = "CreatesOrder", default, skip_serializing_if = "Option::is_none")]
    pub creates_order: Option<bool>,
    #[serde(rename = "Fields", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Field")]
    pub fields: Option<Vec<CustomField>>,
    #[serde(rename = "ActiveFlag", default, skip_serializing_if = "Option::is_none")]
    pub active_flag: Option<bool>,
    /// Extension: the short description (Products_Query Name).
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Extension.
    #[serde(rename = "WholesaleDescription", default, skip_serializing_if = "Option::is_none")]
    pub wholesale_description: Option<String>,
    /// Extension: All (default), Business or Residential.
    #[serde(rename = "CustomerClass", default, skip_serializing_if = "Option::is_none")]
    pub customer_class: Option<CustomerClass>,
    /// Extension: the bill profiles the product is offered on.
    #[serde(rename = "BillProfileIDs", default, skip_serializing_if = "Option::is_none")]
    pub bill_profile_ids: Option<Vec<i32>>,
    /// Extension: the service types the product is offered on.
    #[serde(rename = "LineTypeIDs", default, skip_serializing_if = "Option::is_none")]
    pub line_type_ids: Option<Vec<i32>>,
    /// Extension.
    #[serde(rename = "Attributes", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Attribute")]
    pub attributes: Option<Vec<ProductAttribute>>,
    /// Extension: where the product is offered.
    #[serde(rename = "AvailabilityLocations", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "AvailabilityLocation")]
    pub availability_locations: Option<Vec<AvailabilityLocation>>,
    /// Extension: wireless flags and allowances.
    #[serde(rename = "Wireless", default, skip_serializing_if = "Option::is_none")]
    pub wireless: Option<ProductWireless>,
}

/// Products_Create: every field of [`ProductInput`] but ID.
pub type ProductsCreateInput = ProductInput;

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductsCreateOutput {
    #[serde(rename = "ProductID")]
    pub product_id: i32,
}

/// Products_Update: the product's ID plus every field of Products_Create. A field left out (or
/// nil) keeps its stored value.
pub type ProductsUpdateInput = ProductInput;

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductsQueryInput {
    #[serde(rename = "ProductID", default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i32>,
    #[serde(rename = "State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    #[serde(rename = "CarrierCode", default, skip_serializing_if = "Option::is_none")]
    pub carrier_code: Option<String>,
    #[serde(rename = "CustomerClass", default, skip_serializing_if = "Option::is_none")]
    pub customer_class: Option<CustomerClass>,
    #[serde(rename = "IncludeNonLineCarrierProducts", default, skip_serializing_if = "Option::is_none")]
    pub include_non_line_carrier_products: Option<bool>,
    #[serde(rename = "IncludeRecurring", default, skip_serializing_if = "Option::is_none")]
    pub include_recurring: Option<bool>,
    #[serde(rename = "IncludeOneTime", default, skip_serializing_if = "Option::is_none")]
    pub include_one_time: Option<bool>,
    #[serde(rename = "ProductTypeID", default, skip_serializing_if = "Option::is_none")]
    pub product_type_id: Option<i32>,
    #[serde(rename = "ProductTypeCode", default, skip_serializing_if = "Option::is_none")]
    pub product_type_code: Option<String>,
    #[serde(rename = "AttributeKey", default, skip_serializing_if = "Option::is_none")]
    pub attribute_key: Option<String>,
    #[serde(rename = "AttributeValue", default, skip_serializing_if = "Option::is_none")]
    pub attribute_value: Option<String>,
    #[serde(rename = "Zip", default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(rename = "BillProfileID", default, skip_serializing_if = "Option::is_none")]
    pub bill_profile_id: Option<i32>,
    #[serde(rename = "AvailabilityLocation", default, skip_serializing_if = "Option::is_none")]
    pub availability_location: Option<AvailabilityLocation>,
    #[serde(rename = "ProductCategoryID", default, skip_serializing_if = "Option::is_none")]
    pub product_category_id: Option<i32>,
    #[serde(rename = "LineTypeID", default, skip_serializing_if = "Option::is_none")]
    pub line_type_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct BillProfileItem {
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "Name")]
    pub name: String,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct LineTypeItem {
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "Description")]
    pub description: String,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Provisioning {
    #[serde(rename = "Code1", default, skip_serializing_if = "Option::is_none")]
    pub code1: Option<String>,
    #[serde(rename = "Code2", default, skip_serializing_if = "Option::is_none")]
    pub code2: Option<String>,
    #[serde(rename = "Enabled")]
    pub enabled: bool,
}

/// One catalog product as Products_Query returns it. The seed's output fields come first; the
/// rest echo every stored input so that what Products_Create takes, Products_Query returns.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ProductItem")]
pub struct ProductItem {
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "WholesaleDescription", default, skip_serializing_if = "Option::is_none")]
    pub wholesale_description: Option<String>,
    #[serde(rename = "Rate")]
    pub rate: Decimal,
    #[serde(rename = "Cost")]
    pub cost: Decimal,
    /// Always 0.00 for Products_Query.
    #[serde(rename = "Taxes")]
    pub taxes: Decimal,
    #[serde(rename = "BillProfiles")]
    pub bill_profiles: Vec<BillProfileItem>,
    #[serde(rename = "LineTypes")]
    pub line_types: Vec<LineTypeItem>,
    #[serde(rename = "Provisioning")]
    pub provisioning: Provisioning,
    #[serde(rename = "Wireless", default, skip_serializing_if = "Option::is_none")]
    pub wireless: Option<ProductWireless>,
    #[serde(rename = "CarrierID")]
    pub carrier_id: i32,
    #[serde(rename = "CarrierCode")]
    pub carrier_code: String,
    #[serde(rename = "ProductTypeID")]
    pub product_type_id: i32,
    #[serde(rename = "ProductTypeCode")]
    pub product_type_code: String,
    #[serde(rename = "Recurring")]
    pub recurring: bool,
    #[serde(rename = "FreeMonths", default, skip_serializing_if = "Option::is_none")]
    pub free_months: Option<i32>,
    #[serde(rename = "AutomaticExpiration", default, skip_serializing_if = "Option::is_none")]
    pub automatic_expiration: Option<i32>,
    #[serde(rename = "BillingMonths", default, skip_serializing_if = "Option::is_none")]
    pub billing_months: Option<i32>,
    #[serde(rename = "State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(rename = "BillInArrears")]
    pub bill_in_arrears: bool,
    #[serde(rename = "Prorate")]
    pub prorate: bool,
    #[serde(rename = "ProductCategoryID", default, skip_serializing_if = "Option::is_none")]
    pub product_category_id: Option<i32>,
    #[serde(rename = "OrderCompletionBilling")]
    pub order_completion_billing: bool,
    #[serde(rename = "CreatesOrder")]
    pub creates_order: bool,
    #[serde(rename = "ActiveFlag")]
    pub active_flag: bool,
    #[serde(rename = "CustomerClass")]
    pub customer_class: CustomerClass,
    #[serde(rename = "Attributes")]
    #[schema(item = "Attribute")]
    pub attributes: Vec<ProductAttribute>,
    #[serde(rename = "AvailabilityLocations")]
    #[schema(item = "AvailabilityLocation")]
    pub availability_locations: Vec<AvailabilityLocation>,
    #[serde(rename = "Fields")]
    #[schema(item = "Field")]
    pub fields: Vec<CustomField>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductsQueryOutput {
    #[serde(rename = "Products")]
    #[schema(item = "Product")]
    pub products: Vec<ProductItem>,
}

// ---------------------------------------------------------------------------------------------
// Extension: Catalog_Query, everything the catalog holds and where each item was defined.

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CatalogQueryInput {}

/// One product of the catalog, active or not, with its origin.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "CatalogProduct")]
pub struct CatalogProduct {
    #[serde(rename = "ProductID")]
    pub product_id: i32,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Code1", default, skip_serializing_if = "Option::is_none")]
    pub code1: Option<String>,
    #[serde(rename = "CarrierID")]
    pub carrier_id: i32,
    #[serde(rename = "CarrierCode")]
    pub carrier_code: String,
    #[serde(rename = "ProductTypeCode")]
    pub product_type_code: String,
    #[serde(rename = "Rate")]
    pub rate: Decimal,
    #[serde(rename = "ActiveFlag")]
    pub active_flag: bool,
    /// `"<settings file>:<line>"` of the `[[clients.products]]` table that defines it, the file
    /// named as it was given to apply; absent (nil) for a product made by Products_Create.
    #[serde(rename = "Origin", default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// A product of a package, by id and name.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "CatalogPackageProduct")]
pub struct CatalogPackageProduct {
    #[serde(rename = "ProductID")]
    pub product_id: i32,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One package: its provider, service type and the products a new service starts with.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "CatalogPackage")]
pub struct CatalogPackage {
    #[serde(rename = "PackageID")]
    pub package_id: i32,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CarrierID")]
    pub carrier_id: i32,
    #[serde(rename = "CarrierCode")]
    pub carrier_code: String,
    #[serde(rename = "LineTypeID", default, skip_serializing_if = "Option::is_none")]
    pub line_type_id: Option<i32>,
    /// The name of that service type (`[[clients.line_types]]`).
    #[serde(rename = "LineTypeName", default, skip_serializing_if = "Option::is_none")]
    pub line_type_name: Option<String>,
    /// In the package's order.
    #[serde(rename = "Products")]
    #[schema(item = "Product")]
    pub products: Vec<CatalogPackageProduct>,
    /// `"<settings file>:<line>"` of the `[[clients.packages]]` table that defines it.
    #[serde(rename = "Origin", default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CatalogQueryOutput {
    /// Every product, active or not, by id.
    #[serde(rename = "Products")]
    #[schema(item = "Product")]
    pub products: Vec<CatalogProduct>,
    /// Every package, by id.
    #[serde(rename = "Packages")]
    #[schema(item = "Package")]
    pub packages: Vec<CatalogPackage>,
}
