//! The worker each `patchbay serve` runs: it claims due queue entries and event deliveries
//! from every client's database, sends orders through the provider adapters, polls the
//! adapters that answer by themselves, delivers events, and records what happened.
//!
//! Claims are leased (`FlowSettings::lease`): work held by a process that died is claimed
//! again when its lease runs out, and a claim count fences a late finisher. Each attempt to
//! send is on record (committed) before the order leaves, and carries its number, so a
//! provider never receives one attempt twice; an order sent by a process that died before
//! recording the answer is sent again as the next attempt.

use super::events::payload;
use super::now_ms;
use super::outcome::{poll_job, record_report, retry_later, ProviderReport};
use crate::engine::{Ctx, Engine};
use crate::error::{ApiResult, ErrorCode};
use crate::model::*;
use crate::provider::{AdapterError, OutboundItem, OutboundOrder, OutboundService, ProviderAdapter, SendOutcome};
use async_trait::async_trait;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct FlowSettings {
    /// How long a claim holds its work: longer than any adapter takes to answer.
    pub lease: Duration,
    /// Attempts to reach a provider before an order is FLOW_ERROR.
    pub max_attempts: i32,
    /// The wait after the first failed attempt; it doubles with each one, up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// The same for event deliveries, which are retried for as long as it takes.
    pub delivery_retry_base: Duration,
    pub delivery_retry_cap: Duration,
    /// Entries claimed at once, per client.
    pub batch: u32,
    /// Entries worked on at once.
    pub concurrency: usize,
    /// How often an idle worker looks for work queued by other processes.
    pub idle_poll: Duration,
    /// How long an event is kept once every delivery of it is made (`None`: for ever). Older
    /// ones are deleted now and then, with their deliveries; Events_Query no longer lists them.
    pub event_retention: Option<Duration>,
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            lease: Duration::from_secs(30),
            max_attempts: 5,
            retry_base: Duration::from_millis(500),
            retry_cap: Duration::from_secs(60),
            delivery_retry_base: Duration::from_secs(1),
            delivery_retry_cap: Duration::from_secs(300),
            batch: 128,
            concurrency: 64,
            idle_poll: Duration::from_millis(200),
            event_retention: Some(Duration::from_secs(30 * 24 * 3600)),
        }
    }
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
fn backoff(base: Duration, cap: Duration, attempts: i32) -> i64 {
    let factor = 1u32 << attempts.clamp(1, 20).saturating_sub(1);
    base.saturating_mul(factor).min(cap).as_millis() as i64
}

/// The adapter of each provider (built by the `patchbay-providers` crate).
pub trait Adapters: Send + Sync {
    fn adapter(&self, client: &str, provider: &Provider) -> Result<Arc<dyn ProviderAdapter>, AdapterError>;
}

/// Where events go: POSTed to a subscriber, signed.
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Delivers one event's JSON; an error says why it was not taken (it is tried again).
    async fn deliver(&self, subscriber: &WebhookSubscriber, body: &[u8]) -> Result<(), String>;
}

/// What the worker reports as it goes, for metrics.
pub trait FlowObserver: Send + Sync {
    /// An attempt to send (or a poll) to `provider` ended with `outcome` after `elapsed`.
    fn sent(&self, _provider: &str, _outcome: &str, _elapsed: Duration) {}
    /// An event delivery ended; `lag` is from the event to its delivery.
    fn delivered(&self, _ok: bool, _lag: Duration) {}
}

struct Silent;
impl FlowObserver for Silent {}

/// The worker of one process.
pub struct Dispatcher {
    engine: Engine,
    adapters: Arc<dyn Adapters>,
    sink: Arc<dyn EventSink>,
    observer: Arc<dyn FlowObserver>,
    settings: FlowSettings,
    /// Per client, when deliveries were last looked for while it had no subscribers.
    orphan_checks: parking_lot::Mutex<HashMap<String, Instant>>,
    /// Per client, when old events were last pruned.
    prunes: parking_lot::Mutex<HashMap<String, Instant>>,
}

/// The shortest wait between passes that found nothing to claim.
const MIN_WAIT_MS: i64 = 5;

/// How often deliveries are looked for in a client without subscribers.
const ORPHAN_CHECK: Duration = Duration::from_secs(5);

/// How often a client's old events are pruned, and how many go per transaction (each is
/// audited with the events it deleted) and per pass at most.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
const PRUNE_BATCH: u32 = 1_000;
const PRUNE_BATCHES_PER_PASS: usize = 20;

impl Dispatcher {
    pub fn new(engine: Engine, adapters: Arc<dyn Adapters>, sink: Arc<dyn EventSink>, settings: FlowSettings) -> Self {
        Dispatcher {
            engine,
            adapters,
            sink,
            observer: Arc::new(Silent),
            settings,
            orphan_checks: Default::default(),
            prunes: Default::default(),
        }
    }

    pub fn with_observer(mut self, observer: Arc<dyn FlowObserver>) -> Self {
        self.observer = observer;
        self
    }

    /// Works until `shutdown` completes, then returns once the work in hand is recorded.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let wake = self.engine.flow_wake();
        loop {
            let (busy, next_due) = match self.pass().await {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "flow-through pass failed; trying again shortly");
                    (false, None)
                }
            };
            let idle = self.settings.idle_poll.as_millis() as i64;
            // Something due that this pass could not claim (held by another process, or
            // waiting behind an earlier delivery) is looked at again shortly, not in a spin.
            let wait = if busy { 0 } else { next_due.map_or(idle, |d| (d - now_ms()).clamp(MIN_WAIT_MS, idle)) };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = wake.notified(), if wait > 0 => {}
                _ = tokio::time::sleep(Duration::from_millis(wait as u64)) => {}
            }
        }
    }

    /// One pass over every client: claims what is due and works it. Returns whether anything
    /// was claimed, and when the next entry falls due when nothing was.
    pub async fn pass(&self) -> ApiResult<(bool, Option<i64>)> {
        let mut busy = false;
        let mut next_due: Option<i64> = None;
        for client in self.engine.store().clients().await? {
            let ctx = self.engine.system_ctx(&client.code, "Orders_Update").await?;
            let lease = self.settings.lease.as_millis() as i64;
            let jobs = ctx.db().claim_flow_jobs(now_ms(), lease, self.settings.batch).await?;
            // A client without subscribers has deliveries only if subscribers were removed
            // since: those are looked for now and then, not on every pass.
            let deliveries = if !ctx.config().webhooks.is_empty() || self.orphan_check_due(&client.code) {
                ctx.db().claim_deliveries(now_ms(), lease, self.settings.batch).await?
            } else {
                Vec::new()
            };
            busy |= !jobs.is_empty() || !deliveries.is_empty();
            futures_util::stream::iter(jobs)
                .for_each_concurrent(self.settings.concurrency, |job| async {
                    let id = job.order_id;
                    if let Err(e) = self.run_job(&ctx, job).await {
                        tracing::warn!(client = %ctx.client.info.code, order = id, error = %e, "flow-through of an order failed; it is tried again when its lease runs out");
                    }
                })
                .await;
            futures_util::stream::iter(deliveries)
                .for_each_concurrent(self.settings.concurrency, |(d, e)| async {
                    if let Err(err) = self.deliver(&ctx, d, e).await {
                        tracing::warn!(client = %ctx.client.info.code, error = %err, "recording an event delivery failed");
                    }
                })
                .await;
            if let Some(retention) = self.settings.event_retention {
                if due_every(&self.prunes, &client.code, PRUNE_EVERY) {
                    if let Err(e) = self.prune_events(&client.code, retention).await {
                        tracing::warn!(client = %client.code, error = %e, "pruning old events failed; tried again later");
                    }
                }
            }
            if !busy {
                if let Some(due) = ctx.db().next_flow_due().await? {
                    next_due = Some(next_due.map_or(due, |n| n.min(due)));
                }
            }
        }
        Ok((busy, next_due))
    }

    /// Whether to look for deliveries of a client that has no subscribers (at most every
    /// `ORPHAN_CHECK`).
    fn orphan_check_due(&self, client: &str) -> bool {
        due_every(&self.orphan_checks, client, ORPHAN_CHECK)
    }

    /// Deletes the client's events older than `retention` whose deliveries are all made, a
    /// batch per transaction, each audited (operation Events_Prune, the events' seq) by the
    /// client's system actor. Returns how many went.
    pub async fn prune_events(&self, client: &str, retention: Duration) -> ApiResult<usize> {
        let ctx = self.engine.system_ctx(client, "Events_Prune").await?;
        let before = now_ms() - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        let mut pruned = 0;
        for _ in 0..PRUNE_BATCHES_PER_PASS {
            let mut tx = ctx.db().begin().await?;
            let seqs = tx.prune_events(before, PRUNE_BATCH).await?;
            if seqs.is_empty() {
                break;
            }
            ctx.audit(&mut *tx, "event", &seqs).await?;
            tx.commit().await?;
            pruned += seqs.len();
            if seqs.len() < PRUNE_BATCH as usize {
                break;
            }
        }
        if pruned > 0 {
            tracing::info!(client, events = pruned, "pruned events older than the retention");
        }
        Ok(pruned)
    }

    /// Sends or polls one claimed order and records the answer.
    async fn run_job(&self, ctx: &Ctx, job: FlowJob) -> ApiResult<()> {
        let Some(order) = ctx.db().order(job.order_id).await? else {
            return self.drop_job(ctx, &job).await;
        };
        let provider = order.provider_id.and_then(|id| ctx.config().provider(id)).cloned();
        let still_wanted = match job.phase {
            JobPhase::Send => {
                !order.status.is_final() && (super::wants_sending(ctx.config(), &order) || super::resendable(&order))
            }
            JobPhase::Poll => {
                matches!(
                    order.status,
                    patchbay_api::orders::OrderStatus::Sent | patchbay_api::orders::OrderStatus::Confirmed
                )
            }
        };
        if !still_wanted {
            return self.drop_job(ctx, &job).await;
        }
        let Some(provider) = provider else {
            let report = ProviderReport::Undeliverable {
                code: ErrorCode::ConfigurationError,
                reason: format!("order {} has no provider to send it to", order.id),
            };
            return record_report(ctx, order.id, Some(&report), Some(&job), None).await.map(drop);
        };
        let adapter = match self.adapters.adapter(&ctx.client.info.code, &provider) {
            Ok(a) => a,
            Err(e) => {
                let report = undeliverable(&e);
                self.observer.sent(&provider.code, "misconfigured", Duration::ZERO);
                return record_report(ctx, order.id, Some(&report), Some(&job), None).await.map(drop);
            }
        };
        let mut outbound = outbound_order(ctx, &order, &provider).await?;
        outbound.attempt = job.attempts;
        let started = Instant::now();
        let (answer, sent_at_ms) = match job.phase {
            JobPhase::Send => (adapter.send(&outbound).await.map(Some), now_ms()),
            JobPhase::Poll => {
                let sent_at = job.sent_at_ms.unwrap_or_else(now_ms);
                let since = Duration::from_millis((now_ms() - sent_at).max(0) as u64);
                (adapter.poll(&outbound, since).await, sent_at)
            }
        };
        let elapsed = started.elapsed();
        match answer {
            Ok(outcome) => {
                self.observer.sent(&provider.code, outcome.as_ref().map_or("none", outcome_label), elapsed);
                let report = outcome.as_ref().map(ProviderReport::from);
                let follow_up = match &report {
                    Some(ProviderReport::Accepted | ProviderReport::Confirmed) => {
                        let since = Duration::from_millis((now_ms() - sent_at_ms).max(0) as u64);
                        adapter.next_poll(since).map(|d| poll_job(&job, sent_at_ms, d.as_millis() as i64))
                    }
                    _ => None,
                };
                record_report(ctx, order.id, report.as_ref(), Some(&job), follow_up).await.map(drop)
            }
            Err(e) => {
                let label = match &e {
                    AdapterError::Unreachable(_) => "unreachable",
                    AdapterError::BadAnswer(_) => "bad_answer",
                    AdapterError::Misconfigured(_) => "misconfigured",
                };
                self.observer.sent(&provider.code, label, elapsed);
                let retryable = !matches!(e, AdapterError::Misconfigured(_));
                let polling = job.phase == JobPhase::Poll;
                if retryable && (polling || job.attempts < self.settings.max_attempts) {
                    let wait = backoff(self.settings.retry_base, self.settings.retry_cap, job.attempts.max(1));
                    let why = format!("attempt {}: {e}", job.attempts);
                    retry_later(ctx, &job, now_ms() + wait, why).await.map(drop)
                } else {
                    let mut report = undeliverable(&e);
                    if let ProviderReport::Undeliverable { reason, .. } = &mut report {
                        reason.push_str(&format!(" (after {} attempts)", job.attempts));
                    }
                    record_report(ctx, order.id, Some(&report), Some(&job), None).await.map(drop)
                }
            }
        }
    }

    async fn drop_job(&self, ctx: &Ctx, job: &FlowJob) -> ApiResult<()> {
        record_report(ctx, job.order_id, None, Some(job), None).await.map(drop).or_else(|e| {
            // The order is gone: so is its entry (it cascades).
            if e.code == ErrorCode::OrderNotFound {
                Ok(())
            } else {
                Err(e)
            }
        })
    }

    /// Delivers one claimed event to its subscriber and records how it went.
    async fn deliver(&self, ctx: &Ctx, mut d: DeliveryRecord, e: EventRecord) -> ApiResult<()> {
        let now = now_ms();
        match ctx.config().webhooks.iter().find(|w| w.url == d.subscriber) {
            None => {
                d.delivered_at_ms = Some(now);
                d.last_error = Some("the subscriber is no longer in the settings; not delivered".into());
            }
            Some(subscriber) => {
                let body = serde_json::to_vec(&payload(&ctx.client.info.code, &e)).expect("an event serializes");
                match self.sink.deliver(subscriber, &body).await {
                    Ok(()) => {
                        let done = now_ms();
                        d.delivered_at_ms = Some(done);
                        d.last_error = None;
                        self.observer.delivered(true, Duration::from_millis((done - e.at_ms).max(0) as u64));
                    }
                    Err(why) => {
                        let s = &self.settings;
                        d.due_at_ms = now_ms() + backoff(s.delivery_retry_base, s.delivery_retry_cap, d.attempts);
                        d.last_error = Some(why);
                        self.observer.delivered(false, Duration::ZERO);
                    }
                }
            }
        }
        ctx.db().finish_delivery(&d).await?;
        Ok(())
    }
}

/// Whether `every` has passed since the last time this said so for `client` (true the first
/// time), noting now when it does.
fn due_every(last: &parking_lot::Mutex<HashMap<String, Instant>>, client: &str, every: Duration) -> bool {
    let mut last = last.lock();
    let now = Instant::now();
    match last.get(client) {
        Some(at) if now.duration_since(*at) < every => false,
        _ => {
            last.insert(client.to_string(), now);
            true
        }
    }
}

fn outcome_label(o: &SendOutcome) -> &'static str {
    match o {
        SendOutcome::Accepted { .. } => "accepted",
        SendOutcome::Confirmed { .. } => "confirmed",
        SendOutcome::Completed { .. } => "completed",
        SendOutcome::Rejected { .. } => "rejected",
    }
}

fn undeliverable(e: &AdapterError) -> ProviderReport {
    let code = match e {
        AdapterError::Misconfigured(_) => ErrorCode::ConfigurationError,
        _ => ErrorCode::ProviderDown,
    };
    ProviderReport::Undeliverable { code, reason: e.to_string() }
}

/// The order as its provider receives it: its services with their ordered products and
/// inventory.
async fn outbound_order(ctx: &Ctx, order: &OrderRecord, provider: &Provider) -> ApiResult<OutboundOrder> {
    let mut services: BTreeMap<i32, OutboundService> = BTreeMap::new();
    for line in &order.lines {
        services.entry(line.service_id).or_insert_with(|| OutboundService {
            service_id: Some(line.service_id),
            tn: line.tn.clone(),
            ..OutboundService::default()
        });
    }
    for item in &order.items {
        services.entry(item.service_id).or_default().product_ids.push(item.product_id);
    }
    if !order.inventory.is_empty() {
        let ids: Vec<i32> = order.inventory.iter().map(|r| r.item_id).collect();
        let items = ctx.db().inventory_items(&ids).await?;
        let types = ctx.inventory_types();
        for r in &order.inventory {
            let kind = items
                .iter()
                .find(|i| i.id == r.item_id)
                .and_then(|i| types.iter().find(|t| t.id == i.type_id))
                .map(|t| t.kind.wire_name().to_string())
                .unwrap_or_default();
            services
                .entry(r.service_id)
                .or_default()
                .inventory
                .push(OutboundItem { kind, identifier: r.identifier.clone() });
        }
    }
    Ok(OutboundOrder {
        client: ctx.client.info.code.clone(),
        order_id: order.id,
        attempt: 0,
        pon: Some(order.pon.clone()),
        order_type: order.order_type.wire_name().to_string(),
        provider: provider.code.clone(),
        customer_id: order.customer_id,
        services: services.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let (base, cap) = (Duration::from_millis(100), Duration::from_millis(1000));
        let waits: Vec<i64> = (1..=6).map(|n| backoff(base, cap, n)).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1000, 1000]);
    }
}
