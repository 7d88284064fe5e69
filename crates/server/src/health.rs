use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

pub async fn alive() -> &'static str {
    "ok\n"
}

/// Ready when the database answers; with the queues' backlog, so a load balancer or an
/// operator can see work piling up.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if let Err(e) = state.engine.store().ping().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": format!("database unreachable: {e}") })),
        );
    }
    match state.engine.flow_backlog().await {
        Ok(b) => {
            let age = b.oldest_undelivered_ms.map(|t| (patchbay_core::flow::now_ms() - t).max(0) as f64 / 1000.0);
            (
                StatusCode::OK,
                Json(json!({
                    "status": "ready",
                    "backlog": {
                        "orders_queued": b.orders,
                        "orders_due": b.orders_due,
                        "event_deliveries_pending": b.deliveries,
                        "oldest_undelivered_event_age_seconds": age,
                    }
                })),
            )
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": format!("the queues cannot be read: {e}") })),
        ),
    }
}
