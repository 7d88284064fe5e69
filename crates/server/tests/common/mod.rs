//! A Patchbay app on a fresh database (SQLite, or PostgreSQL when
//! PATCHBAY_TEST_DATABASE_URL is set), called through its public bindings.
#![allow(dead_code)]

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use patchbay_core::store::Store;
use patchbay_core::Engine;
use patchbay_server::{AppState, Limits};
use patchbay_soap::SoapVersion;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

pub const SETTINGS: &str = include_str!("../../../../tests/fixtures/settings.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Json,
    Soap11,
    Soap12,
}

pub const BINDINGS: [Binding; 3] = [Binding::Json, Binding::Soap11, Binding::Soap12];

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub engine: Engine,
}

pub fn acme() -> Value {
    json!({"Username": "api", "Password": "correct horse battery", "Client": "acme"})
}

pub fn acme_viewer() -> Value {
    json!({"Username": "viewer", "Password": "viewer pass 123", "Client": "acme"})
}

pub fn globex() -> Value {
    json!({"Username": "api", "Password": "another strong pass", "Client": "globex"})
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Self {
        let url = patchbay_store::testing::fresh_database_url().await;
        let store = patchbay_store::open(&url).await.expect("test database opens");
        store.migrate().await.expect("migrations run");
        patchbay_core::settings::apply_str(&*store, "fixture", SETTINGS).await.expect("fixture settings apply");
        let engine = Engine::new(store.clone());
        let router = patchbay_server::router(AppState::new(engine.clone(), limits));
        TestApp { router, store, engine }
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = to_bytes(resp.into_body(), usize::MAX).await.expect("body reads").to_vec();
        (status, headers, body)
    }

    /// Calls an operation through a binding and returns the Result as a JSON object, decoded
    /// from SOAP with the schema when the binding is SOAP.
    pub async fn call(&self, binding: Binding, op: &str, request: Value) -> Value {
        match binding {
            Binding::Json => {
                let req = Request::post(format!("/api/v20/{op}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(request.to_string()))
                    .unwrap();
                let (status, _, body) = self.send(req).await;
                assert_eq!(status, StatusCode::OK, "{op}: {}", String::from_utf8_lossy(&body));
                serde_json::from_slice(&body).expect("JSON result")
            }
            Binding::Soap11 | Binding::Soap12 => {
                let version = if binding == Binding::Soap11 { SoapVersion::V11 } else { SoapVersion::V12 };
                let info = patchbay_api::operations().into_iter().find(|o| o.name == op).expect("known operation");
                let xml = patchbay_soap::encode_request(version, &info, &request);
                let (status, body) = self.soap(version, op, xml).await;
                assert_eq!(status, StatusCode::OK, "{op}: {body}");
                patchbay_soap::decode_result(body.as_bytes(), &info).expect("readable SOAP result")
            }
        }
    }

    /// Posts a raw SOAP envelope.
    pub async fn soap(&self, version: SoapVersion, op: &str, xml: String) -> (StatusCode, String) {
        let mut req = Request::post("/v20/default.asmx");
        req = match version {
            SoapVersion::V11 => req
                .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"http://api.myh2o.com/v20/{op}\"")),
            SoapVersion::V12 => req.header(
                header::CONTENT_TYPE,
                format!("application/soap+xml; charset=utf-8; action=\"http://api.myh2o.com/v20/{op}\""),
            ),
        };
        let (status, _, body) = self.send(req.body(Body::from(xml)).unwrap()).await;
        (status, String::from_utf8(body).expect("utf-8 response"))
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let req = Request::get(uri).header(header::HOST, "patchbay.test:8080").body(Body::empty()).unwrap();
        let (s, h, b) = self.send(req).await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    }
}

/// Adds Credentials to a request object.
pub fn with(credentials: Value, mut request: Value) -> Value {
    request["Credentials"] = credentials;
    request
}

#[track_caller]
pub fn assert_ok(result: &Value) {
    assert_eq!(result["Header"]["Success"], true, "expected success: {result:#}");
}

#[track_caller]
pub fn assert_error(result: &Value, code: &str) {
    assert_eq!(result["Header"]["Success"], false, "expected {code}: {result:#}");
    assert_eq!(result["Header"]["Error_Code"], code, "expected {code}: {result:#}");
}

/// The Message of a refused request.
pub fn message(result: &Value) -> String {
    result["Header"]["Message"].as_str().unwrap_or_default().to_string()
}
