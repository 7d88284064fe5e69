use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn alive() -> &'static str {
    "ok\n"
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
    match state.engine.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready\n".into()),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unreachable: {e}\n")),
    }
}
