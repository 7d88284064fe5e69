//! Prometheus metrics: requests by operation and outcome, a latency histogram, live sessions.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};
use std::time::Duration;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    sessions_live: IntGauge,
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
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        registry.register(Box::new(sessions_live.clone())).expect("registered once");
        Metrics { registry, requests, latency, sessions_live }
    }

    pub fn observe(&self, operation: &str, outcome: &str, elapsed: Duration) {
        self.requests.with_label_values(&[operation, outcome]).inc();
        self.latency.with_label_values(&[operation]).observe(elapsed.as_secs_f64());
    }
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(n) = state.engine.live_sessions().await {
        state.metrics.sessions_live.set(n);
    }
    let mut out = Vec::new();
    let _ = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
