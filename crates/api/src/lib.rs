//! The v20 operations, declared once.
//!
//! Each operation is a marker type implementing [`Operation`]: its wire name, its documentation,
//! and the types of its own inputs and outputs. The framing every operation shares
//! (Credentials, Session and Debug in the request; Header in the result) is added by the
//! bindings, not repeated in each declaration. [`operations()`] lists every operation the server
//! implements; the SOAP binding, the WSDL, the JSON binding and the OpenAPI document walk it.

pub mod common;
pub mod customers;
pub mod events;
pub mod inventory;
pub mod orders;
pub mod products;
pub mod sessions;

mod operation;
pub mod ops;

pub use operation::{OpInfo, Operation};
pub use ops::operations;
pub use patchbay_schema::{DateTime, Schema};
pub use rust_decimal::Decimal;

/// The target namespace of the hosted API; generated clients embed it.
pub const NAMESPACE: &str = "http://api.myh2o.com/v20";
/// The service name in the WSDL.
pub const SERVICE_NAME: &str = "H2OAPIv20";
