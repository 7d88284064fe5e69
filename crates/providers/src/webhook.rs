//! `adapter = "webhook"`: the order is POSTed as JSON to the provider's `url`.
//!
//! The body is the [`OutboundOrder`] as JSON, and the header [`SIGNATURE_HEADER`] carries the
//! hex HMAC-SHA256 of the body's bytes under the provider's `secret`, so the provider can tell
//! the order comes from us. A provider that gives no answer within `timeout_ms` (10 s unless
//! set) is taken as unreachable. Its answer:
//!
//! - 2xx with an empty body: accepted; with a JSON body, `{"status": "accepted" | "confirmed" |
//!   "completed" | "rejected"}` and, as they apply, `reference`, `mdn`, `msid` and `reason`;
//! - 408, 429 and 5xx: unreachable for now (the order is sent again later);
//! - 401 and 403: our settings are wrong (the secret), not the order;
//! - any other 4xx: the order is rejected, for the `reason` of a JSON body, or the body's text;
//! - anything else (redirects are not followed): an answer that cannot be read.

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use patchbay_core::provider::{AdapterError, OutboundOrder, ProviderAdapter, SendOutcome};
use reqwest::StatusCode;
use serde::Deserialize;
use sha2::Sha256;
use std::time::Duration;

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Patchbay-Signature";

/// How much of a refusal's text is kept as its reason.
const MAX_REASON_CHARS: usize = 500;

/// The `webhook = {…}` table of a provider, with its `url`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Where orders are POSTed: `http://…` or `https://…`.
    pub url: String,
    /// The key of the body's HMAC-SHA256 signature.
    pub secret: String,
    /// How long the provider has to answer.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    10_000
}

/// The hex HMAC-SHA256 of `body` under `secret`: the [`SIGNATURE_HEADER`] value.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a provider may say of an order: in the body of its answer to our POST, and in a
/// callback later (`POST /callbacks/clients/{client}/providers/{code}/orders/{id}`, or without
/// the client while only one client has a provider of that code and secret), the same JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ProviderAnswer {
    /// `accepted` (also `sent`), `confirmed`, `completed` (also `complete`) or `rejected`
    /// (also `error`); none is accepted.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub mdn: Option<String>,
    #[serde(default)]
    pub msid: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl ProviderAnswer {
    /// What the answer says of the order; `Err` names a status that is none of the above.
    pub fn outcome(self) -> Result<SendOutcome, String> {
        match self.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("accepted" | "sent") => Ok(SendOutcome::Accepted { reference: self.reference }),
            Some("confirmed") => Ok(SendOutcome::Confirmed { reference: self.reference }),
            Some("completed" | "complete") => Ok(SendOutcome::Completed { mdn: self.mdn, msid: self.msid }),
            Some("rejected" | "error") => {
                Ok(SendOutcome::Rejected { reason: self.reason.unwrap_or_else(|| "rejected by the provider".into()) })
            }
            Some(other) => Err(format!("status {other:?} is not one of accepted, confirmed, completed, rejected")),
        }
    }
}

/// Orders POSTed to the provider.
#[derive(Clone, Debug)]
pub struct WebhookAdapter {
    settings: WebhookSettings,
    client: reqwest::Client,
}

impl WebhookAdapter {
    pub fn new(settings: WebhookSettings) -> Result<WebhookAdapter, AdapterError> {
        let bad = |m: &str| Err(AdapterError::Misconfigured(m.to_string()));
        if !(settings.url.starts_with("http://") || settings.url.starts_with("https://")) {
            return bad("the url must be http(s)://…");
        }
        if settings.secret.is_empty() {
            return bad("the secret that signs the orders is empty");
        }
        if settings.timeout_ms == 0 {
            return bad("timeout_ms must be more than 0");
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AdapterError::Misconfigured(format!("the HTTP client cannot be built: {e}")))?;
        Ok(WebhookAdapter { settings, client })
    }

    fn unreachable(&self, e: reqwest::Error) -> AdapterError {
        if e.is_timeout() {
            AdapterError::Unreachable(format!("no answer within {} ms", self.settings.timeout_ms))
        } else {
            // Without the URL, which may hold credentials.
            AdapterError::Unreachable(e.without_url().to_string())
        }
    }
}

#[async_trait]
impl ProviderAdapter for WebhookAdapter {
    async fn send(&self, order: &OutboundOrder) -> Result<SendOutcome, AdapterError> {
        let body = serde_json::to_vec(order).expect("an order serializes");
        let response = self
            .client
            .post(&self.settings.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(&self.settings.secret, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| self.unreachable(e))?;
        let answer = || -> Result<Option<ProviderAnswer>, AdapterError> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            serde_json::from_str(&text).map(Some).map_err(|e| {
                AdapterError::BadAnswer(format!("HTTP {status} with a body that is not the answer's JSON: {e}"))
            })
        };
        match status {
            s if s.is_success() => {
                let Some(a) = answer()? else { return Ok(SendOutcome::Accepted { reference: None }) };
                a.outcome().map_err(|why| AdapterError::BadAnswer(format!("HTTP {status} with {why}")))
            }
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => {
                Err(AdapterError::Unreachable(format!("HTTP {status}")))
            }
            s if s.is_server_error() => Err(AdapterError::Unreachable(format!("HTTP {status}"))),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(AdapterError::Misconfigured(format!(
                "the provider refused the order's signature or our access (HTTP {status}); check the secret"
            ))),
            s if s.is_client_error() => {
                let reason = match answer() {
                    Ok(Some(ProviderAnswer { reason: Some(r), .. })) => r,
                    _ if text.trim().is_empty() => format!("HTTP {status}"),
                    _ => text.trim().chars().take(MAX_REASON_CHARS).collect(),
                };
                Ok(SendOutcome::Rejected { reason })
            }
            _ => Err(AdapterError::BadAnswer(format!("HTTP {status}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use patchbay_core::provider::{OutboundItem, OutboundService};
    use std::sync::{Arc, Mutex};

    const SECRET: &str = "s3cret";

    /// What the test provider received: the order and whether its signature was right.
    type Received = Arc<Mutex<Vec<(OutboundOrder, bool)>>>;

    /// A provider on 127.0.0.1 that answers by order id; returns its URL.
    async fn provider(received: Received) -> String {
        let app = axum::Router::new().route(
            "/orders",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let received = received.clone();
                async move {
                    let signed = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
                        == Some(signature(SECRET, &body).as_str());
                    let json = headers.get("content-type").and_then(|v| v.to_str().ok()) == Some("application/json");
                    let order: OutboundOrder = serde_json::from_slice(&body).expect("the body is the order");
                    received.lock().unwrap().push((order.clone(), signed && json));
                    if !signed {
                        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
                    }
                    match order.order_id {
                        1 => (StatusCode::OK, r#"{"status": "completed", "mdn": "5125550100", "msid": "5125550199"}"#)
                            .into_response(),
                        2 => StatusCode::ACCEPTED.into_response(),
                        3 => (StatusCode::UNPROCESSABLE_ENTITY, r#"{"reason": "no such rate plan"}"#).into_response(),
                        4 => (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response(),
                        5 => {
                            tokio::time::sleep(Duration::from_secs(3)).await;
                            StatusCode::OK.into_response()
                        }
                        6 => (StatusCode::OK, "thanks!").into_response(),
                        7 => (StatusCode::OK, r#"{"status": "Confirmed", "reference": "X-7"}"#).into_response(),
                        8 => (StatusCode::BAD_REQUEST, "ICCID unknown").into_response(),
                        _ => (StatusCode::OK, r#"{"status": "lost"}"#).into_response(),
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/orders")
    }

    fn adapter(url: &str, secret: &str) -> WebhookAdapter {
        WebhookAdapter::new(WebhookSettings { url: url.into(), secret: secret.into(), timeout_ms: 500 }).unwrap()
    }

    fn order(order_id: i32) -> OutboundOrder {
        OutboundOrder {
            client: "acme".into(),
            order_id,
            attempt: 1,
            pon: Some(format!("PON-{order_id}")),
            order_type: "NEW".into(),
            provider: "SIMWIRELESS".into(),
            customer_id: 1,
            services: vec![OutboundService {
                service_id: Some(3),
                tn: None,
                product_ids: vec![100, 101],
                inventory: vec![OutboundItem { kind: "SIM_Card".into(), identifier: "89014103211118510720".into() }],
            }],
        }
    }

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[tokio::test]
    async fn orders_are_posted_signed_and_the_answer_read() {
        let received: Received = Arc::default();
        let url = provider(received.clone()).await;
        let webhook = adapter(&url, SECRET);
        let send = |id| {
            let webhook = webhook.clone();
            async move { webhook.send(&order(id)).await }
        };

        assert_eq!(
            send(1).await.unwrap(),
            SendOutcome::Completed { mdn: Some("5125550100".into()), msid: Some("5125550199".into()) }
        );
        assert_eq!(received.lock().unwrap()[0], (order(1), true), "the order arrives as sent, signed, as JSON");
        assert_eq!(send(2).await.unwrap(), SendOutcome::Accepted { reference: None });
        assert_eq!(send(3).await.unwrap(), SendOutcome::Rejected { reason: "no such rate plan".into() });
        assert_eq!(send(8).await.unwrap(), SendOutcome::Rejected { reason: "ICCID unknown".into() });
        assert_eq!(send(7).await.unwrap(), SendOutcome::Confirmed { reference: Some("X-7".into()) });
        assert!(matches!(send(4).await, Err(AdapterError::Unreachable(m)) if m.contains("503")));
        let started = std::time::Instant::now();
        assert!(matches!(send(5).await, Err(AdapterError::Unreachable(m)) if m.contains("500 ms")));
        assert!(started.elapsed() < Duration::from_secs(2), "the timeout holds: {:?}", started.elapsed());
        assert!(matches!(send(6).await, Err(AdapterError::BadAnswer(_))));
        assert!(matches!(send(9).await, Err(AdapterError::BadAnswer(m)) if m.contains("lost")));

        // A wrong secret: the provider refuses the signature, which is ours to fix.
        let wrong = adapter(&url, "not the secret");
        assert!(matches!(wrong.send(&order(1)).await, Err(AdapterError::Misconfigured(m)) if m.contains("secret")));
        assert!(!received.lock().unwrap().last().unwrap().1);
    }

    #[tokio::test]
    async fn a_provider_that_is_not_there_is_unreachable() {
        // A port that was free a moment ago.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let webhook = adapter(&format!("http://{addr}/orders"), SECRET);
        assert!(matches!(webhook.send(&order(1)).await, Err(AdapterError::Unreachable(_))));
    }
}
