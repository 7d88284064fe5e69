//! Inventory (seed: inventory): items such as SIM cards, handsets and phone numbers, and the
//! inventory types that define their identifier format and custom fields.
//!
//! The standards seed's `Inventory` shape is shared with Customers_Query's ServiceItem.

use crate::common::CustomField;
use patchbay_schema::{DateTime, Schema};
use serde::{Deserialize, Serialize};

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Inventory_Type")]
pub enum InventoryKind {
    General,
    #[serde(rename = "Telephone_Number")]
    TelephoneNumber,
    #[serde(rename = "IP_Address")]
    IpAddress,
    #[serde(rename = "Mobile_Device")]
    MobileDevice,
    #[serde(rename = "SIM_Card")]
    SimCard,
}

impl InventoryKind {
    pub fn wire_name(self) -> &'static str {
        match self {
            InventoryKind::General => "General",
            InventoryKind::TelephoneNumber => "Telephone_Number",
            InventoryKind::IpAddress => "IP_Address",
            InventoryKind::MobileDevice => "Mobile_Device",
            InventoryKind::SimCard => "SIM_Card",
        }
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Inventory_Item_Status")]
pub enum InventoryItemStatus {
    #[serde(rename = "AVAILABLE")]
    Available,
    #[serde(rename = "UNAVAILABLE")]
    Unavailable,
    #[serde(rename = "ASSIGNED")]
    Assigned,
    #[serde(rename = "BATCHED")]
    Batched,
}

impl InventoryItemStatus {
    pub fn wire_name(self) -> &'static str {
        match self {
            InventoryItemStatus::Available => "AVAILABLE",
            InventoryItemStatus::Unavailable => "UNAVAILABLE",
            InventoryItemStatus::Assigned => "ASSIGNED",
            InventoryItemStatus::Batched => "BATCHED",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Some(match s {
            "AVAILABLE" => InventoryItemStatus::Available,
            "UNAVAILABLE" => InventoryItemStatus::Unavailable,
            "ASSIGNED" => InventoryItemStatus::Assigned,
            "BATCHED" => InventoryItemStatus::Batched,
            _ => return None,
        })
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Inventory_Type_Status")]
pub enum InventoryTypeStatus {
    #[serde(rename = "ACTIVE")]
    Active,
    /// The seed spells it `INACITVE` once; that spelling is accepted on input.
    #[serde(rename = "INACTIVE", alias = "INACITVE")]
    Inactive,
}

#[derive(Schema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[schema(name = "Enum_Inventory_Type_Format")]
pub enum InventoryTypeFormat {
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "ESN_DECIMAL")]
    EsnDecimal,
    #[serde(rename = "MEID_DECIMAL")]
    MeidDecimal,
    #[serde(rename = "ESN_OR_MEID_DECIMAL")]
    EsnOrMeidDecimal,
    #[serde(rename = "ICCID_DECIMAL")]
    IccidDecimal,
}

impl InventoryTypeFormat {
    pub fn wire_name(self) -> &'static str {
        match self {
            InventoryTypeFormat::None => "NONE",
            InventoryTypeFormat::EsnDecimal => "ESN_DECIMAL",
            InventoryTypeFormat::MeidDecimal => "MEID_DECIMAL",
            InventoryTypeFormat::EsnOrMeidDecimal => "ESN_OR_MEID_DECIMAL",
            InventoryTypeFormat::IccidDecimal => "ICCID_DECIMAL",
        }
    }
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "InventoryWireless")]
pub struct InventoryWireless {
    #[serde(rename = "MSID", default, skip_serializing_if = "Option::is_none")]
    pub msid: Option<String>,
    #[serde(rename = "MSL", default, skip_serializing_if = "Option::is_none")]
    pub msl: Option<String>,
    /// Prohibited on update (it changes through orders).
    #[serde(rename = "MDN", default, skip_serializing_if = "Option::is_none")]
    pub mdn: Option<String>,
}

/// An inventory item (standards seed: Inventory). Every field is optional on the wire because
/// the same shape is the input of create and update, each with its own rules.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "Inventory")]
pub struct Inventory {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// Prohibited on create; on update it must be the item's current customer.
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "Identifier", default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Ignored on input; the type's Identifier label on output.
    #[serde(rename = "IdentifierLabel", default, skip_serializing_if = "Option::is_none")]
    pub identifier_label: Option<String>,
    #[serde(rename = "InventoryTypeID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_type_id: Option<i32>,
    /// When given, must be the kind of the type named by InventoryTypeID.
    #[serde(rename = "InventoryType", default, skip_serializing_if = "Option::is_none")]
    pub inventory_type: Option<InventoryKind>,
    /// Ignored on input; the type's name on output.
    #[serde(rename = "InventoryDescription", default, skip_serializing_if = "Option::is_none")]
    pub inventory_description: Option<String>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InventoryItemStatus>,
    #[serde(rename = "AssignedDate", default, skip_serializing_if = "Option::is_none")]
    pub assigned_date: Option<DateTime>,
    #[serde(rename = "UnavailableReasonID", default, skip_serializing_if = "Option::is_none")]
    pub unavailable_reason_id: Option<i32>,
    /// Ignored on input; the reason's description on output.
    #[serde(rename = "UnavailableReasonDescription", default, skip_serializing_if = "Option::is_none")]
    pub unavailable_reason_description: Option<String>,
    #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "Fields", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Field")]
    pub fields: Option<Vec<CustomField>>,
    #[serde(rename = "Wireless", default, skip_serializing_if = "Option::is_none")]
    pub wireless: Option<InventoryWireless>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryCreateInput {
    #[serde(rename = "Inventory", default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryCreateOutput {
    #[serde(rename = "InventoryItemID")]
    pub inventory_item_id: i32,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryBulkInput {
    #[serde(rename = "InventoryItems", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Inventory")]
    pub inventory_items: Option<Vec<Inventory>>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryBulkCreateOutput {
    #[serde(rename = "InventoryItemIDs")]
    pub inventory_item_ids: Vec<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryUpdateInput {
    #[serde(rename = "Inventory", default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
}

/// Inventory_Query's item lookup: an identifier and the kind of item.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "InventoryLookup")]
pub struct InventoryLookup {
    #[serde(rename = "Identifier", default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Mobile_Device (the default) or SIM_Card.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InventoryKind>,
}

/// One of MDN, InventoryID or Inventory.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryQueryInput {
    #[serde(rename = "MDN", default, skip_serializing_if = "Option::is_none")]
    pub mdn: Option<String>,
    #[serde(rename = "InventoryID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_id: Option<i32>,
    #[serde(rename = "Inventory", default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryLookup>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryQueryOutput {
    #[serde(rename = "Inventory")]
    pub inventory: Inventory,
}

/// At least one of CustomerID, LineID, CustomerProductID; several must agree.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryAssignInput {
    #[serde(rename = "InventoryItemID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_id: Option<i32>,
    #[serde(rename = "CustomerID", default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i32>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "CustomerProductID", default, skip_serializing_if = "Option::is_none")]
    pub customer_product_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryUnassignInput {
    #[serde(rename = "InventoryItemID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_id: Option<i32>,
    #[serde(rename = "UnavailableReasonID", default, skip_serializing_if = "Option::is_none")]
    pub unavailable_reason_id: Option<i32>,
    /// AVAILABLE (the default) or UNAVAILABLE.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InventoryItemStatus>,
    /// Kept on the item and in its history.
    #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The definition of one custom field of the items of an inventory type.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "InventoryItemField")]
pub struct InventoryItemField {
    /// Assigned by the server; give it on update to keep a field (and its values).
    #[serde(rename = "FieldID", default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<i32>,
    #[serde(rename = "Label", default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Text Box, Text Area, Drop Down List, Radio Button List, Check Box or Date.
    #[serde(rename = "FieldType", default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    #[serde(rename = "DefaultValue", default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    #[serde(rename = "IsRequired", default, skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
    /// The choices of a Drop Down List or Radio Button List.
    #[serde(rename = "Options", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Option")]
    pub options: Option<Vec<String>>,
}

/// An inventory type: the input of InventoryTypes_Create/Update and an item of
/// InventoryTypes_Query.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "InventoryType")]
pub struct InventoryType {
    /// Prohibited on create; required on update.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InventoryKind>,
    /// The label of the items' identifier, such as "ESN/MEID" or "ICCID".
    #[serde(rename = "Identifier", default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "RequiresProduct", default, skip_serializing_if = "Option::is_none")]
    pub requires_product: Option<bool>,
    #[serde(rename = "ProgrammingInstructions", default, skip_serializing_if = "Option::is_none")]
    pub programming_instructions: Option<String>,
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<InventoryTypeStatus>,
    #[serde(rename = "Format", default, skip_serializing_if = "Option::is_none")]
    pub format: Option<InventoryTypeFormat>,
    /// Custom field values of the type itself.
    #[serde(rename = "Fields", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Field")]
    pub fields: Option<Vec<CustomField>>,
    /// The custom fields the type's items carry.
    #[serde(rename = "ItemFields", default, skip_serializing_if = "Option::is_none")]
    #[schema(item = "Field")]
    pub item_fields: Option<Vec<InventoryItemField>>,
    /// Extension: the catalog products this type's items go with (the link InventoryTypes_Query
    /// filters on and InventoryTypes_Assign checks).
    #[serde(rename = "ProductIDs", default, skip_serializing_if = "Option::is_none")]
    pub product_ids: Option<Vec<i32>>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesCreateInput {
    #[serde(rename = "InventoryType", default, skip_serializing_if = "Option::is_none")]
    pub inventory_type: Option<InventoryType>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesCreateOutput {
    #[serde(rename = "ID")]
    pub id: i32,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesUpdateInput {
    #[serde(rename = "InventoryType", default, skip_serializing_if = "Option::is_none")]
    pub inventory_type: Option<InventoryType>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesDeleteInput {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
}

/// InventoryTypes_Query's custom field filter.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "InventoryTypeFieldFilter")]
pub struct InventoryTypeFieldFilter {
    #[serde(rename = "Label", default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "Value", default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Filters; none for every type. Several given must all match.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesQueryInput {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InventoryKind>,
    #[serde(rename = "PackageID", default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i32>,
    #[serde(rename = "ProductID", default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i32>,
    #[serde(rename = "Field", default, skip_serializing_if = "Option::is_none")]
    pub field: Option<InventoryTypeFieldFilter>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesQueryOutput {
    #[serde(rename = "InventoryTypes")]
    #[schema(item = "InventoryType")]
    pub inventory_types: Vec<InventoryType>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesAssignInput {
    /// `<Identifiers><string>…</string></Identifiers>`
    #[serde(rename = "Identifiers", default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    #[serde(rename = "CustomerProductID", default, skip_serializing_if = "Option::is_none")]
    pub customer_product_id: Option<i32>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryTypesUnassignInput {
    #[serde(rename = "Identifiers", default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
    #[serde(rename = "LineID", default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<i32>,
    /// AVAILABLE (the default) or UNAVAILABLE.
    #[serde(rename = "InventoryStatus", default, skip_serializing_if = "Option::is_none")]
    pub inventory_status: Option<InventoryItemStatus>,
}

/// Extension: InventoryHistory_Query.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryHistoryQueryInput {
    #[serde(rename = "InventoryItemID", default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_id: Option<i32>,
}

/// One change to an inventory item.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "InventoryHistoryEntry")]
pub struct InventoryHistoryEntry {
    #[serde(rename = "Date")]
    pub date: DateTime,
    /// The user who made the change (for an impersonated request, the user acted as).
    #[serde(rename = "UserID")]
    pub user_id: i32,
    #[serde(rename = "Username", default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The operation that made the change.
    #[serde(rename = "Operation")]
    pub operation: String,
    /// CREATED, UPDATED, ASSIGNED, UNASSIGNED or STATUS.
    #[serde(rename = "Action")]
    pub action: String,
    /// For UPDATED: the field changed (`Note`, `Wireless/MSID`, `Fields/Color`…).
    #[serde(rename = "Field", default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(rename = "OldValue", default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<String>,
    #[serde(rename = "NewValue", default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
    #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryHistoryQueryOutput {
    /// Oldest first.
    #[serde(rename = "History")]
    #[schema(item = "Entry")]
    pub history: Vec<InventoryHistoryEntry>,
}

/// Extension: InventoryCounts_Query, how many items of each inventory type are in each status.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryCountsQueryInput {}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[schema(name = "InventoryCount")]
pub struct InventoryCount {
    #[serde(rename = "InventoryTypeID")]
    pub inventory_type_id: i32,
    #[serde(rename = "Status")]
    pub status: InventoryItemStatus,
    #[serde(rename = "Count")]
    pub count: i64,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct InventoryCountsQueryOutput {
    /// By type id, then status; a type or status without items is absent.
    #[serde(rename = "Counts")]
    #[schema(item = "Count")]
    pub counts: Vec<InventoryCount>,
}
