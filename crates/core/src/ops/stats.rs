//! OrderStats_Query (extension): the figures of the console's dashboard, for one client.
//! Orders by the day they were created and their status now, flow-through latency of the
//! most recent orders sent (from the events: creation to the first change from NEW), and
//! what waits in the queues.

use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult};
use crate::flow::events::{ORDER_CREATED, ORDER_STATUS_CHANGED};
use crate::model::EventFilter;
use async_trait::async_trait;
use patchbay_api::ops::OrderStatsQuery;
use patchbay_api::orders::*;
use patchbay_schema::DateTime;
use std::collections::HashMap;

const DEFAULT_DAYS: i32 = 14;
const MAX_DAYS: i32 = 90;
/// Events read for the latency figures: a creation and a first change per order sent.
const LATENCY_EVENTS: u32 = 2_000;
const LATENCY_SAMPLES: usize = 1_000;
const DAY_SECS: i64 = 86_400;

#[async_trait]
impl Handler for OrderStatsQuery {
    async fn handle(ctx: &Ctx, input: OrderStatsQueryInput) -> ApiResult<OrderStatsQueryOutput> {
        let days = input.days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(ApiError::invalid("Days", format!("must be from 1 to {MAX_DAYS}")));
        }
        let db = ctx.db();
        let today = DateTime::now().unix().div_euclid(DAY_SECS);
        let first = today - i64::from(days) + 1;
        let counts = db.order_counts_by_day(first * DAY_SECS).await?;
        let out_days = (first..=today)
            .map(|day| OrderDay {
                date: DateTime::from_unix(day * DAY_SECS).unwrap_or_else(DateTime::now),
                statuses: counts
                    .iter()
                    .filter(|(d, _, _)| *d == day)
                    .map(|&(_, status, count)| StatusCount { status, count })
                    .collect(),
            })
            .collect();

        let events = db
            .events(&EventFilter {
                names: vec![ORDER_CREATED.to_string(), ORDER_STATUS_CHANGED.to_string()],
                limit: LATENCY_EVENTS,
                ..EventFilter::default()
            })
            .await?;
        let mut created: HashMap<i32, i64> = HashMap::new();
        let mut left_new: HashMap<i32, i64> = HashMap::new();
        for e in &events {
            let Some(order) = e.order_id else { continue };
            if e.name == ORDER_CREATED {
                created.insert(order, e.at_ms);
            } else if e.data.get("from").and_then(|f| f.as_str()) == Some("NEW") {
                let at = left_new.entry(order).or_insert(e.at_ms);
                *at = (*at).min(e.at_ms);
            }
        }
        let mut samples: Vec<(i64, i64)> =
            left_new.iter().filter_map(|(order, at)| created.get(order).map(|c| (*at, (at - c).max(0)))).collect();
        // The most recent first, as many as kept.
        samples.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
        samples.truncate(LATENCY_SAMPLES);
        let mut latencies: Vec<i64> = samples.into_iter().map(|(_, l)| l).collect();
        latencies.sort_unstable();
        let pick = |q: f64| {
            latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1))).copied()
        };

        let backlog = db.flow_backlog(crate::flow::now_ms()).await?;
        Ok(OrderStatsQueryOutput {
            days: out_days,
            flow_through_samples: latencies.len() as i32,
            flow_through_p50_ms: pick(0.50),
            flow_through_p95_ms: pick(0.95),
            orders_queued: backlog.orders,
            event_deliveries_pending: backlog.deliveries,
        })
    }
}

#[async_trait]
impl Handler for patchbay_api::ops::InventoryCountsQuery {
    async fn handle(
        ctx: &Ctx,
        _input: patchbay_api::inventory::InventoryCountsQueryInput,
    ) -> ApiResult<patchbay_api::inventory::InventoryCountsQueryOutput> {
        use patchbay_api::inventory::{InventoryCount, InventoryCountsQueryOutput};
        let counts = ctx
            .db()
            .inventory_counts()
            .await?
            .into_iter()
            .map(|(inventory_type_id, status, count)| InventoryCount { inventory_type_id, status, count })
            .collect();
        Ok(InventoryCountsQueryOutput { counts })
    }
}
