//! Prometheus metrics: requests by operation and outcome, a latency histogram, live sessions,
//! and the flow-through worker's: queue depth, send latency and outcomes (attempts and
//! failures) by provider, event deliveries and their lag. Per client, the dashboard's
//! figures (`patchbay_core::ops::stats`, read from the client's database when scraped): orders
//! created today by status, flow-through latency of the most recent orders as quantiles and as
//! a histogram, and the client's backlog; the console's dashboard draws the same figures.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use patchbay_core::flow::FlowObserver;
use patchbay_core::ops::stats::LATENCY_BUCKETS_MS;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::time::Duration;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    sessions_live: IntGauge,
    flow_sends: IntCounterVec,
    flow_send_latency: HistogramVec,
    flow_queue_depth: IntGauge,
    flow_queue_due: IntGauge,
    event_deliveries: IntCounterVec,
    event_lag: Histogram,
    event_backlog: IntGauge,
    client_orders_today: IntGaugeVec,
    client_flow_through_ms: IntGaugeVec,
    client_flow_through_orders: IntGaugeVec,
    client_queue_depth: IntGaugeVec,
    client_event_backlog: IntGaugeVec,
    client_figures_failures: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("patchbay_requests_total", "Requests by operation and outcome (success or error code)."),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("patchbay_request_duration_seconds", "Time to answer a request.")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0]),
            &["operation"],
        )
        .expect("valid metric");
        let sessions_live =
            IntGauge::new("patchbay_sessions_live", "Sessions that are open and not idle past their limit.")
                .expect("valid metric");
        let flow_sends = IntCounterVec::new(
            Opts::new(
                "patchbay_flow_attempts_total",
                "Orders sent to (or polled at) providers, by provider and outcome: accepted, confirmed, \
                 completed, rejected, unreachable, bad_answer, misconfigured.",
            ),
            &["provider", "outcome"],
        )
        .expect("valid metric");
        let flow_send_latency = HistogramVec::new(
            HistogramOpts::new("patchbay_flow_send_duration_seconds", "Time a provider took to answer an order.")
                .buckets(vec![0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["provider"],
        )
        .expect("valid metric");
        let flow_queue_depth =
            IntGauge::new("patchbay_flow_queue_depth", "Orders in the flow-through queue.").expect("valid metric");
        let flow_queue_due =
            IntGauge::new("patchbay_flow_queue_due", "Orders in the flow-through queue that are due or overdue.")
                .expect("valid metric");
        let event_deliveries = IntCounterVec::new(
            Opts::new("patchbay_event_deliveries_total", "Event deliveries to subscribers, by outcome."),
            &["outcome"],
        )
        .expect("valid metric");
        let event_lag = Histogram::with_opts(
            HistogramOpts::new("patchbay_event_delivery_lag_seconds", "Time from an event to its delivery.")
                .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0]),
        )
        .expect("valid metric");
        let event_backlog =
            IntGauge::new("patchbay_event_deliveries_pending", "Event deliveries not yet made.").expect("valid metric");
        let client_orders_today = IntGaugeVec::new(
            Opts::new("patchbay_client_orders_today", "Orders created today (UTC), by client and their status now."),
            &["client", "status"],
        )
        .expect("valid metric");
        let client_flow_through_ms = IntGaugeVec::new(
            Opts::new(
                "patchbay_client_flow_through_milliseconds",
                "Flow-through latency (creation to the first change from NEW) of a client's most recent \
                 orders sent (at most 1,000), by quantile.",
            ),
            &["client", "quantile"],
        )
        .expect("valid metric");
        let client_flow_through_orders = IntGaugeVec::new(
            Opts::new(
                "patchbay_client_flow_through_recent_orders",
                "Of a client's most recent orders sent (at most 1,000), how many left NEW within `le` \
                 milliseconds (cumulative, as a histogram's buckets).",
            ),
            &["client", "le"],
        )
        .expect("valid metric");
        let client_queue_depth = IntGaugeVec::new(
            Opts::new("patchbay_client_flow_queue_depth", "Orders in the flow-through queue, by client."),
            &["client"],
        )
        .expect("valid metric");
        let client_event_backlog = IntGaugeVec::new(
            Opts::new("patchbay_client_event_deliveries_pending", "Event deliveries not yet made, by client."),
            &["client"],
        )
        .expect("valid metric");
        let client_figures_failures = IntCounterVec::new(
            Opts::new(
                "patchbay_client_figures_failures_total",
                "Scrapes at which a client's figures could not be read from its database (its \
                 patchbay_client_* series are then absent, and it is left out of the process-wide \
                 queue gauges); the error is logged.",
            ),
            &["client"],
        )
        .expect("valid metric");
        registry.register(Box::new(client_figures_failures.clone())).expect("registered once");
        registry.register(Box::new(client_orders_today.clone())).expect("registered once");
        registry.register(Box::new(client_flow_through_ms.clone())).expect("registered once");
        registry.register(Box::new(client_flow_through_orders.clone())).expect("registered once");
        registry.register(Box::new(client_queue_depth.clone())).expect("registered once");
        registry.register(Box::new(client_event_backlog.clone())).expect("registered once");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        registry.register(Box::new(sessions_live.clone())).expect("registered once");
        registry.register(Box::new(flow_sends.clone())).expect("registered once");
        registry.register(Box::new(flow_send_latency.clone())).expect("registered once");
        registry.register(Box::new(flow_queue_depth.clone())).expect("registered once");
        registry.register(Box::new(flow_queue_due.clone())).expect("registered once");
        registry.register(Box::new(event_deliveries.clone())).expect("registered once");
        registry.register(Box::new(event_lag.clone())).expect("registered once");
        registry.register(Box::new(event_backlog.clone())).expect("registered once");
        Metrics {
            registry,
            requests,
            latency,
            sessions_live,
            flow_sends,
            flow_send_latency,
            flow_queue_depth,
            flow_queue_due,
            event_deliveries,
            event_lag,
            event_backlog,
            client_orders_today,
            client_flow_through_ms,
            client_flow_through_orders,
            client_queue_depth,
            client_event_backlog,
            client_figures_failures,
        }
    }

    pub fn observe(&self, operation: &str, outcome: &str, elapsed: Duration) {
        self.requests.with_label_values(&[operation, outcome]).inc();
        self.latency.with_label_values(&[operation]).observe(elapsed.as_secs_f64());
    }
}

impl Metrics {
    fn set_client_figures(&self, figures: &[(String, patchbay_core::ops::stats::ClientFigures)]) {
        // Reset, so a client no longer configured leaves no series behind.
        for vec in [
            &self.client_orders_today,
            &self.client_flow_through_ms,
            &self.client_flow_through_orders,
            &self.client_queue_depth,
            &self.client_event_backlog,
        ] {
            vec.reset();
        }
        for (client, f) in figures {
            if let Some(today) = f.days.last() {
                for s in &today.statuses {
                    self.client_orders_today.with_label_values(&[client, s.status.wire_name()]).set(s.count);
                }
            }
            let flow = &f.flow_through;
            for (q, v) in [("0.5", flow.p50_ms), ("0.95", flow.p95_ms)] {
                if let Some(v) = v {
                    self.client_flow_through_ms.with_label_values(&[client, q]).set(v);
                }
            }
            let mut cumulative = 0;
            for (i, count) in flow.buckets.iter().enumerate() {
                cumulative += count;
                let le = LATENCY_BUCKETS_MS.get(i).map_or_else(|| "+Inf".to_string(), |b| b.to_string());
                self.client_flow_through_orders.with_label_values(&[client, &le]).set(cumulative);
            }
            self.client_queue_depth.with_label_values(&[client]).set(f.backlog.orders);
            self.client_event_backlog.with_label_values(&[client]).set(f.backlog.deliveries);
        }
    }
}

impl FlowObserver for Metrics {
    fn sent(&self, provider: &str, outcome: &str, elapsed: Duration) {
        self.flow_sends.with_label_values(&[provider, outcome]).inc();
        self.flow_send_latency.with_label_values(&[provider]).observe(elapsed.as_secs_f64());
    }

    fn delivered(&self, ok: bool, lag: Duration) {
        self.event_deliveries.with_label_values(&[if ok { "delivered" } else { "failed" }]).inc();
        if ok {
            self.event_lag.observe(lag.as_secs_f64());
        }
    }
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(n) = state.engine.live_sessions().await {
        state.metrics.sessions_live.set(n);
    }
    // One read of every client's figures; the process-wide backlog is their sum. A client
    // whose figures cannot be read is counted and logged, and the others are still shown.
    if let Ok(all) = state.engine.figures_by_client(1).await {
        let mut figures = Vec::with_capacity(all.len());
        for (client, result) in all {
            match result {
                Ok(f) => figures.push((client, f)),
                Err(e) => {
                    tracing::warn!(client = %client, error = %e, "reading a client's figures for /metrics failed");
                    state.metrics.client_figures_failures.with_label_values(&[&client]).inc();
                }
            }
        }
        let mut b = patchbay_core::model::FlowBacklog::default();
        for (_, f) in &figures {
            b.add(&f.backlog);
        }
        state.metrics.flow_queue_depth.set(b.orders);
        state.metrics.flow_queue_due.set(b.orders_due);
        state.metrics.event_backlog.set(b.deliveries);
        state.metrics.set_client_figures(&figures);
    }
    let mut out = Vec::new();
    let _ = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
