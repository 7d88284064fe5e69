//! The HTTP front of Patchbay.
//!
//! Handlers only translate: the SOAP endpoint turns an envelope into a request object with
//! `patchbay-soap`, the JSON endpoint takes the request object as it comes, and both hand it to
//! the same [`Engine`]. Nothing here decides what an operation does.

mod callbacks;
mod health;
mod json;
mod metrics;
mod openapi;
mod soap;
mod streamed;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use patchbay_core::{Engine, Outcome};
use std::sync::Arc;
use std::time::Instant;

pub use metrics::Metrics;
pub use patchbay_soap::Limits;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<Limits>,
}

impl AppState {
    pub fn new(engine: Engine, limits: Limits) -> Self {
        AppState { engine, metrics: Arc::new(Metrics::new()), limits: Arc::new(limits) }
    }

    /// One structured log line and the metrics of one request.
    fn record(&self, binding: &'static str, operation: &str, outcome: &Outcome, started: Instant) {
        let elapsed = started.elapsed();
        let result = if outcome.success { "success" } else { outcome.error_code.unwrap_or("error") };
        self.metrics.observe(operation, result, elapsed);
        tracing::info!(
            target: "patchbay::request",
            binding,
            operation,
            client = outcome.client.as_deref().unwrap_or("-"),
            user = outcome.user.as_deref().unwrap_or("-"),
            outcome = result,
            duration_us = elapsed.as_micros() as u64,
        );
    }
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.max_body_bytes;
    Router::new()
        .route("/v20/default.asmx", get(soap::get).post(soap::post))
        .route("/api/v20/openapi.json", get(openapi::document))
        .route("/api/v20/{operation}", post(json::post))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/callbacks/providers/{provider_code}/orders/{order_id}", post(callbacks::post))
        .route(
            "/callbacks/clients/{client_code}/providers/{provider_code}/orders/{order_id}",
            post(callbacks::post_for_client),
        )
        .nest_service("/console", patchbay_console::router(state.engine.clone()))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops accepting and lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Streamed answers end in a small chunk; with Nagle's algorithm on it would wait for the
    // client's delayed ACK (about 40 ms) on a kept-alive connection.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY on an accepted connection: {e}");
        }
    });
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
