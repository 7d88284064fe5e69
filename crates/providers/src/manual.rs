//! `adapter = "manual"`: nobody is sent anything; the order waits (SENT) until an operator
//! completes it with Orders_Update.

use async_trait::async_trait;
use patchbay_core::provider::{AdapterError, OutboundOrder, ProviderAdapter, SendOutcome};

/// Orders wait for an operator.
#[derive(Clone, Copy, Debug, Default)]
pub struct ManualAdapter;

#[async_trait]
impl ProviderAdapter for ManualAdapter {
    async fn send(&self, _order: &OutboundOrder) -> Result<SendOutcome, AdapterError> {
        Ok(SendOutcome::Accepted { reference: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn orders_wait_for_an_operator() {
        let order = OutboundOrder { order_id: 7, ..OutboundOrder::default() };
        assert_eq!(ManualAdapter.send(&order).await.unwrap(), SendOutcome::Accepted { reference: None });
        // However long it waits, nothing comes of itself.
        assert_eq!(ManualAdapter.poll(&order, Duration::from_secs(86_400)).await.unwrap(), None);
    }
}
