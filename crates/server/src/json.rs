//! The JSON binding: `POST /api/v20/{Operation}` with the Request object as the body.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use patchbay_core::error::{ApiError, ErrorCode};
use patchbay_core::RequestObject;
use serde_json::{json, Value};
use std::time::Instant;

pub async fn post(
    State(state): State<AppState>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    if !state.engine.knows(&operation) {
        return refusal(StatusCode::NOT_FOUND, &format!("There is no operation named {operation:?}."));
    }
    let mut request = match RequestObject::from_json(&body) {
        Ok(request) => request,
        Err(e) => return refusal(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    if !request.authenticates() {
        if let Some(credentials) = basic_credentials(&headers) {
            request.set_credentials(credentials);
        }
    }
    let Some(execution) = state.engine.execute_object(&operation, request).await else {
        return refusal(StatusCode::NOT_FOUND, &format!("There is no operation named {operation:?}."));
    };
    state.record("json", &operation, &execution.outcome, started);
    match execution.streamed {
        Some(list) => ([(header::CONTENT_TYPE, "application/json")], crate::streamed::json(execution.result, list))
            .into_response(),
        None => Json(execution.result).into_response(),
    }
}

/// `Authorization: Basic base64(username@client:password)`, as the vendor's JSON API takes it.
fn basic_credentials(headers: &HeaderMap) -> Option<Value> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user_at_client, password) = text.split_once(':')?;
    let (username, client) = user_at_client.rsplit_once('@')?;
    Some(json!({ "Username": username, "Password": password, "Client": client }))
}

/// A request that never reached an operation, answered with the Header of an S2010 refusal.
fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(ApiError::new(ErrorCode::InvalidInput, message).result_object())).into_response()
}
