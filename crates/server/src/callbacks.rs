//! `POST /callbacks/providers/{provider_code}/orders/{order_id}`: a webhook provider tells us
//! where one of its orders stands.
//!
//! Also `POST /callbacks/clients/{client_code}/providers/{provider_code}/orders/{order_id}`,
//! which looks among that client's providers only: order ids are each client's own, so where
//! two clients share a provider's code and secret only the client-qualified path can say
//! whose order it is (the unqualified one is then refused, 409).
//!
//! The body is JSON, `{"status": "accepted" | "confirmed" | "completed" | "rejected", "mdn",
//! "msid", "reason"}`, signed as we sign orders: `X-Patchbay-Signature` is the hex
//! HMAC-SHA256 of the body under the provider's `secret`. The provider is found by its code
//! among the clients' webhook providers whose secret verifies the signature, so the path need
//! not name the client (docs/semantics.md, "Provider callbacks"). Unsigned or wrongly signed
//! callbacks are refused (401) and logged; a callback that is not news (a duplicate, a
//! CONFIRMED after COMPLETE) is answered 200 and changes nothing.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use patchbay_core::error::ErrorCode;
use patchbay_core::flow::{provider_callback, ProviderReport, ReportResult};
use patchbay_providers::{signature, ProviderAnswer, SIGNATURE_HEADER};
use serde_json::{json, Value};

type Answer = (StatusCode, Json<Value>);

fn refuse(status: StatusCode, message: impl Into<String>) -> Answer {
    (status, Json(json!({ "error": message.into() })))
}

/// Equal without telling how much of it matched by how long it took.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `POST /callbacks/providers/{provider_code}/orders/{order_id}`: the provider is found among
/// every client's webhook providers; refused as ambiguous when more than one verifies.
pub async fn post(
    State(state): State<AppState>,
    Path((provider_code, order_id)): Path<(String, i32)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    receive(&state, None, &provider_code, order_id, &headers, &body).await
}

/// `POST /callbacks/clients/{client_code}/providers/{provider_code}/orders/{order_id}`: the
/// same, among one client's providers only.
pub async fn post_for_client(
    State(state): State<AppState>,
    Path((client_code, provider_code, order_id)): Path<(String, String, i32)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    receive(&state, Some(&client_code), &provider_code, order_id, &headers, &body).await
}

async fn receive(
    state: &AppState,
    only_client: Option<&str>,
    provider_code: &str,
    order_id: i32,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let Some(given) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        tracing::warn!(target: "patchbay::callback", provider = %provider_code, order = order_id, "refused an unsigned provider callback");
        return refuse(StatusCode::UNAUTHORIZED, format!("the callback is not signed ({SIGNATURE_HEADER})"));
    };
    let given = given.trim().trim_start_matches("sha256=").to_ascii_lowercase();
    let clients = match state.engine.store().clients().await {
        Ok(c) => c,
        Err(e) => return refuse(StatusCode::SERVICE_UNAVAILABLE, format!("the database cannot be read: {e}")),
    };
    // Every client whose webhook provider of that code verifies the signature: order ids are
    // each client's own, so a callback that more than one could own is not applied to any.
    let mut known_provider = false;
    let mut verified = Vec::new();
    for client in clients.iter().filter(|c| only_client.is_none_or(|only| c.code == only)) {
        let Ok(ctx) = state.engine.system_ctx(&client.code, "Orders_Update").await else { continue };
        let Some(provider) = ctx.config().provider_by_code(provider_code).filter(|p| p.adapter == "webhook").cloned()
        else {
            continue;
        };
        known_provider = true;
        let Some(secret) = provider.adapter_settings.get("secret").and_then(|s| s.as_str()) else { continue };
        if same(signature(secret, body).as_bytes(), given.as_bytes()) {
            verified.push((client.code.clone(), ctx, provider));
        }
    }
    if verified.len() > 1 {
        let codes: Vec<&str> = verified.iter().map(|(code, ..)| code.as_str()).collect();
        tracing::warn!(target: "patchbay::callback", provider = %provider_code, order = order_id, clients = ?codes, "refused an ambiguous provider callback");
        return refuse(
            StatusCode::CONFLICT,
            format!(
                "clients {} each have a webhook provider {provider_code:?} with this secret, so the order cannot be told apart; \
                 call back on /callbacks/clients/{{client}}/providers/{provider_code}/orders/{order_id} with the order's client",
                codes.join(", ")
            ),
        );
    }
    if let Some((_, ctx, provider)) = verified.pop() {
        let answer: ProviderAnswer = match serde_json::from_slice(body) {
            Ok(a) => a,
            Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("the body is not a callback: {e}")),
        };
        if answer.status.is_none() {
            return refuse(StatusCode::BAD_REQUEST, "the callback names no status");
        }
        let report = match answer.outcome() {
            Ok(outcome) => ProviderReport::from(&outcome),
            Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
        };
        return match provider_callback(&ctx, &provider, order_id, &report).await {
            Ok(ReportResult::Applied(s)) => {
                (StatusCode::OK, Json(json!({ "result": "applied", "status": s.wire_name() })))
            }
            Ok(_) => (StatusCode::OK, Json(json!({ "result": "unchanged" }))),
            Err(e) if e.code == ErrorCode::OrderNotFound => {
                refuse(StatusCode::NOT_FOUND, e.message.unwrap_or_else(|| "no such order".into()))
            }
            Err(e) if e.code == ErrorCode::InvalidInput => {
                refuse(StatusCode::CONFLICT, e.message.unwrap_or_else(|| "the order cannot move so".into()))
            }
            Err(e) => {
                tracing::error!(target: "patchbay::callback", provider = %provider_code, order = order_id, error = %e, "recording a provider callback failed");
                refuse(StatusCode::INTERNAL_SERVER_ERROR, "the callback could not be recorded; send it again")
            }
        };
    }
    if known_provider {
        tracing::warn!(target: "patchbay::callback", provider = %provider_code, order = order_id, "refused a provider callback with a wrong signature");
        refuse(StatusCode::UNAUTHORIZED, "the signature does not match the provider's secret")
    } else {
        match only_client {
            Some(code) if !clients.iter().any(|c| c.code == code) => {
                refuse(StatusCode::NOT_FOUND, format!("no client has code {code:?}"))
            }
            Some(code) => refuse(
                StatusCode::NOT_FOUND,
                format!("client {code} has no webhook provider with code {provider_code:?}"),
            ),
            None => refuse(StatusCode::NOT_FOUND, format!("no webhook provider has code {provider_code:?}")),
        }
    }
}
