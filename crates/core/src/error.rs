//! The typed error every operation returns, carrying a code from the standards seed's table.
//! It is mapped to the wire in one place, [`ApiError::header`]: Header/Success=false with
//! Error_Code, Error_Description and Message. The engine calls it for every refused request,
//! and the bindings for the few refused before they reach the engine.

use patchbay_api::common::Header;
use serde_json::{Map, Value};
use std::fmt;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $desc:literal;)*) => {
        /// The error codes of the standards seed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            pub fn code(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),* }
            }
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $desc),* }
            }
        }
    };
}

error_codes! {
    AgentNotFound = "A2011", "Agent specified does not exist.";
    BillProfileNotFound = "B2012", "Bill Profile does not exist.";
    ProviderNotFound = "CA2014", "Provider does not exist.";
    ProviderDown = "CA2020", "Connectivity to the provider is currently down.";
    ConfigurationError = "CN2001", "Configuration Error.";
    CustomerNotFound = "C2002", "Customer ID does not exist.";
    CustomerStatus = "C2006", "Customer is not in the appropriate status for this action.";
    SessionInvalid = "S2004", "Authorization failure: unknown/invalid Session Key.";
    LoginInvalid = "S2005", "Authorization failure: unknown/invalid Username/Password/Client.";
    InvalidInput = "S2010", "Invalid input received.";
    UnknownZip = "S2015", "Unknown Zip Code.";
    PermissionDenied = "S2017", "Permission denied.";
    InventoryNotFound = "I2019", "Inventory Item ID does not exist.";
    ServiceNotFound = "L2024", "Services does not exist.";
    ServiceTypeNotFound = "LT2001", "Service type does not exist.";
    ServiceCustomerMismatch = "N2001", "The customer on the service does not match the customer supplied.";
    OrderCustomerMismatch = "N2002", "The customer on the order does not match the customer supplied.";
    OrderNotGenerated = "O2001", "Order could not be generated.";
    OrderNotFound = "O2002", "Order specified does not exist.";
    OrderRequired = "O2003", "Order element is required.";
    ProcessNotFound = "PC2001", "Process does not exist.";
    PackageNotFound = "PK2013", "Package does not exist.";
    ProductNotFound = "PR2023", "Product does not exist.";
    ProductTypeNotFound = "PT2023", "Product Type does not exist.";
    UserNotFound = "U2001", "User does not exist.";
    // A fatal processing error: no seed code fits, so the Header carries only a Message
    // (clients fall back to Message when Error_Code is absent) and Debug/Request.
    Internal = "", "";
}

/// A refused request: a seed error code and a message for the integrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Option<String>,
    /// A bulk request's refused items, every one in item order. The Header's Message names
    /// the first few; this is for a caller that shows them all (the console's import page).
    /// Not on the wire.
    pub items: Vec<crate::ops::bulk::ItemFailure>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: Some(message.into()), items: Vec::new() }
    }

    pub fn bare(code: ErrorCode) -> Self {
        ApiError { code, message: None, items: Vec::new() }
    }

    /// S2010 naming the field and the rule it breaks.
    pub fn invalid(field: &str, rule: impl fmt::Display) -> Self {
        ApiError::new(ErrorCode::InvalidInput, format!("{field}: {rule}"))
    }

    /// An unknown id of some kind: `PR2023 Product 42 does not exist.`
    pub fn not_found(code: ErrorCode, what: &str, id: impl fmt::Display) -> Self {
        ApiError::new(code, format!("{what} {id} does not exist."))
    }

    /// A failure of the server itself (the database, a bug). The detail goes to the log; the
    /// caller is told the request was not carried out.
    pub fn internal(err: impl fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        ApiError::new(ErrorCode::Internal, "The server could not complete the request; nothing was changed. Try again, and tell the operator if it persists.")
    }

    /// The Header of this refusal: the seed's code and description, and the Message (the
    /// code's description when there is nothing more to say). The only place an `ApiError`
    /// becomes a Header. An empty key is left out.
    pub fn header(&self, session_key: Option<String>, impersonated: bool) -> Header {
        Header {
            success: false,
            message: self.message.clone().or_else(|| Some(self.code.description().to_string())),
            session_key: session_key.filter(|k| !k.is_empty()),
            impersonated,
            error_code: Some(self.code.code().to_string()).filter(|c| !c.is_empty()),
            error_description: Some(self.code.description().to_string()).filter(|c| !c.is_empty()),
        }
    }

    /// A result object holding only this refusal's Header, for a request refused before anyone
    /// authenticated (no session key, not impersonated): an unknown operation, an unreadable
    /// body, a value not of its type.
    pub fn result_object(&self) -> Value {
        let mut result = Map::new();
        result.insert("Header".into(), serde_json::to_value(self.header(None, false)).expect("a Header serializes"));
        Value::Object(result)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code.code())?;
        if let Some(m) = &self.message {
            write!(f, " {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Errors of the storage layer. The store never decides what an integrator sees; the engine
/// turns these into [`ApiError::internal`] unless an operation handles them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule of the data was broken (duplicate identifier, id taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Database(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type StoreResult<T> = Result<T, StoreError>;
