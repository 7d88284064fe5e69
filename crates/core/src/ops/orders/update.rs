//! Orders_Update: status changes through the state machine (`state`), the order's flags,
//! tracking, process and route, and product changes while the order is open. Setting
//! COMPLETE applies the order's effects and CANCELED gives back what it reserved, in the
//! transaction that records the status, so repeating either changes nothing.

use super::create::{plan_product_changes, products_in, NewProduct, LIVE};
use super::state::{check_transition, counts_as_sent};
use super::*;
use crate::engine::Handler;
use crate::flow::Queueing;
use crate::store::ClientTx;
use async_trait::async_trait;
use patchbay_api::common::Empty;
use patchbay_api::customers::CustomerProductStatus;
use patchbay_api::ops::OrdersUpdate;
use patchbay_api::orders::*;
use rust_decimal::Decimal;

/// Makes `service` one of the order's lines (as changed) if it is not already.
fn involve(order: &mut OrderRecord, service: &ServiceRecord) {
    if !order.lines.iter().any(|l| l.service_id == service.id) {
        order.lines.push(OrderLineRecord {
            service_id: service.id,
            tn: service.tn.clone(),
            action: LineAction::Change,
            package_id: service.package_id,
            old_package_id: None,
        });
    }
}

#[async_trait]
impl Handler for OrdersUpdate {
    async fn handle(ctx: &Ctx, input: OrdersUpdateInput) -> ApiResult<Empty> {
        let (db, config) = (ctx.db(), ctx.config());
        let id = input.order_id.ok_or_else(|| ApiError::invalid("OrderID", "is required"))?;
        if input.status_note.is_some() && input.status.is_none() {
            return Err(ApiError::invalid("StatusNote", "can only be set together with a status change (Status)"));
        }
        if input.completion_date.is_some() && input.status != Some(OrderStatus::Complete) {
            return Err(ApiError::invalid("CompletionDate", "can only be set when changing the status to COMPLETE"));
        }
        let process_change = match input.process_id {
            None => None,
            Some(0) => Some(None),
            Some(pid) => Some(Some(process(config, "ProcessID", Some(pid))?.expect("a process id was given"))),
        };
        let stored = db.order(id).await?.ok_or_else(|| ApiError::not_found(ErrorCode::OrderNotFound, "Order", id))?;

        // Product changes are validated against the services as they are now.
        let mut adds: Vec<(ServiceRecord, NewProduct)> = Vec::new();
        let mut edits: Vec<(ServiceRecord, CustomerProductRecord, Option<Decimal>, Option<i32>)> = Vec::new();
        let mut removes: Vec<(ServiceRecord, CustomerProductRecord)> = Vec::new();
        let lines = input.lines.clone().unwrap_or_default();
        if !lines.is_empty() && stored.status.is_final() {
            return Err(ApiError::invalid(
                "Lines",
                format!("order {id} is {} and its products can no longer change", stored.status.wire_name()),
            ));
        }
        if !lines.is_empty() {
            // Product changes are new business for the customer, refused for a Closed one
            // like a new order.
            orderable_customer(db, "Lines", stored.customer_id).await?;
        }
        for (i, l) in lines.iter().enumerate() {
            let f = format!("Lines/OrderLineUpdateItem[{}]", i + 1);
            let service = resolve_service(db, &f, l.line_id, l.tn.as_deref(), Some(stored.customer_id)).await?;
            let changes = l.products.clone().unwrap_or_default();
            if changes.add.is_empty() && changes.change.is_empty() && changes.remove.is_empty() {
                return Err(ApiError::invalid(
                    &format!("{f}/Products"),
                    "must hold at least one Add, Change or Remove",
                ));
            }
            products_in(db, &service, &LIVE, "left to change (it is disconnected)").await?;
            plan_product_changes(
                ctx,
                &format!("{f}/Products"),
                &service,
                &changes,
                &mut adds,
                &mut edits,
                &mut removes,
            )
            .await?;
        }

        let now = DateTime::now();
        let mut tx = db.begin().await?;
        let mut order =
            tx.order_for_update(id).await?.ok_or_else(|| ApiError::not_found(ErrorCode::OrderNotFound, "Order", id))?;
        let before = order.clone();
        let final_ = order.status.is_final();
        if final_ && !lines.is_empty() {
            // Checked again under the lock: the order may have completed since it was read.
            return Err(ApiError::invalid(
                "Lines",
                format!("order {id} is {} and its products can no longer change", order.status.wire_name()),
            ));
        }
        let refuse_final = |field: &str| {
            ApiError::invalid(field, format!("order {id} is {} and can no longer change", order.status.wire_name()))
        };

        if let Some(flag) = input.flow_through_flag {
            if final_ && flag != order.flow_through {
                return Err(refuse_final("FlowThroughFlag"));
            }
            order.flow_through = flag;
            if !flag {
                // Off means not sent by itself, SendOrders or not.
                order.send_now = false;
            }
        }
        if let Some(t) = &input.tracking_number {
            order.tracking_number = Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
        if let Some(s) = input.shipping_status {
            order.shipping_status = s;
        }
        if let Some(p) = process_change {
            let pid = p.map(|p| p.id);
            if final_ && pid != order.process_id {
                return Err(refuse_final("ProcessID"));
            }
            if pid != order.process_id {
                order.process_id = pid;
                order.process_route_id = None;
            }
        }
        if let Some(route) = input.process_route_id {
            if final_ && Some(route).filter(|r| *r != 0) != order.process_route_id {
                return Err(refuse_final("ProcessRouteID"));
            }
            if route == 0 {
                order.process_route_id = None;
            } else {
                let proc_ = order.process_id.and_then(|pid| config.processes.iter().find(|p| p.id == pid));
                match proc_ {
                    None => {
                        return Err(ApiError::invalid(
                            "ProcessRouteID",
                            format!("order {id} has no process, so no route can be chosen"),
                        ))
                    }
                    Some(p) if !p.routes.iter().any(|r| r.id == route) => {
                        return Err(ApiError::invalid(
                            "ProcessRouteID",
                            format!("{route} is not a route of process {} ({})", p.id, p.name),
                        ))
                    }
                    Some(_) => order.process_route_id = Some(route),
                }
            }
        }

        // Product changes: those aimed at a product this order adds change that product
        // directly; others join the order's changes.
        if !adds.is_empty() {
            let first = tx.next_ids("customer_product", adds.len() as i32).await?;
            let mut records = Vec::with_capacity(adds.len());
            for (i, (service, p)) in adds.iter().enumerate() {
                let cp = first + i as i32;
                records.push(p.pending(cp, service.customer_id, service.id));
                involve(&mut order, service);
                order.items.push(OrderItemRecord {
                    service_id: service.id,
                    action: ItemAction::Add,
                    customer_product_id: cp,
                    product_id: p.product_id,
                    rate: Some(p.rate),
                    quantity: Some(p.quantity),
                });
            }
            tx.insert_customer_products(&records).await?;
        }
        let pending_add = |order: &OrderRecord, cp: &CustomerProductRecord| {
            cp.status == CustomerProductStatus::Pending
                && order.items.iter().any(|i| i.action == ItemAction::Add && i.customer_product_id == cp.id)
        };
        let mut edited = Vec::new();
        for (service, cp, rate, qty) in edits {
            if pending_add(&order, &cp) {
                let mut cp = cp;
                if let Some(r) = rate {
                    cp.rate = r;
                }
                if let Some(q) = qty {
                    cp.quantity = q;
                }
                if let Some(item) = order.items.iter_mut().find(|i| i.customer_product_id == cp.id) {
                    item.rate = Some(cp.rate);
                    item.quantity = Some(cp.quantity);
                }
                edited.push(cp);
            } else {
                involve(&mut order, &service);
                order.items.push(OrderItemRecord {
                    service_id: service.id,
                    action: ItemAction::Change,
                    customer_product_id: cp.id,
                    product_id: cp.product_id,
                    rate,
                    quantity: qty,
                });
            }
        }
        if !edited.is_empty() {
            tx.update_customer_products(&edited).await?;
        }
        let mut dropped = Vec::new();
        for (service, cp) in removes {
            if pending_add(&order, &cp) {
                order.items.retain(|i| i.customer_product_id != cp.id);
                dropped.push(cp.id);
            } else {
                involve(&mut order, &service);
                order.items.push(OrderItemRecord {
                    service_id: service.id,
                    action: ItemAction::Remove,
                    customer_product_id: cp.id,
                    product_id: cp.product_id,
                    rate: None,
                    quantity: None,
                });
            }
        }
        if !dropped.is_empty() {
            tx.delete_customer_products(&dropped).await?;
        }

        let mut history = Vec::new();
        if let Some(to) = input.status {
            if let Some(entry) =
                change_status(ctx, &mut *tx, &mut order, to, text(&input.status_note), input.completion_date, now)
                    .await?
            {
                history.push(entry);
            }
        }
        // FlowThroughFlag true on an order that failed to reach its provider, or that the
        // provider refused, sends it again (docs/semantics.md, "Orders_Update: resending").
        let resend = input.flow_through_flag == Some(true) && history.is_empty() && crate::flow::resendable(&order);

        if order == before && !resend {
            // Nothing changes (a repeated COMPLETE, say): nothing is written.
            return Ok(Empty {});
        }
        order.updated_at = now;
        crate::flow::write_order(&mut *tx, &before, &order).await?;
        let queueing = if resend { Queueing::Resend } else { Queueing::Follow };
        let queued = crate::flow::record_order_change(ctx, &mut *tx, Some(&before), &order, &history, queueing).await?;
        ctx.audit(&mut *tx, "order", &[i64::from(id)]).await?;
        tx.commit().await?;
        if queued {
            ctx.wake_flow();
        }
        Ok(Empty {})
    }
}

/// Moves `order` to `to` through the state machine (`state`), with what the move entails:
/// completing applies the order's effects (dated `completion`, today by default), canceling
/// gives back what it reserved. Returns the history entry to record, or `None` when `to` is
/// the status the order already has. Orders_Update and the flow-through worker both go
/// through here.
pub(crate) async fn change_status(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    order: &mut OrderRecord,
    to: OrderStatus,
    note: Option<String>,
    completion: Option<DateTime>,
    now: DateTime,
) -> ApiResult<Option<OrderStatusRecord>> {
    if !check_transition(order, to)? {
        return Ok(None);
    }
    let from = order.status;
    match to {
        OrderStatus::Complete => {
            let at = completion.unwrap_or(now);
            effects::complete(ctx, tx, order, at).await?;
            order.completed_at = Some(at);
        }
        OrderStatus::Canceled => effects::cancel(ctx, tx, order, now).await?,
        _ => {}
    }
    if counts_as_sent(to) && order.sent_at.is_none() {
        order.sent_at = Some(now);
    }
    order.status = to;
    order.status_note = note.clone();
    Ok(Some(status_entry(ctx, order.id, Some(from), to, note)))
}
