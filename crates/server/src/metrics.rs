//! Prometheus metrics: requests by operation and outcome, a latency histogram, live sessions,
//! and the flow-through worker's: queue depth, send latency and outcomes (attempts and
//! failures) by provider, event deliveries and their lag.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use patchbay_core::flow::FlowObserver;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
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
        }
    }

    pub fn observe(&self, operation: &str, outcome: &str, elapsed: Duration) {
        self.requests.with_label_values(&[operation, outcome]).inc();
        self.latency.with_label_values(&[operation]).observe(elapsed.as_secs_f64());
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
    if let Ok(b) = state.engine.flow_backlog().await {
        state.metrics.flow_queue_depth.set(b.orders);
        state.metrics.flow_queue_due.set(b.orders_due);
        state.metrics.event_backlog.set(b.deliveries);
    }
    let mut out = Vec::new();
    let _ = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
