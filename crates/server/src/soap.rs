//! The SOAP endpoint: `POST /v20/default.asmx`, and on GET the WSDL and the operation pages.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use patchbay_core::error::ApiError;
use patchbay_soap::{DecodeError, SoapVersion};
use std::time::Instant;

const ENDPOINT: &str = "/v20/default.asmx";

pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let action = headers.get("SOAPAction").and_then(|v| v.to_str().ok());
    let fallback_version = SoapVersion::from_content_type(content_type).unwrap_or(SoapVersion::V11);
    let call = match patchbay_soap::decode_request(&body, content_type, action, &state.limits) {
        Ok(call) => call,
        Err(DecodeError::Fault(message)) => return fault(fallback_version, StatusCode::BAD_REQUEST, &message),
        Err(DecodeError::UnknownOperation(name)) => {
            return fault(fallback_version, StatusCode::NOT_FOUND, &format!("There is no operation named {name:?}."))
        }
        Err(DecodeError::Invalid { version, operation, field, rule }) => {
            let op = patchbay_soap::operation(operation).expect("the decoder names a known operation");
            // The envelope was readable but a value is not of its type: refused like any
            // other invalid input, in the Header.
            let result = ApiError::invalid(&field, rule).result_object();
            return envelope(version, patchbay_soap::encode_result(version, &op, &result));
        }
    };
    let Some(execution) = state.engine.execute(call.op.name, call.request).await else {
        return fault(call.version, StatusCode::NOT_FOUND, &format!("There is no operation named {:?}.", call.op.name));
    };
    state.record("soap", call.op.name, &execution.outcome, started);
    if let Some(list) = execution.streamed {
        if let Some(parts) =
            patchbay_soap::encode_result_streamed(call.version, &call.op, &execution.result, list.field)
        {
            let patchbay_soap::StreamedResult { head, tail, .. } = &parts;
            let (head, tail) = (head.clone(), tail.clone());
            let body = crate::streamed::body(head, list, move |values, _| parts.items(values), tail);
            return ([(header::CONTENT_TYPE, patchbay_soap::content_type(call.version))], body).into_response();
        }
    }
    envelope(call.version, patchbay_soap::encode_result(call.version, &call.op, &execution.result))
}

fn envelope(version: SoapVersion, xml: String) -> Response {
    ([(header::CONTENT_TYPE, patchbay_soap::content_type(version))], xml).into_response()
}

fn fault(version: SoapVersion, status: StatusCode, message: &str) -> Response {
    let status = if version == SoapVersion::V11 && status == StatusCode::BAD_REQUEST {
        // SOAP 1.1 reports every fault with 500.
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    (
        status,
        [(header::CONTENT_TYPE, patchbay_soap::content_type(version))],
        patchbay_soap::fault(version, true, message),
    )
        .into_response()
}

/// `?WSDL` (any case), `?op=Name`, or the list of operations.
pub async fn get(headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let mut op = None;
    let mut wants_wsdl = false;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k.eq_ignore_ascii_case("wsdl") {
            wants_wsdl = true;
        } else if k.eq_ignore_ascii_case("op") {
            op = Some(v.to_string());
        }
    }
    if wants_wsdl {
        let url = endpoint_url(&headers);
        return ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], patchbay_soap::wsdl(&url)).into_response();
    }
    if let Some(name) = op {
        return match patchbay_soap::operation_page(&name) {
            Some(page) => Html(page).into_response(),
            None => (StatusCode::NOT_FOUND, Html(format!("<p>There is no operation named {}.</p>", escape(&name))))
                .into_response(),
        };
    }
    Html(patchbay_soap::operations_page(ENDPOINT)).into_response()
}

/// The address the client used to reach us, as asmx derives it from the Host header, so a
/// client generated from the WSDL calls this server.
fn endpoint_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("X-Forwarded-Proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}{ENDPOINT}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
