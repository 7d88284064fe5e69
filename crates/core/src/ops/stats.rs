//! The figures of a client's flow-through and orders, computed in one place for both readers:
//! OrderStats_Query (the console's dashboard) and the per-client series of `/metrics`. Orders
//! by the day they were created and their status now; flow-through latency of the most recent
//! orders sent (from the events: creation to the first change from NEW), as quantiles and as a
//! histogram; what waits in the queues. Everything is read from the client's database, so every
//! process of an installation reports the same figures.

use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult};
use crate::flow::events::{ORDER_CREATED, ORDER_STATUS_CHANGED};
use crate::model::{EventFilter, FlowBacklog};
use crate::store::ClientDb;
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

/// The upper bounds (ms) of the flow-through latency histogram's buckets; the last bucket
/// holds everything slower.
pub const LATENCY_BUCKETS_MS: [i64; 12] = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000];

/// A client's figures over the last `days` days (today, UTC, included).
#[derive(Clone, Debug, PartialEq)]
pub struct ClientFigures {
    /// Oldest first; every day of the period, also those without orders.
    pub days: Vec<OrderDay>,
    pub flow_through: FlowThrough,
    pub backlog: FlowBacklog,
}

/// Flow-through latency of the most recent orders sent, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowThrough {
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
    /// Orders per bucket (not cumulative): one per bound of `LATENCY_BUCKETS_MS`, then the
    /// slower ones.
    pub buckets: Vec<i64>,
}

impl FlowThrough {
    fn of(mut latencies: Vec<i64>) -> Self {
        latencies.sort_unstable();
        let pick = |q: f64| {
            latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1))).copied()
        };
        let mut buckets = vec![0i64; LATENCY_BUCKETS_MS.len() + 1];
        for l in &latencies {
            buckets[LATENCY_BUCKETS_MS.partition_point(|&bound| bound < *l)] += 1;
        }
        FlowThrough { p50_ms: pick(0.50), p95_ms: pick(0.95), buckets }
    }

    /// How many orders were measured.
    pub fn samples(&self) -> i64 {
        self.buckets.iter().sum()
    }
}

/// Days must be from 1 to 90 (S2010 names `Days` otherwise).
pub async fn client_figures(db: &dyn ClientDb, days: i32) -> ApiResult<ClientFigures> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::invalid("Days", format!("must be from 1 to {MAX_DAYS}")));
    }
    let today = DateTime::now().unix().div_euclid(DAY_SECS);
    let first = today - i64::from(days) + 1;
    let counts = db.order_counts_by_day(first * DAY_SECS).await?;
    let days = (first..=today)
        .map(|day| OrderDay {
            date: DateTime::from_unix(day * DAY_SECS).unwrap_or_else(DateTime::now),
            statuses: counts
                .iter()
                .filter(|(d, _, _)| *d == day)
                .map(|&(_, status, count)| StatusCount { status, count })
                .collect(),
        })
        .collect();
    Ok(ClientFigures {
        days,
        flow_through: flow_through(db).await?,
        backlog: db.flow_backlog(crate::flow::now_ms()).await?,
    })
}

async fn flow_through(db: &dyn ClientDb) -> ApiResult<FlowThrough> {
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
    Ok(FlowThrough::of(samples.into_iter().map(|(_, l)| l).collect()))
}

#[async_trait]
impl Handler for OrderStatsQuery {
    async fn handle(ctx: &Ctx, input: OrderStatsQueryInput) -> ApiResult<OrderStatsQueryOutput> {
        let figures = client_figures(ctx.db(), input.days.unwrap_or(DEFAULT_DAYS)).await?;
        let flow = &figures.flow_through;
        Ok(OrderStatsQueryOutput {
            days: figures.days,
            flow_through_samples: flow.samples() as i32,
            flow_through_p50_ms: flow.p50_ms,
            flow_through_p95_ms: flow.p95_ms,
            flow_through_buckets: flow
                .buckets
                .iter()
                .enumerate()
                .map(|(i, &count)| LatencyBucket { le_ms: LATENCY_BUCKETS_MS.get(i).copied(), count })
                .collect(),
            orders_queued: figures.backlog.orders,
            event_deliveries_pending: figures.backlog.deliveries,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_the_bucket_of_their_upper_bound() {
        let f = FlowThrough::of(vec![10, 11, 0, 60_000, 60_001, 400]);
        assert_eq!(f.samples(), 6);
        assert_eq!(f.buckets.len(), LATENCY_BUCKETS_MS.len() + 1);
        assert_eq!(f.buckets[0], 2, "0 and 10 are ≤ 10 ms");
        assert_eq!(f.buckets[1], 1, "11 is ≤ 25 ms");
        assert_eq!(f.buckets[5], 1, "400 is ≤ 500 ms");
        assert_eq!(f.buckets[11], 1, "60,000 is ≤ 60 s");
        assert_eq!(f.buckets[12], 1, "60,001 is slower than every bound");
        assert_eq!(f.p50_ms, Some(400));
        assert_eq!(f.p95_ms, Some(60_001));
        assert_eq!(FlowThrough::of(vec![]).p50_ms, None);
    }
}
