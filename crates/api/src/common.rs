//! The framing every operation shares (standards seed) and types used by several operations.

use patchbay_schema::Schema;
use serde::{Deserialize, Serialize};

/// Who is calling: a user of a client, optionally acting for another user.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Credentials {
    #[serde(rename = "Username", default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(rename = "Password", default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The client code: which separate system the user belongs to.
    #[serde(rename = "Client", default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(rename = "ImpersonationKey", default, skip_serializing_if = "Option::is_none")]
    pub impersonation_key: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Session {
    #[serde(rename = "SessionKey", default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

/// The fields every request carries besides its own.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[schema(name = "RequestFraming")]
pub struct RequestFraming {
    #[serde(rename = "Credentials", default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    #[serde(rename = "Session", default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Adds Debug/Request, the request as the server understood it, to the result.
    #[serde(rename = "Debug", default, skip_serializing_if = "Option::is_none")]
    pub debug: Option<bool>,
}

/// The Header of every result. Its children travel in exactly this order.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Header {
    #[serde(rename = "Success")]
    pub success: bool,
    #[serde(rename = "Message", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(rename = "SessionKey", default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
    #[serde(rename = "Impersonated")]
    pub impersonated: bool,
    #[serde(rename = "Error_Code", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(rename = "Error_Description", default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The result of an operation that returns nothing but its Header.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Empty {}

/// A custom field value: `<Fields><Field>…</Field></Fields>`.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct CustomField {
    #[serde(rename = "FieldID", default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<i32>,
    #[serde(rename = "Label", default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "Value", default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A postal address (orders seed: ShippingAddress, WirelessPort/Address; customers' addresses).
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Address {
    /// Prohibited on input; filled in on output.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(rename = "FirstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "LastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "Address1", default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(rename = "Address2", default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    #[serde(rename = "City", default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Two letters.
    #[serde(rename = "State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Five digits, a real US ZIP code.
    #[serde(rename = "Zip", default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Four digits when given.
    #[serde(rename = "Zip4", default, skip_serializing_if = "Option::is_none")]
    pub zip4: Option<String>,
    /// ISO 3166 alpha-3; USA when not given.
    #[serde(rename = "Country", default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}
