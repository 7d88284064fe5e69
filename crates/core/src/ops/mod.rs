//! The operations' behaviour, one module per area of the seeds.

pub mod customers;
pub mod products;
pub mod sessions;
mod validate;
