//! A Patchbay app on a fresh database (SQLite, or PostgreSQL when
//! PATCHBAY_TEST_DATABASE_URL is set), called through its public bindings.
#![allow(dead_code)]

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use patchbay_api::Decimal;
use patchbay_core::model::{CustomerProductRecord, ServiceRecord};
use patchbay_core::store::Store;
use patchbay_core::Engine;
use patchbay_schema::DateTime;
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
    /// The database URL, for tests that reach under the store.
    pub url: String,
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
        TestApp { url, router, store, engine }
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

/// The origin Catalog_Query names for a fixture item: `fixture:<line>` of the `header` table
/// (`[[clients.products]]`, `[[clients.packages]]`) holding the first line containing `needle`,
/// counted here from the text rather than by the server.
pub fn fixture_origin(header: &str, needle: &str) -> String {
    let lines: Vec<&str> = SETTINGS.lines().collect();
    let at = lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} is in the fixture"));
    let table =
        lines[..at].iter().rposition(|l| l.trim() == header).unwrap_or_else(|| panic!("{header} before {needle}"));
    format!("fixture:{}", table + 1)
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

/// A valid 20-digit ICCID numbered `n` (issuer 8901410, Luhn check digit computed). The Luhn
/// sum is written out here rather than taken from the core, so the tests do not check the
/// server's identifier rules against the server's own arithmetic.
pub fn iccid(n: u64) -> String {
    let payload = format!("8901410{n:012}");
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{payload}{}", (10 - sum % 10) % 10)
}

/// A customer with one service and one customer product of `product_id` on it, created
/// through the store (orders, which create services, come later).
pub async fn customer_with_service(app: &TestApp, client: &str, product_id: i32) -> (i64, i32, i32) {
    let creds = if client == "acme" { acme() } else { globex() };
    let c = app
        .call(
            Binding::Json,
            "Customers_Create",
            with(creds, json!({"CustomerClass": "Business", "CompanyName": "Line Holder"})),
        )
        .await;
    assert_ok(&c);
    let customer_id = c["CustomerID"].as_i64().unwrap() as i32;
    let db = app.store.client(client).await.unwrap().unwrap();
    let mut tx = db.begin().await.unwrap();
    let service_id = tx.next_id("service").await.unwrap();
    tx.insert_service(&ServiceRecord {
        id: service_id,
        customer_id,
        tn: Some(format!("555{:07}", service_id)),
        line_type_id: None,
        provider_id: None,
        package_id: None,
        description: None,
        created_at: DateTime::now(),
        provider_account_id: None,
        alt_btn_id: None,
        pbx_make: None,
        pbx_model: None,
    })
    .await
    .unwrap();
    let cp_id = tx.next_id("customer_product").await.unwrap();
    tx.insert_customer_product(&CustomerProductRecord {
        id: cp_id,
        customer_id,
        service_id: Some(service_id),
        product_id,
        description: None,
        rate: Decimal::new(3500, 2),
        quantity: 1,
        status: patchbay_api::customers::CustomerProductStatus::Active,
        activated_at: None,
        billed_through: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (i64::from(customer_id), service_id, cp_id)
}
