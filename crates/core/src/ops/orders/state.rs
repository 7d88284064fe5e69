//! The order state machine (docs/semantics.md, "Orders_Update: the order state machine").
//!
//! - COMPLETE and CANCELED are final: nothing moves out of them. Asking for the status an
//!   order already has is not a change, so repeating a COMPLETE is answered with success and
//!   applies nothing again.
//! - NOT_SPECIFIED is never a status an order can be given.
//! - NEW is where every order starts; an order goes back to NEW only from a hold (HOLD,
//!   PAYMENT_HOLD, LIFELINE_HOLD) and only if it was never sent.
//! - Between the other statuses any move is allowed: providers answer out of order (a
//!   CONFIRMED can arrive after a PROVISIONED), operators resend ERROR and FLOW_ERROR orders,
//!   and public client code moves NEW straight to COMPLETE.

use crate::error::{ApiError, ApiResult};
use crate::model::OrderRecord;
use patchbay_api::orders::OrderStatus;

/// Whether `to` is a hold.
pub fn is_hold(s: OrderStatus) -> bool {
    matches!(s, OrderStatus::Hold | OrderStatus::PaymentHold | OrderStatus::LifelineHold)
}

/// Checks a move of `order` to `to`. `Ok(false)` means `to` is the status it already has.
pub fn check_transition(order: &OrderRecord, to: OrderStatus) -> ApiResult<bool> {
    let from = order.status;
    if from == to {
        return Ok(false);
    }
    if from.is_final() {
        return Err(ApiError::invalid(
            "Status",
            format!(
                "order {} is {} and can no longer change status (COMPLETE and CANCELED are final)",
                order.id,
                from.wire_name()
            ),
        ));
    }
    if to == OrderStatus::NotSpecified {
        return Err(ApiError::invalid("Status", "NOT_SPECIFIED cannot be set"));
    }
    if to == OrderStatus::New && (!is_hold(from) || order.sent_at.is_some()) {
        return Err(ApiError::invalid(
            "Status",
            format!(
                "order {} cannot go back to NEW from {} (only an order on hold that was never sent can)",
                order.id,
                from.wire_name()
            ),
        ));
    }
    Ok(true)
}

/// Whether moving to `to` means the order has left for its provider.
pub fn counts_as_sent(to: OrderStatus) -> bool {
    !matches!(to, OrderStatus::New | OrderStatus::NotSpecified | OrderStatus::Canceled) && !is_hold(to)
}
