//! The operations' behaviour, one module per area of the seeds.

pub mod bulk;
mod countries;
pub mod customers;
mod events;
pub mod identifiers;
pub mod inventory;
pub mod orders;
pub mod products;
pub mod sessions;
pub mod stats;
mod validate;
