//! Orders: NewOrders_Create and Orders_Create make them (`create`), Orders_Update moves them
//! through their states (`update`), Orders_Query and Orders_Search read them (`query`).
//!
//! An order changes nothing a customer is billed for until it completes: the products it adds
//! wait as PENDING customer products, and the services it creates carry only those. Completing
//! applies the order's effects (`effects::complete`), canceling gives back what it reserved
//! (`effects::cancel`), each in the transaction that changes the status, so they happen
//! exactly once.

mod create;
mod effects;
mod query;
mod state;
mod update;

use crate::engine::Ctx;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::*;
use crate::store::ClientDb;
use patchbay_api::customers::{CustomerProductStatus, CustomerStatus};
use patchbay_api::orders::{OrderStatus, OrderType};
use patchbay_schema::DateTime;

pub(crate) use effects::assign_numbers;
pub use state::check_transition;
pub(crate) use update::change_status;

/// The PON of an order: unique within the client because the id is.
fn pon_of(id: i32) -> String {
    format!("PB{id:08}")
}

/// Who acts, for the status history: (user, on behalf of).
fn actor(ctx: &Ctx) -> (i32, Option<i32>) {
    match &ctx.principal.impersonator {
        Some(real) => (real.id, Some(ctx.principal.user.id)),
        None => (ctx.principal.user.id, None),
    }
}

fn status_entry(
    ctx: &Ctx,
    order_id: i32,
    from: Option<OrderStatus>,
    to: OrderStatus,
    note: Option<String>,
) -> OrderStatusRecord {
    let (user_id, on_behalf_of_user_id) = actor(ctx);
    OrderStatusRecord { order_id, at: DateTime::now(), from, to, note, user_id, on_behalf_of_user_id }
}

/// A trimmed, non-empty text.
fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A ten-digit telephone number.
fn tn_digits(field: &str, tn: &str) -> ApiResult<String> {
    let t = tn.trim();
    if t.len() != 10 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(field, format!("{tn:?} is not a 10-digit telephone number")));
    }
    Ok(t.to_string())
}

fn quantity(field: &str, q: Option<i32>) -> ApiResult<i32> {
    match q {
        None => Ok(1),
        Some(q) if q >= 1 => Ok(q),
        Some(_) => Err(ApiError::invalid(field, "must be greater than or equal to 1")),
    }
}

/// A refusal of an id that does not exist, naming the field that gave it.
fn unknown(code: ErrorCode, field: &str, what: &str, id: i32) -> ApiError {
    ApiError::new(code, format!("{field}: {what} {id} does not exist."))
}

/// A catalog product that may be ordered: it exists and is active.
fn orderable_product<'c>(config: &'c ClientConfig, field: &str, id: Option<i32>) -> ApiResult<&'c Product> {
    let id = id.ok_or_else(|| ApiError::invalid(field, "is required"))?;
    match config.products.iter().find(|p| p.id == id) {
        Some(p) if p.active => Ok(p),
        Some(_) => Err(ApiError::new(
            ErrorCode::ProductNotFound,
            format!("{field}: product {id} is retired from the catalog (inactive)."),
        )),
        None => Err(unknown(ErrorCode::ProductNotFound, field, "Product", id)),
    }
}

fn package<'c>(config: &'c ClientConfig, field: &str, id: i32) -> ApiResult<&'c Package> {
    config.packages.iter().find(|p| p.id == id).ok_or_else(|| unknown(ErrorCode::PackageNotFound, field, "Package", id))
}

fn provider<'c>(config: &'c ClientConfig, field: &str, id: i32) -> ApiResult<&'c Provider> {
    config
        .providers
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| unknown(ErrorCode::ProviderNotFound, field, "Provider", id))
}

fn process<'c>(config: &'c ClientConfig, field: &str, id: Option<i32>) -> ApiResult<Option<&'c Process>> {
    match id {
        None => Ok(None),
        Some(id) => config
            .processes
            .iter()
            .find(|p| p.id == id)
            .map(Some)
            .ok_or_else(|| unknown(ErrorCode::ProcessNotFound, field, "Process", id)),
    }
}

fn line_type(config: &ClientConfig, field: &str, id: Option<i32>) -> ApiResult<Option<i32>> {
    match id {
        Some(id) if !config.line_types.iter().any(|l| l.id == id) => {
            Err(unknown(ErrorCode::ServiceTypeNotFound, field, "Service type", id))
        }
        other => Ok(other),
    }
}

/// An existing customer that may order (not Closed).
async fn orderable_customer(db: &dyn ClientDb, field: &str, id: i32) -> ApiResult<CustomerRecord> {
    let c = db.customer(id).await?.ok_or_else(|| unknown(ErrorCode::CustomerNotFound, field, "Customer", id))?;
    if c.status == CustomerStatus::Closed {
        return Err(ApiError::new(
            ErrorCode::CustomerStatus,
            format!("{field}: customer {id} is Closed and cannot be ordered for."),
        ));
    }
    Ok(c)
}

/// Whether a product still belongs to its service (anything but DISCONNECTED).
fn live(p: &CustomerProductRecord) -> bool {
    p.status != CustomerProductStatus::Disconnected
}

/// A service named by LineID or TN (`field` is the path of the element holding them), with
/// its customer checked against `customer_id` when both are known. A TN names the newest
/// service with that number that still has products.
async fn resolve_service(
    db: &dyn ClientDb,
    field: &str,
    line_id: Option<i32>,
    tn: Option<&str>,
    customer_id: Option<i32>,
) -> ApiResult<ServiceRecord> {
    let tn = tn.map(str::trim).filter(|t| !t.is_empty());
    let by_id = match line_id {
        Some(id) => Some(db.service(id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::ServiceNotFound, format!("{field}/LineID: service {id} does not exist."))
        })?),
        None => None,
    };
    let service = match (by_id, tn) {
        (None, None) => return Err(ApiError::invalid(field, "TN or LineID is required")),
        (Some(s), None) => s,
        (by_id, Some(tn)) => {
            let candidates = db.services_by_tn(tn).await?;
            let ids: Vec<i32> = candidates.iter().map(|s| s.id).collect();
            let products = db.customer_products_of_services(&ids).await?;
            let has_live = |s: &ServiceRecord| products.iter().any(|p| p.service_id == Some(s.id) && live(p));
            let found =
                candidates.iter().rev().find(|s| has_live(s)).or(candidates.last()).cloned().ok_or_else(|| {
                    ApiError::new(ErrorCode::ServiceNotFound, format!("{field}/TN: no service has TN {tn}."))
                })?;
            if let Some(s) = by_id {
                if s.id != found.id && s.tn.as_deref() != Some(tn) {
                    return Err(ApiError::invalid(
                        &format!("{field}/TN"),
                        format!("{tn} is not the TN of service {}", s.id),
                    ));
                }
                s
            } else {
                found
            }
        }
    };
    if let Some(c) = customer_id {
        if service.customer_id != c {
            return Err(ApiError::new(
                ErrorCode::ServiceCustomerMismatch,
                format!("{field}: service {} does not belong to customer {c}.", service.id),
            ));
        }
    }
    Ok(service)
}

/// The fields of a new order every kind shares (flow-through by default, as Orders_Create's
/// FlowThrough); the caller fills in the rest.
fn new_order(id: i32, customer_id: i32, order_type: OrderType, provider_id: Option<i32>, now: DateTime) -> OrderRecord {
    OrderRecord { flow_through: true, ..OrderRecord::new(id, pon_of(id), customer_id, order_type, provider_id, now) }
}

/// The default account of a provider, or the one named, which must be the provider's.
fn provider_account(provider: &Provider, field: &str, given: Option<i32>) -> ApiResult<Option<i32>> {
    match given {
        None => Ok(provider.accounts.iter().find(|a| a.default).map(|a| a.id)),
        Some(id) if provider.accounts.iter().any(|a| a.id == id) => Ok(Some(id)),
        Some(id) => Err(ApiError::invalid(field, format!("provider {} has no account {id}", provider.id))),
    }
}
