//! Event delivery to a client's webhook subscribers: the event's JSON POSTed to the
//! subscriber's url, signed like provider webhooks ([`SIGNATURE_HEADER`], HMAC-SHA256 of the
//! body under the subscriber's secret), with the event id in `X-Patchbay-Event-Id` so a
//! receiver can drop a duplicate without reading the body. Any 2xx is delivered; anything
//! else, or no answer within the timeout, is tried again later.

use crate::webhook::{signature, SIGNATURE_HEADER};
use async_trait::async_trait;
use patchbay_core::flow::EventSink;
use patchbay_core::model::WebhookSubscriber;
use std::time::Duration;

/// The header naming the event delivered.
pub const EVENT_ID_HEADER: &str = "X-Patchbay-Event-Id";

/// Delivers events over HTTP.
#[derive(Clone, Debug)]
pub struct EventPoster {
    client: reqwest::Client,
}

impl EventPoster {
    pub fn new(timeout: Duration) -> EventPoster {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with rustls builds");
        EventPoster { client }
    }
}

impl Default for EventPoster {
    fn default() -> Self {
        EventPoster::new(Duration::from_secs(10))
    }
}

#[async_trait]
impl EventSink for EventPoster {
    async fn deliver(&self, subscriber: &WebhookSubscriber, body: &[u8]) -> Result<(), String> {
        let id = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
            .unwrap_or_default();
        let response = self
            .client
            .post(&subscriber.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(&subscriber.secret, body))
            .header(EVENT_ID_HEADER, id)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the subscriber answered HTTP {status}"))
        }
    }
}
