//! `adapter = "simulated"`: a built-in provider that answers by itself, for trials, tests and
//! benchmarks.
//!
//! An order is accepted when sent, confirmed `confirm_after_ms` later and completed
//! `complete_after_ms` after it was sent, with an MDN (and MSID, the same number) when the
//! provider is wireless. An `error_rate` fraction of orders is rejected instead, when it would
//! have been confirmed. Everything is a function of the settings, the order and how long ago it
//! was sent, so answers are the same in every process and after a restart:
//!
//! - whether an order is rejected comes from a SHA-256 of (`seed`, client, order id);
//! - its MDN is `mdn_prefix` followed by the order id put through a permutation of the
//!   remaining digits chosen by `seed` and the client, so two orders of a client never share an
//!   MDN (while fewer than 10^digits orders exist).

use async_trait::async_trait;
use patchbay_core::provider::{AdapterError, OutboundOrder, ProviderAdapter, SendOutcome};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Digits in an MDN.
const MDN_DIGITS: usize = 10;

/// The `simulated = {…}` table of a provider.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedSettings {
    /// When an order is confirmed, after it was sent.
    #[serde(default)]
    pub confirm_after_ms: u64,
    /// When an order is completed, after it was sent (not before it is confirmed).
    #[serde(default)]
    pub complete_after_ms: u64,
    /// The fraction of orders rejected, from 0 to 1.
    #[serde(default)]
    pub error_rate: f64,
    /// The first digits of every MDN assigned (at most 9).
    #[serde(default = "default_prefix")]
    pub mdn_prefix: String,
    /// Chooses which orders are rejected and which MDNs are assigned.
    #[serde(default)]
    pub seed: u64,
}

fn default_prefix() -> String {
    "555".into()
}

impl Default for SimulatedSettings {
    fn default() -> Self {
        SimulatedSettings {
            confirm_after_ms: 0,
            complete_after_ms: 0,
            error_rate: 0.0,
            mdn_prefix: default_prefix(),
            seed: 0,
        }
    }
}

/// The simulated provider.
#[derive(Clone, Debug)]
pub struct SimulatedAdapter {
    settings: SimulatedSettings,
    wireless: bool,
    /// 10 to the number of MDN digits after the prefix.
    modulus: u64,
    /// The permutation's factor: prime to 10, so `n → (factor·n + offset) mod modulus` is one.
    factor: u64,
}

impl SimulatedAdapter {
    /// A simulated provider; `wireless` ones assign MDNs.
    pub fn new(settings: SimulatedSettings, wireless: bool) -> Result<SimulatedAdapter, AdapterError> {
        let bad = |m: String| Err(AdapterError::Misconfigured(m));
        if !(0.0..=1.0).contains(&settings.error_rate) {
            return bad(format!("error_rate {} is not between 0 and 1", settings.error_rate));
        }
        if settings.complete_after_ms < settings.confirm_after_ms {
            return bad(format!(
                "complete_after_ms {} comes before confirm_after_ms {}",
                settings.complete_after_ms, settings.confirm_after_ms
            ));
        }
        let prefix = &settings.mdn_prefix;
        if prefix.len() >= MDN_DIGITS || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!("mdn_prefix {prefix:?} must be at most {} digits", MDN_DIGITS - 1));
        }
        let modulus = 10u64.pow((MDN_DIGITS - prefix.len()) as u32);
        let mut factor = (hash(settings.seed, "factor", "", 0) % modulus) | 1;
        if factor.is_multiple_of(5) {
            factor += 2;
        }
        Ok(SimulatedAdapter { settings, wireless, modulus, factor })
    }

    /// Whether the order is among the `error_rate` fraction rejected.
    pub fn rejects(&self, order: &OutboundOrder) -> bool {
        let h = hash(self.settings.seed, "reject", &order.client, order.order_id);
        // The top 53 bits as a fraction in [0, 1).
        ((h >> 11) as f64 / (1u64 << 53) as f64) < self.settings.error_rate
    }

    /// The MDN the order is given when it completes.
    pub fn mdn(&self, order: &OutboundOrder) -> String {
        let offset = hash(self.settings.seed, "offset", &order.client, 0) % self.modulus;
        let n = u64::from(order.order_id.unsigned_abs()) % self.modulus;
        let number = (u128::from(self.factor) * u128::from(n) + u128::from(offset)) % u128::from(self.modulus);
        let digits = MDN_DIGITS - self.settings.mdn_prefix.len();
        format!("{}{number:0digits$}", self.settings.mdn_prefix)
    }

    /// What the provider says of the order `since_sent` after it was sent.
    fn standing(&self, order: &OutboundOrder, since_sent: Duration) -> SendOutcome {
        let ms = since_sent.as_millis();
        let reference = Some(format!("SIM-{}-{}", order.client, order.order_id));
        if ms < u128::from(self.settings.confirm_after_ms) {
            SendOutcome::Accepted { reference }
        } else if self.rejects(order) {
            SendOutcome::Rejected {
                reason: format!("the simulated provider rejects this order (error_rate {})", self.settings.error_rate),
            }
        } else if ms < u128::from(self.settings.complete_after_ms) {
            SendOutcome::Confirmed { reference }
        } else {
            let mdn = self.wireless.then(|| self.mdn(order));
            SendOutcome::Completed { msid: mdn.clone(), mdn }
        }
    }
}

/// 64 bits of SHA-256 over (seed, what for, text, number): stable across processes and versions.
fn hash(seed: u64, purpose: &str, text: &str, number: i32) -> u64 {
    let mut h = Sha256::new();
    h.update(b"patchbay-simulated\0");
    h.update(purpose.as_bytes());
    h.update(b"\0");
    h.update(seed.to_le_bytes());
    h.update((text.len() as u64).to_le_bytes());
    h.update(text.as_bytes());
    h.update(number.to_le_bytes());
    let digest = h.finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

#[async_trait]
impl ProviderAdapter for SimulatedAdapter {
    async fn send(&self, order: &OutboundOrder) -> Result<SendOutcome, AdapterError> {
        Ok(self.standing(order, Duration::ZERO))
    }

    async fn poll(&self, order: &OutboundOrder, since_sent: Duration) -> Result<Option<SendOutcome>, AdapterError> {
        Ok(Some(self.standing(order, since_sent)))
    }

    /// At the next of its delays: the answer changes then and not before.
    fn next_poll(&self, since_sent: Duration) -> Option<Duration> {
        let at = |ms: u64| Duration::from_millis(ms).saturating_sub(since_sent);
        if since_sent < Duration::from_millis(self.settings.confirm_after_ms) {
            Some(at(self.settings.confirm_after_ms))
        } else {
            Some(at(self.settings.complete_after_ms))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn order(client: &str, order_id: i32) -> OutboundOrder {
        OutboundOrder { client: client.into(), order_id, ..OutboundOrder::default() }
    }

    /// The example settings file's simulated provider.
    fn example(error_rate: f64, seed: u64) -> SimulatedAdapter {
        let settings =
            SimulatedSettings { confirm_after_ms: 50, complete_after_ms: 150, error_rate, seed, ..Default::default() };
        SimulatedAdapter::new(settings, true).unwrap()
    }

    #[tokio::test]
    async fn orders_are_confirmed_then_completed_after_their_delays() {
        let sim = example(0.0, 1);
        let o = order("acme", 42);
        let reference = Some("SIM-acme-42".to_string());
        assert_eq!(sim.send(&o).await.unwrap(), SendOutcome::Accepted { reference: reference.clone() });
        let at = |ms| sim.poll(&o, Duration::from_millis(ms));
        assert_eq!(at(49).await.unwrap(), Some(SendOutcome::Accepted { reference: reference.clone() }));
        assert_eq!(at(50).await.unwrap(), Some(SendOutcome::Confirmed { reference: reference.clone() }));
        assert_eq!(at(149).await.unwrap(), Some(SendOutcome::Confirmed { reference }));
        let mdn = sim.mdn(&o);
        assert_eq!(
            at(150).await.unwrap(),
            Some(SendOutcome::Completed { mdn: Some(mdn.clone()), msid: Some(mdn.clone()) })
        );
        assert!(mdn.len() == 10 && mdn.starts_with("555") && mdn.bytes().all(|b| b.is_ascii_digit()), "{mdn}");

        // No delays: done when sent. A provider that is not wireless assigns no numbers.
        let wired = SimulatedAdapter::new(SimulatedSettings::default(), false).unwrap();
        assert_eq!(wired.send(&o).await.unwrap(), SendOutcome::Completed { mdn: None, msid: None });
    }

    #[tokio::test]
    async fn the_error_rate_fraction_is_rejected_the_same_way_under_a_seed() {
        let orders: Vec<OutboundOrder> = (1..=2000).map(|n| order("acme", n)).collect();
        let rejected = |sim: &SimulatedAdapter| -> Vec<i32> {
            orders.iter().filter(|o| sim.rejects(o)).map(|o| o.order_id).collect()
        };
        assert!(rejected(&example(0.0, 7)).is_empty());
        assert_eq!(rejected(&example(1.0, 7)).len(), orders.len());
        let some = rejected(&example(0.25, 7));
        assert!((400..=600).contains(&some.len()), "about a quarter: {}", some.len());
        assert_eq!(some, rejected(&example(0.25, 7)), "the same seed rejects the same orders");
        assert_ne!(some, rejected(&example(0.25, 8)), "another seed, other orders");

        // A rejected order is rejected when it would have been confirmed, with its reason.
        let sim = example(0.25, 7);
        let o = order("acme", some[0]);
        assert!(matches!(sim.send(&o).await.unwrap(), SendOutcome::Accepted { .. }));
        let r = sim.poll(&o, Duration::from_millis(50)).await.unwrap();
        assert!(matches!(&r, Some(SendOutcome::Rejected { reason }) if reason.contains("0.25")), "{r:?}");
        assert_eq!(sim.poll(&o, Duration::from_secs(5)).await.unwrap(), r, "and stays rejected");
    }

    #[test]
    fn mdns_are_distinct_per_client_and_fixed_by_the_seed() {
        let sim = example(0.0, 3);
        let mdns: HashSet<String> = (1..=10_000).map(|n| sim.mdn(&order("acme", n))).collect();
        assert_eq!(mdns.len(), 10_000, "no two orders of a client share an MDN");
        assert_eq!(sim.mdn(&order("acme", 5)), example(0.5, 3).mdn(&order("acme", 5)), "the seed fixes them");
        assert_ne!(sim.mdn(&order("acme", 5)), example(0.0, 4).mdn(&order("acme", 5)));
        // A long prefix leaves fewer digits, still a permutation.
        let long = SimulatedSettings { mdn_prefix: "512555".into(), ..Default::default() };
        let long = SimulatedAdapter::new(long, true).unwrap();
        let mdns: HashSet<String> = (1..=10_000).map(|n| long.mdn(&order("acme", n))).collect();
        assert_eq!(mdns.len(), 10_000);
        assert!(mdns.iter().all(|m| m.len() == 10 && m.starts_with("512555")));
    }

    #[test]
    fn unusable_settings_are_refused() {
        for settings in [
            SimulatedSettings { error_rate: -0.1, ..Default::default() },
            SimulatedSettings { error_rate: f64::NAN, ..Default::default() },
            SimulatedSettings { confirm_after_ms: 10, complete_after_ms: 5, ..Default::default() },
            SimulatedSettings { mdn_prefix: "55a".into(), ..Default::default() },
            SimulatedSettings { mdn_prefix: "5555555555".into(), ..Default::default() },
        ] {
            assert!(matches!(SimulatedAdapter::new(settings, true), Err(AdapterError::Misconfigured(_))));
        }
    }
}
