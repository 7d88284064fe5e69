//! Flow-through: orders travel to their providers by themselves, and what happens is told to
//! subscribers.
//!
//! - `queue` (this file): which orders wait to be sent. An order is queued in the transaction
//!   that creates or changes it ([`record_order_change`]), so a crash can lose no order and a
//!   rollback queues none.
//! - `outcome`: what a provider's answer does to an order (a status change through the same
//!   code as Orders_Update's, effects and all), from the worker or a provider's callback.
//! - `events`: events recorded with the change that caused them, one delivery per subscriber.
//! - `worker`: the loop of each process that claims due work (leased, so work is shared by
//!   several processes and a dead one's work is taken over), sends through the provider
//!   adapters and delivers events through an [`EventSink`].
//!
//! The core does no I/O: adapters and the event sink are traits, implemented in the
//! `patchbay-providers` crate.

pub mod events;
mod outcome;
mod worker;

pub use events::{record_item_history, record_item_history_later, EVENT_NAMES};
pub use outcome::{provider_callback, record_report, ProviderReport, ReportResult};
pub use worker::{Adapters, Dispatcher, EventSink, FlowObserver, FlowSettings};

use crate::engine::Ctx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::ClientTx;
use patchbay_api::orders::OrderStatus;

/// Now, in Unix milliseconds: the queue's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// Whether the order's process has routes and none is chosen yet: it waits for a route
/// decision, unsent.
pub fn awaits_route(config: &ClientConfig, order: &OrderRecord) -> bool {
    order.process_route_id.is_none()
        && order
            .process_id
            .and_then(|pid| config.processes.iter().find(|p| p.id == pid))
            .is_some_and(|p| !p.routes.is_empty())
}

/// Whether flow-through sends the order: it is marked for it (FlowThrough, FlowThroughFlag,
/// or SendOrders), NEW, for a provisionable provider, and not waiting for a route.
pub fn wants_sending(config: &ClientConfig, order: &OrderRecord) -> bool {
    (order.flow_through || order.send_now)
        && order.status == OrderStatus::New
        && order.provider_id.and_then(|id| config.provider(id)).is_some_and(|p| p.provisionable)
        && !awaits_route(config, order)
}

/// Whether an operator may resend the order (Orders_Update with FlowThroughFlag true): it
/// failed to reach its provider, or the provider refused it.
pub fn resendable(order: &OrderRecord) -> bool {
    matches!(order.status, OrderStatus::Error | OrderStatus::FlowError)
}

/// Writes a changed order: its row, and its lines, product changes and reserved inventory only
/// when they changed (a status change leaves them as they are).
pub async fn write_order(tx: &mut dyn ClientTx, before: &OrderRecord, order: &OrderRecord) -> ApiResult<()> {
    if order.lines == before.lines && order.items == before.items && order.inventory == before.inventory {
        tx.update_order_row(order).await?;
    } else {
        tx.update_order(order).await?;
    }
    Ok(())
}

/// What a change of an order does to its place in the flow-through queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queueing {
    /// Follows the order: queued when it comes to want sending, out when it no longer does
    /// or is final.
    Follow,
    /// Queued to be sent again, whatever it was (an operator's resend).
    Resend,
    /// Left to the caller (the worker, which holds the order's entry).
    Caller,
}

/// Records what the change of an order (`before` is `None` for a new one) entails beyond its
/// row: its status history, the events, and its place in the flow-through queue. Runs in the
/// change's transaction. Returns whether the order was queued, so the caller can wake the
/// worker once committed.
pub async fn record_order_change(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    before: Option<&OrderRecord>,
    order: &OrderRecord,
    history: &[OrderStatusRecord],
    queueing: Queueing,
) -> ApiResult<bool> {
    if !history.is_empty() {
        tx.insert_order_status(history).await?;
    }
    let mut news = Vec::new();
    if before.is_none() {
        news.push(events::order_created(order));
    }
    for entry in history {
        news.extend(events::status_changed(order, entry));
    }
    events::emit(ctx, tx, news).await?;

    let config = ctx.config();
    let wanted = before.is_some_and(|b| wants_sending(config, b));
    let wants = wants_sending(config, order);
    if queueing == Queueing::Caller {
        return Ok(false);
    }
    if queueing == Queueing::Resend || (wants && !wanted) {
        tx.put_flow_job(&FlowJob::send(order.id, now_ms())).await?;
        return Ok(true);
    }
    let finished = order.status.is_final() && !before.is_some_and(|b| b.status.is_final());
    if (wanted && !wants) || finished {
        tx.delete_flow_job(order.id).await?;
    }
    Ok(false)
}

/// [`record_order_change`] for orders just created, in one statement per table, with `more`
/// events of their transaction; `reserved_events` as [`events::emit_reserved`].
pub async fn record_new_orders(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    orders: &[OrderRecord],
    history: &[OrderStatusRecord],
    more: Vec<events::NewEvent>,
    reserved_events: Option<(i32, usize)>,
) -> ApiResult<bool> {
    tx.insert_order_status(history).await?;
    let mut news: Vec<events::NewEvent> = orders.iter().map(events::order_created).collect();
    news.extend(more);
    events::emit_reserved(ctx, tx, news, reserved_events).await?;
    let now = now_ms();
    let mut queued = false;
    for o in orders.iter().filter(|o| wants_sending(ctx.config(), o)) {
        tx.put_flow_job(&FlowJob::send(o.id, now)).await?;
        queued = true;
    }
    Ok(queued)
}
