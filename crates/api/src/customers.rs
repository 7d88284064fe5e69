//! Customers and the services (lines) they hold. Customers_Create is an extension; the
//! shapes of a service, its products and its inventory are the standards seed's ServiceItem.

use crate::common::{Address, CustomField};
pub use crate::inventory::{Inventory, InventoryItemStatus, InventoryKind, InventoryWireless};
use patchbay_schema::{DateTime, Schema};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CustomerType {
    Business,
    #[default]
    Residential,
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[schema(name = "CustomerStatus")]
pub enum CustomerStatus {
    Prospect,
    #[default]
    Pending,
    Open,
    Closed,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomersCreateInput {
    /// Business or Residential.
    #[serde(rename = "CustomerClass", default, skip_serializing_if = "Option::is_none")]
    pub customer_class: Option<CustomerType>,
    #[serde(rename = "FirstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "LastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "CompanyName", default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(rename = "ServiceAddress", default, skip_serializing_if = "Option::is_none")]
    pub service_address: Option<Address>,
    #[serde(rename = "BillProfileID", default, skip_serializing_if = "Option::is_none")]
    pub bill_profile_id: Option<i32>,
    /// Pending when not given.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomerStatus>,
    #[serde(rename = "Fields", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Field")]
    pub fields: Option<Vec<CustomField>>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomersCreateOutput {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
}

/// One of CustomerID or TN.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomersQueryInput {
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[schema(name = "Enum_Customer_Product_Status")]
pub enum CustomerProductStatus {
    #[serde(rename = "PENDING")]
    Pending,
    #[serde(rename = "ACTIVE")]
    Active,
    #[serde(rename = "DENIED")]
    Denied,
    #[serde(rename = "DISCONNECTED")]
    Disconnected,
}

/// A product on a customer's service.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "CustomerProduct")]
pub struct CustomerProduct {
    /// The customer product id.
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "ProductID")]
    pub product_id: i32,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    #[serde(rename = "CarrierDescription", default, skip_serializing_if = "Option::is_none")]
    pub carrier_description: Option<String>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomerProductStatus>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Rate", default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(rename = "Code1", default, skip_serializing_if = "Option::is_none")]
    pub code1: Option<String>,
    #[serde(rename = "Code2", default, skip_serializing_if = "Option::is_none")]
    pub code2: Option<String>,
    #[serde(rename = "ActivatedDate", default, skip_serializing_if = "Option::is_none")]
    pub activated_date: Option<DateTime>,
    #[serde(rename = "BilledThroughDate", default, skip_serializing_if = "Option::is_none")]
    pub billed_through_date: Option<DateTime>,
    #[serde(rename = "Quantity", default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i32>,
}

/// A service (line) with its products and inventory: the standards seed's ServiceItem.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "ServiceItem")]
pub struct ServiceItem {
    #[serde(rename = "ID")]
    pub id: i32,
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    #[serde(rename = "TN", default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<String>,
    #[serde(rename = "CarrierID", default, skip_serializing_if = "Option::is_none")]
    pub carrier_id: Option<i32>,
    #[serde(rename = "CarrierDescription", default, skip_serializing_if = "Option::is_none")]
    pub carrier_description: Option<String>,
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    #[serde(rename = "PackageDescription", default, skip_serializing_if = "Option::is_none")]
    pub package_description: Option<String>,
    #[serde(rename = "ProgramID", default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<i32>,
    #[serde(rename = "ProgramDescription", default, skip_serializing_if = "Option::is_none")]
    pub program_description: Option<String>,
    #[serde(rename = "Products")]
    #[schema(item = "Product")]
    pub products: Vec<CustomerProduct>,
    #[serde(rename = "Inventory")]
    #[schema(item = "Inventory")]
    pub inventory: Vec<Inventory>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "Customer")]
pub struct Customer {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
    #[serde(rename = "CustomerClass")]
    pub customer_class: CustomerType,
    #[serde(rename = "FirstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "LastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "CompanyName", default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(rename = "Status")]
    pub status: CustomerStatus,
    #[serde(rename = "BillProfileID", default, skip_serializing_if = "Option::is_none")]
    pub bill_profile_id: Option<i32>,
    #[serde(rename = "ServiceAddress", default, skip_serializing_if = "Option::is_none")]
    pub service_address: Option<Address>,
    #[serde(rename = "CreatedDate")]
    pub created_date: DateTime,
    #[serde(rename = "Fields")]
    #[schema(item = "Field")]
    pub fields: Vec<CustomField>,
    #[serde(rename = "Services")]
    #[schema(item = "Service")]
    pub services: Vec<ServiceItem>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CustomersQueryOutput {
    #[serde(rename = "Customer")]
    pub customer: Customer,
}

/// Extension: Customers_Search, customers whose name or company name contains `Name`.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomersSearchInput {
    /// At least two characters; matched case-insensitively anywhere in the first and last
    /// name together, or in the company name.
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "CustomerFound")]
pub struct CustomerFound {
    #[serde(rename = "CustomerID")]
    pub customer_id: i32,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CustomerClass")]
    pub customer_class: CustomerType,
    #[serde(rename = "Status")]
    pub status: CustomerStatus,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomersSearchOutput {
    /// Lowest id first, at most 100.
    #[serde(rename = "Customers")]
    #[schema(item = "Customer")]
    pub customers: Vec<CustomerFound>,
    /// Whether more customers match than are listed.
    #[serde(rename = "HasMore")]
    pub has_more: bool,
}
