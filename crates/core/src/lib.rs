//! The Patchbay domain core.
//!
//! Operations are functions over a [`store::Store`], returning typed results or an
//! [`error::ApiError`] carrying the seed's error codes. The [`engine::Engine`] is the one entry
//! point the bindings call: it authenticates the request framing, checks the role, runs the
//! operation and builds the Header. Nothing here knows HTTP, XML or SQL.

pub mod audit;
pub mod auth;
pub mod engine;
pub mod error;
pub mod flow;
pub mod model;
pub mod ops;
pub mod provider;
pub mod request;
pub mod settings;
pub mod store;

pub use engine::{Engine, Execution, Outcome, StreamedList};
pub use request::{JsonRequestError, RequestObject};
