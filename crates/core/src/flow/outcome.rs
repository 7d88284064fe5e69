//! What a provider's answer does to an order: a status change made by the client's system
//! actor through the same code as Orders_Update (so completing applies the order's effects,
//! once), plus the numbers a wireless activation was given. Answers that would move an order
//! back (a CONFIRMED after COMPLETE, a repeated callback) change nothing.

use super::{now_ms, record_order_change, Queueing};
use crate::engine::Ctx;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::*;
use crate::ops::orders::{assign_numbers, change_status};
use crate::provider::SendOutcome;
use patchbay_api::orders::OrderStatus;
use patchbay_schema::DateTime;

/// What a provider said of an order, from its adapter or its callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderReport {
    /// It has the order (SENT).
    Accepted,
    /// It confirmed the order (CONFIRMED).
    Confirmed,
    /// It carried the order out (COMPLETE), with the numbers a wireless line was given.
    Completed { mdn: Option<String>, msid: Option<String> },
    /// It refused the order (ERROR), for this reason.
    Rejected { reason: String },
    /// The order could not be handed over (FLOW_ERROR): `code` is the seed's error code that
    /// says why (CA2020 unreachable, CN2001 unusable settings).
    Undeliverable { code: ErrorCode, reason: String },
}

impl From<&SendOutcome> for ProviderReport {
    fn from(o: &SendOutcome) -> Self {
        match o {
            SendOutcome::Accepted { .. } => ProviderReport::Accepted,
            SendOutcome::Confirmed { .. } => ProviderReport::Confirmed,
            SendOutcome::Completed { mdn, msid } => ProviderReport::Completed { mdn: mdn.clone(), msid: msid.clone() },
            SendOutcome::Rejected { reason } => ProviderReport::Rejected { reason: reason.clone() },
        }
    }
}

impl ProviderReport {
    fn status(&self) -> (OrderStatus, Option<String>) {
        match self {
            ProviderReport::Accepted => (OrderStatus::Sent, None),
            ProviderReport::Confirmed => (OrderStatus::Confirmed, None),
            ProviderReport::Completed { .. } => (OrderStatus::Complete, None),
            ProviderReport::Rejected { reason } => (OrderStatus::Error, Some(reason.clone())),
            ProviderReport::Undeliverable { code, reason } => {
                (OrderStatus::FlowError, Some(format!("{}: {reason}", code.code())))
            }
        }
    }
}

/// What recording a report did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportResult {
    /// The order moved to this status.
    Applied(OrderStatus),
    /// The order was already there or further along: nothing changed.
    Unchanged,
    /// The queue entry the report answers was claimed again by another process since: the
    /// report is dropped, the newer claim will answer.
    Superseded,
}

/// How far along the way to completion a status is, for telling a late answer from news.
fn progress(s: OrderStatus) -> u8 {
    match s {
        OrderStatus::Sent => 1,
        OrderStatus::Confirmed | OrderStatus::Provisioned | OrderStatus::Jeopardy => 2,
        OrderStatus::Complete | OrderStatus::Canceled => 3,
        _ => 0,
    }
}

/// Whether a provider's report of `to` is news for an order at `from`.
fn advances(from: OrderStatus, to: OrderStatus) -> bool {
    if from.is_final() || from == to {
        return false;
    }
    match to {
        OrderStatus::Error | OrderStatus::FlowError => true,
        _ => progress(to) > progress(from),
    }
}

/// Records `report` for order `order_id`, in one transaction with its status history, events,
/// effects and audit record. `claim`, for the queue's worker, is the queue entry it holds:
/// when that entry has been claimed since, nothing is written; otherwise the entry becomes
/// `follow_up` (or goes, when there is none or the order is final). A provider's callback
/// passes no claim and leaves the queue alone.
pub async fn record_report(
    ctx: &Ctx,
    order_id: i32,
    report: Option<&ProviderReport>,
    claim: Option<&FlowJob>,
    follow_up: Option<FlowJob>,
) -> ApiResult<ReportResult> {
    let mut tx = ctx.db().begin().await?;
    if let Some(claim) = claim {
        match tx.flow_job_for_update(order_id).await? {
            Some(j) if j.claims == claim.claims => {}
            _ => return Ok(ReportResult::Superseded),
        }
    }
    let mut order = tx
        .order_for_update(order_id)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::OrderNotFound, "Order", order_id))?;
    let before = order.clone();
    let now = DateTime::now();
    let mut history = Vec::new();
    let mut result = ReportResult::Unchanged;
    if let Some(report) = report {
        let (to, note) = report.status();
        if advances(order.status, to) {
            if let Some(entry) = change_status(ctx, &mut *tx, &mut order, to, note, None, now).await? {
                history.push(entry);
                result = ReportResult::Applied(to);
            }
            if let ProviderReport::Completed { mdn, msid } = report {
                assign_numbers(ctx, &mut *tx, &order, mdn.as_deref(), msid.as_deref(), now).await?;
            }
        }
    }
    // The worker holds the order's entry and says what becomes of it; a callback leaves the
    // entry to follow the order (out of the queue once final).
    let queueing = if claim.is_some() { Queueing::Caller } else { Queueing::Follow };
    if claim.is_some() {
        match follow_up {
            Some(job) if !order.status.is_final() => tx.put_flow_job(&job).await?,
            _ => tx.delete_flow_job(order_id).await?,
        }
    }
    if order != before {
        order.updated_at = now;
        crate::flow::write_order(&mut *tx, &before, &order).await?;
        record_order_change(ctx, &mut *tx, Some(&before), &order, &history, queueing).await?;
        ctx.audit(&mut *tx, "order", &[i64::from(order_id)]).await?;
    }
    tx.commit().await?;
    Ok(result)
}

/// A provider's callback about one of its orders (the webhook adapter's providers answer this
/// way). The order must be one of `provider`'s; a report that is not news changes nothing.
pub async fn provider_callback(
    ctx: &Ctx,
    provider: &Provider,
    order_id: i32,
    report: &ProviderReport,
) -> ApiResult<ReportResult> {
    let order = ctx.db().order(order_id).await?;
    if order.as_ref().and_then(|o| o.provider_id) != Some(provider.id) {
        return Err(ApiError::new(
            ErrorCode::OrderNotFound,
            format!("Provider {} has no order {order_id}.", provider.code),
        ));
    }
    record_report(ctx, order_id, Some(report), None, None).await
}

/// Puts a claimed queue entry back to be tried again at `due_at_ms`, with why the attempt
/// failed; nothing when it has been claimed since.
pub(super) async fn retry_later(ctx: &Ctx, claim: &FlowJob, due_at_ms: i64, error: String) -> ApiResult<bool> {
    let mut tx = ctx.db().begin().await?;
    match tx.flow_job_for_update(claim.order_id).await? {
        Some(j) if j.claims == claim.claims => {}
        _ => return Ok(false),
    }
    let job = FlowJob { due_at_ms, lease_until_ms: 0, last_error: Some(error), ..claim.clone() };
    tx.put_flow_job(&job).await?;
    tx.commit().await?;
    Ok(true)
}

/// A queue entry that polls the provider `after_ms` from now.
pub(super) fn poll_job(claim: &FlowJob, sent_at_ms: i64, after_ms: i64) -> FlowJob {
    FlowJob {
        phase: JobPhase::Poll,
        due_at_ms: now_ms() + after_ms,
        lease_until_ms: 0,
        sent_at_ms: Some(sent_at_ms),
        last_error: None,
        ..claim.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_and_repeated_answers_are_not_news() {
        use OrderStatus::*;
        assert!(advances(New, Sent));
        assert!(advances(Sent, Complete));
        assert!(advances(FlowError, Sent), "a resent order");
        assert!(advances(Confirmed, Error));
        assert!(!advances(Confirmed, Sent), "a SENT after CONFIRMED");
        assert!(!advances(Complete, Confirmed));
        assert!(!advances(Complete, Error));
        assert!(!advances(Sent, Sent));
        assert!(!advances(Canceled, Complete));
    }
}
