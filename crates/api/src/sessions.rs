//! Sessions and impersonation (wire-v20.md: operations the seeds refer to but do not list).

use patchbay_schema::{DateTime, Schema};
use serde::{Deserialize, Serialize};

/// Sessions_Create takes only the Credentials of the framing.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SessionsCreateInput {}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SessionsCreateOutput {
    #[serde(rename = "SessionKey")]
    pub session_key: String,
    /// The key made safe for a URL.
    #[serde(rename = "SessionKey_Encoded")]
    pub session_key_encoded: String,
}

/// Sessions_Validate takes only the Session of the framing.
#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SessionsValidateInput {}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SessionsValidateOutput {
    #[serde(rename = "UserID")]
    pub user_id: i32,
    #[serde(rename = "AgentID", default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i32>,
    #[serde(rename = "AgentNumber", default, skip_serializing_if = "Option::is_none")]
    pub agent_number: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SessionsDestroyInput {
    /// The session to end; defaults to the request's own Session.
    #[serde(rename = "SessionKey", default, skip_serializing_if = "Option::is_none")]
    pub session_key: Option<String>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ImpersonationAuthorizeInput {
    #[serde(rename = "ToUserID", default, skip_serializing_if = "Option::is_none")]
    pub to_user_id: Option<i32>,
    #[serde(rename = "ToUserName", default, skip_serializing_if = "Option::is_none")]
    pub to_user_name: Option<String>,
    /// When the key stops working; at most 30 days ahead, 24 hours when not given.
    #[serde(rename = "ExpirationDate", default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateTime>,
}

#[derive(Schema, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ImpersonationAuthorizeOutput {
    #[serde(rename = "ToUserID")]
    pub to_user_id: i32,
    /// 64 characters; the other user puts it in Credentials/ImpersonationKey.
    #[serde(rename = "ImpersonationKey")]
    pub impersonation_key: String,
    #[serde(rename = "ExpirationDate")]
    pub expiration_date: DateTime,
}
