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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrderRecord;
    use patchbay_api::orders::OrderType;
    use patchbay_schema::DateTime;

    fn order(status: OrderStatus, sent: bool) -> OrderRecord {
        let mut o = super::super::new_order(7, 1, OrderType::Deny, Some(10), DateTime::now());
        o.status = status;
        o.sent_at = sent.then(DateTime::now);
        o
    }

    #[test]
    fn final_statuses_never_change_but_repeating_them_is_no_change() {
        for s in [OrderStatus::Complete, OrderStatus::Canceled] {
            assert_eq!(check_transition(&order(s, true), s), Ok(false));
            for to in OrderStatus::ALL.into_iter().filter(|t| *t != s) {
                let e = check_transition(&order(s, true), to).unwrap_err();
                assert_eq!(e.code, crate::error::ErrorCode::InvalidInput);
                assert!(e.message.unwrap().starts_with("Status: "));
            }
        }
    }

    #[test]
    fn new_goes_straight_to_complete_and_anywhere_but_not_specified() {
        let o = order(OrderStatus::New, false);
        for to in OrderStatus::ALL {
            let r = check_transition(&o, to);
            match to {
                OrderStatus::New => assert_eq!(r, Ok(false)),
                OrderStatus::NotSpecified => assert!(r.is_err()),
                _ => assert_eq!(r, Ok(true), "NEW -> {to:?}"),
            }
        }
    }

    #[test]
    fn back_to_new_only_from_a_hold_never_sent() {
        assert_eq!(check_transition(&order(OrderStatus::Hold, false), OrderStatus::New), Ok(true));
        assert!(check_transition(&order(OrderStatus::Hold, true), OrderStatus::New).is_err());
        assert!(check_transition(&order(OrderStatus::Sent, true), OrderStatus::New).is_err());
        assert!(check_transition(&order(OrderStatus::FlowError, true), OrderStatus::New).is_err());
        assert_eq!(check_transition(&order(OrderStatus::FlowError, true), OrderStatus::Sent), Ok(true));
        assert_eq!(check_transition(&order(OrderStatus::Error, true), OrderStatus::Complete), Ok(true));
    }

    #[test]
    fn holds_and_new_do_not_count_as_sent() {
        for s in [
            OrderStatus::New,
            OrderStatus::Hold,
            OrderStatus::PaymentHold,
            OrderStatus::LifelineHold,
            OrderStatus::Canceled,
        ] {
            assert!(!counts_as_sent(s));
        }
        for s in [
            OrderStatus::Sent,
            OrderStatus::Confirmed,
            OrderStatus::Complete,
            OrderStatus::Error,
            OrderStatus::FlowError,
        ] {
            assert!(counts_as_sent(s));
        }
    }
}
