//! Provider adapters: how orders reach a provider, behind the core's
//! [`ProviderAdapter`](patchbay_core::provider::ProviderAdapter) trait.
//!
//! A provider's `adapter` (Settings > Providers) picks one, and its `adapter_settings` (the
//! `simulated = {…}` or `webhook = {…}` table of the settings file, with `url`) configure it;
//! [`adapter_for`] builds it:
//!
//! - `manual` ([`ManualAdapter`]): orders wait for an operator, who completes them with
//!   Orders_Update.
//! - `simulated` ([`SimulatedAdapter`]): a provider that answers by itself after
//!   `confirm_after_ms` and `complete_after_ms`, rejects an `error_rate` fraction of orders, and
//!   assigns MDNs starting with `mdn_prefix`; the same `seed` gives the same answers.
//! - `webhook` ([`WebhookAdapter`]): the order is POSTed as JSON to `url`, signed with
//!   `secret`; the provider answers at once in the response, and later on the callback
//!   endpoint.
//!
//! [`ProviderAdapters`] keeps each provider's adapter for the flow-through worker, and
//! [`EventPoster`] delivers events to webhook subscribers.

mod events;
mod manual;
mod simulated;
mod webhook;

pub use events::{EventPoster, EVENT_ID_HEADER};
pub use manual::ManualAdapter;
pub use simulated::{SimulatedAdapter, SimulatedSettings};
pub use webhook::{signature, ProviderAnswer, WebhookAdapter, WebhookSettings, SIGNATURE_HEADER};

use patchbay_core::flow::Adapters;
use patchbay_core::model::Provider;
use patchbay_core::provider::{AdapterError, ProviderAdapter};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

/// The adapter of a provider, from its `adapter` and `adapter_settings`.
pub fn adapter_for(provider: &Provider) -> Result<Arc<dyn ProviderAdapter>, AdapterError> {
    let settings = &provider.adapter_settings;
    Ok(match provider.adapter.as_str() {
        "manual" => Arc::new(ManualAdapter),
        "simulated" => Arc::new(SimulatedAdapter::new(parse(provider, settings)?, provider.wireless)?),
        "webhook" => Arc::new(WebhookAdapter::new(parse(provider, settings)?)?),
        other => {
            return Err(AdapterError::Misconfigured(format!(
                "provider {}: adapter {other:?} is not one of manual, simulated, webhook",
                provider.code
            )))
        }
    })
}

/// The adapters of every client's providers, built once per provider setting and kept: a
/// webhook adapter holds its connection pool.
#[derive(Default)]
pub struct ProviderAdapters {
    /// Per (client, provider id): the provider as its adapter was built from, and the adapter.
    built: Mutex<HashMap<(String, i32), Built>>,
}

type Built = (Provider, Arc<dyn ProviderAdapter>);

impl Adapters for ProviderAdapters {
    fn adapter(&self, client: &str, provider: &Provider) -> Result<Arc<dyn ProviderAdapter>, AdapterError> {
        let key = (client.to_string(), provider.id);
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((as_built, adapter)) = built.get(&key) {
            if as_built == provider {
                return Ok(adapter.clone());
            }
        }
        let adapter = adapter_for(provider)?;
        built.insert(key, (provider.clone(), adapter.clone()));
        Ok(adapter)
    }
}

/// An adapter's settings from the provider's `adapter_settings`.
fn parse<T: DeserializeOwned>(provider: &Provider, settings: &serde_json::Value) -> Result<T, AdapterError> {
    // Settings files store an absent table as nothing at all.
    let settings = if settings.is_null() { serde_json::json!({}) } else { settings.clone() };
    serde_json::from_value(settings).map_err(|e| {
        AdapterError::Misconfigured(format!("provider {}: {} settings: {e}", provider.code, provider.adapter))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchbay_core::provider::{OutboundOrder, SendOutcome};
    use serde_json::json;

    fn provider(adapter: &str, settings: serde_json::Value) -> Provider {
        Provider {
            id: 10,
            code: "P".into(),
            name: "P".into(),
            wireless: true,
            provisionable: true,
            adapter: adapter.into(),
            adapter_settings: settings,
            accounts: Vec::new(),
        }
    }

    #[tokio::test]
    async fn the_adapter_is_picked_from_the_provider() {
        let order = OutboundOrder { client: "acme".into(), order_id: 1, ..OutboundOrder::default() };
        let manual = adapter_for(&provider("manual", json!({}))).unwrap();
        assert_eq!(manual.send(&order).await.unwrap(), SendOutcome::Accepted { reference: None });

        // The example settings file's simulated provider.
        let settings =
            json!({"confirm_after_ms": 50, "complete_after_ms": 150, "error_rate": 0.0, "mdn_prefix": "555"});
        let simulated = adapter_for(&provider("simulated", settings)).unwrap();
        let done = simulated.poll(&order, std::time::Duration::from_millis(150)).await.unwrap();
        assert!(matches!(&done, Some(SendOutcome::Completed { mdn: Some(m), .. }) if m.starts_with("555")), "{done:?}");

        let webhook = json!({"url": "http://127.0.0.1:9/orders", "secret": "s3cret"});
        assert!(adapter_for(&provider("webhook", webhook)).is_ok());

        for (adapter, settings, expect) in [
            ("carrier-pigeon", json!({}), "carrier-pigeon"),
            ("simulated", json!({"error_rate": 2.0}), "error_rate"),
            ("simulated", json!({"confirm_after": 5}), "confirm_after"),
            ("webhook", json!({"url": "http://127.0.0.1:9/"}), "secret"),
            ("webhook", json!({"url": "ftp://x", "secret": "s"}), "http"),
        ] {
            let err = adapter_for(&provider(adapter, settings)).err().expect("refused");
            assert!(matches!(&err, AdapterError::Misconfigured(m) if m.contains(expect)), "{adapter}: {err}");
        }
    }
}
