//! The flow-through queue (`flow_jobs`), events and their deliveries, written once for both
//! engines (compiled as `sqlite::flow` and `postgres::flow`, like `orders_impl.rs`).
//!
//! Claims are one `UPDATE … WHERE key IN (SELECT … LIMIT n) RETURNING`. On PostgreSQL the
//! inner select takes its rows `FOR UPDATE SKIP LOCKED`, so several processes claiming at once
//! each get different rows and none waits on another; on SQLite the claim holds the file's one
//! writer. A claim leases its rows until a deadline: a process that dies holding them loses
//! them when the lease runs out, and the claim count fences the one that comes back late.

use super::client::Tx;
use super::Db;
use crate::common::{col, db_err, from_json, to_json};
use patchbay_core::error::{StoreError, StoreResult};
use patchbay_core::model::*;
use sqlx::QueryBuilder;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

fn skip_locked() -> &'static str {
    if super::inventory::is_postgres() {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    }
}

const JOB_COLUMNS: &str = "order_id, phase, attempts, claims, due_at_ms, lease_until_ms, sent_at_ms, last_error";

fn job(r: &DbRow) -> StoreResult<FlowJob> {
    let phase: String = col(r, "phase")?;
    Ok(FlowJob {
        order_id: col(r, "order_id")?,
        phase: JobPhase::parse(&phase)
            .ok_or_else(|| StoreError::Database(format!("flow job phase {phase:?} is not send or poll")))?,
        attempts: col(r, "attempts")?,
        claims: col(r, "claims")?,
        due_at_ms: col(r, "due_at_ms")?,
        lease_until_ms: col(r, "lease_until_ms")?,
        sent_at_ms: col(r, "sent_at_ms")?,
        last_error: col(r, "last_error")?,
    })
}

pub(crate) async fn claim_jobs(
    c: &mut Conn,
    p: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: u32,
) -> StoreResult<Vec<FlowJob>> {
    let sql = format!(
        "UPDATE {p}flow_jobs SET claims = claims + 1, \
             attempts = attempts + CASE WHEN phase = 'send' THEN 1 ELSE 0 END, lease_until_ms = $2 \
         WHERE order_id IN (SELECT order_id FROM {p}flow_jobs \
             WHERE due_at_ms <= $1 AND lease_until_ms <= $1 ORDER BY due_at_ms LIMIT $3{}) \
         RETURNING {JOB_COLUMNS}",
        skip_locked()
    );
    let rows = sqlx::query(&sql)
        .bind(now_ms)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(i64::from(limit))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?;
    let mut jobs = rows.iter().map(job).collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| (j.due_at_ms, j.order_id));
    Ok(jobs)
}

pub(crate) async fn next_due(c: &mut Conn, p: &str) -> StoreResult<Option<i64>> {
    // A leased row is due again when its lease runs out.
    let sql = format!(
        "SELECT MIN(t) FROM (\
           SELECT MIN(CASE WHEN lease_until_ms > due_at_ms THEN lease_until_ms ELSE due_at_ms END) AS t \
             FROM {p}flow_jobs \
           UNION ALL \
           SELECT MIN(CASE WHEN lease_until_ms > due_at_ms THEN lease_until_ms ELSE due_at_ms END) AS t \
             FROM {p}event_deliveries WHERE delivered_at_ms IS NULL) AS due"
    );
    sqlx::query_scalar::<_, Option<i64>>(&sql).fetch_one(&mut *c).await.map_err(db_err)
}

pub(crate) async fn job_for_update(w: &mut Tx, p: &str, order_id: i32) -> StoreResult<Option<FlowJob>> {
    let rows = w
        .read(&mut |q| {
            q.push(format!("SELECT {JOB_COLUMNS} FROM {p}flow_jobs WHERE order_id = "))
                .push_bind(order_id)
                .push(super::inventory::lock_clause());
        })
        .await?;
    rows.first().map(job).transpose()
}

pub(crate) async fn put_job(w: &mut Tx, p: &str, j: &FlowJob) -> StoreResult<()> {
    w.later("flow_jobs", |q| {
        q.push(format!("INSERT INTO {p}flow_jobs ({JOB_COLUMNS}) VALUES ("));
        q.separated(", ")
            .push_bind(j.order_id)
            .push_bind(j.phase.as_str())
            .push_bind(j.attempts)
            .push_bind(j.claims)
            .push_bind(j.due_at_ms)
            .push_bind(j.lease_until_ms)
            .push_bind(j.sent_at_ms)
            .push_bind(j.last_error.clone());
        q.push(
            ") ON CONFLICT (order_id) DO UPDATE SET phase = excluded.phase, attempts = excluded.attempts, \
               claims = excluded.claims, due_at_ms = excluded.due_at_ms, lease_until_ms = excluded.lease_until_ms, \
               sent_at_ms = excluded.sent_at_ms, last_error = excluded.last_error",
        );
    })
    .await
}

pub(crate) async fn delete_job(w: &mut Tx, p: &str, order_id: i32) -> StoreResult<()> {
    w.later("flow_jobs", |q| {
        q.push(format!("DELETE FROM {p}flow_jobs WHERE order_id = ")).push_bind(order_id);
    })
    .await
}

/// Rows per multi-row insert of events (7 parameters each) and deliveries (9).
const ROWS_PER_INSERT: usize = 1000;

pub(crate) async fn insert_events(
    w: &mut Tx,
    p: &str,
    events: &[EventRecord],
    deliveries: &[DeliveryRecord],
) -> StoreResult<()> {
    for chunk in events.chunks(ROWS_PER_INSERT) {
        w.later("events", |q| {
            q.push(format!("INSERT INTO {p}events (seq, id, name, order_id, item_id, at_ms, data) "));
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.seq)
                    .push_bind(e.id.clone())
                    .push_bind(e.name.clone())
                    .push_bind(e.order_id)
                    .push_bind(e.item_id)
                    .push_bind(e.at_ms)
                    .push_bind(to_json(&e.data));
            });
        })
        .await?;
    }
    for chunk in deliveries.chunks(ROWS_PER_INSERT) {
        w.later("event_deliveries", |q| {
            q.push(format!("INSERT INTO {p}event_deliveries ({DELIVERY_COLUMNS}) "));
            q.push_values(chunk, |mut b, d| {
                b.push_bind(d.event_seq)
                    .push_bind(d.subscriber.clone())
                    .push_bind(d.stream.clone())
                    .push_bind(d.attempts)
                    .push_bind(d.claims)
                    .push_bind(d.due_at_ms)
                    .push_bind(d.lease_until_ms)
                    .push_bind(d.delivered_at_ms)
                    .push_bind(d.last_error.clone());
            });
        })
        .await?;
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str =
    "event_seq, subscriber, stream, attempts, claims, due_at_ms, lease_until_ms, delivered_at_ms, last_error";
const EVENT_COLUMNS: &str = "seq, id, name, order_id, item_id, at_ms, data";

fn delivery(r: &DbRow) -> StoreResult<DeliveryRecord> {
    Ok(DeliveryRecord {
        event_seq: col(r, "event_seq")?,
        subscriber: col(r, "subscriber")?,
        stream: col(r, "stream")?,
        attempts: col(r, "attempts")?,
        claims: col(r, "claims")?,
        due_at_ms: col(r, "due_at_ms")?,
        lease_until_ms: col(r, "lease_until_ms")?,
        delivered_at_ms: col(r, "delivered_at_ms")?,
        last_error: col(r, "last_error")?,
    })
}

fn event(r: &DbRow) -> StoreResult<EventRecord> {
    Ok(EventRecord {
        seq: col(r, "seq")?,
        id: col(r, "id")?,
        name: col(r, "name")?,
        order_id: col(r, "order_id")?,
        item_id: col(r, "item_id")?,
        at_ms: col(r, "at_ms")?,
        data: from_json("event data", &col::<String, _>(r, "data")?)?,
    })
}

pub(crate) async fn claim_deliveries(
    c: &mut Conn,
    p: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(DeliveryRecord, EventRecord)>> {
    // Only the oldest undelivered event of a stream, per subscriber, may go: a later one waits
    // until it has been delivered (so each order's events arrive in order).
    let sql = format!(
        "UPDATE {p}event_deliveries SET claims = claims + 1, attempts = attempts + 1, lease_until_ms = $2 \
         WHERE (event_seq, subscriber) IN (SELECT d.event_seq, d.subscriber FROM {p}event_deliveries d \
             WHERE d.delivered_at_ms IS NULL AND d.due_at_ms <= $1 AND d.lease_until_ms <= $1 \
             AND NOT EXISTS (SELECT 1 FROM {p}event_deliveries e WHERE e.subscriber = d.subscriber \
                 AND e.stream = d.stream AND e.delivered_at_ms IS NULL AND e.event_seq < d.event_seq) \
             ORDER BY d.event_seq LIMIT $3{}) \
         RETURNING {DELIVERY_COLUMNS}",
        skip_locked()
    );
    let rows = sqlx::query(&sql)
        .bind(now_ms)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(i64::from(limit))
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?;
    let mut deliveries = rows.iter().map(delivery).collect::<StoreResult<Vec<_>>>()?;
    if deliveries.is_empty() {
        return Ok(Vec::new());
    }
    deliveries.sort_by_key(|d| d.event_seq);
    let mut seqs: Vec<i64> = deliveries.iter().map(|d| d.event_seq).collect();
    seqs.dedup();
    let events = events_by_seq(c, p, &seqs).await?;
    deliveries
        .into_iter()
        .map(|d| {
            let e = events.iter().find(|e| e.seq == d.event_seq).cloned().ok_or_else(|| {
                StoreError::Database(format!("a delivery names event {} that does not exist", d.event_seq))
            })?;
            Ok((d, e))
        })
        .collect()
}

async fn events_by_seq(c: &mut Conn, p: &str, seqs: &[i64]) -> StoreResult<Vec<EventRecord>> {
    let mut out = Vec::with_capacity(seqs.len());
    for chunk in seqs.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Db>::new(format!("SELECT {EVENT_COLUMNS} FROM {p}events WHERE seq IN ("));
        let mut s = q.separated(", ");
        for seq in chunk {
            s.push_bind(*seq);
        }
        q.push(")");
        for r in q.build().fetch_all(&mut *c).await.map_err(db_err)? {
            out.push(event(&r)?);
        }
    }
    Ok(out)
}

pub(crate) async fn finish_delivery(c: &mut Conn, p: &str, d: &DeliveryRecord) -> StoreResult<bool> {
    let sql = format!(
        "UPDATE {p}event_deliveries SET attempts = $3, due_at_ms = $4, lease_until_ms = 0, delivered_at_ms = $5, \
             last_error = $6 \
         WHERE event_seq = $1 AND subscriber = $2 AND claims = $7"
    );
    let done = sqlx::query(&sql)
        .bind(d.event_seq)
        .bind(&d.subscriber)
        .bind(d.attempts)
        .bind(d.due_at_ms)
        .bind(d.delivered_at_ms)
        .bind(d.last_error.as_deref())
        .bind(d.claims)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn prune_events(c: &mut Conn, p: &str, before_ms: i64, limit: u32) -> StoreResult<Vec<i64>> {
    // Events are numbered in the order they happen, so the old ones are the lowest numbers:
    // the scan stops at the first event young enough to keep, instead of reading them all.
    let sql = format!(
        "DELETE FROM {p}events WHERE seq IN (\
             SELECT e.seq FROM {p}events e \
             WHERE e.seq < COALESCE((SELECT y.seq FROM {p}events y WHERE y.at_ms >= $1 ORDER BY y.seq LIMIT 1), \
                                    9223372036854775807) \
               AND e.at_ms < $1 \
               AND NOT EXISTS (SELECT 1 FROM {p}event_deliveries d \
                               WHERE d.event_seq = e.seq AND d.delivered_at_ms IS NULL) \
             ORDER BY e.seq LIMIT $2) RETURNING seq"
    );
    let mut seqs: Vec<i64> =
        sqlx::query_scalar(&sql).bind(before_ms).bind(i64::from(limit)).fetch_all(&mut *c).await.map_err(db_err)?;
    seqs.sort_unstable();
    Ok(seqs)
}

pub(crate) async fn events(c: &mut Conn, p: &str, f: &EventFilter) -> StoreResult<Vec<EventRecord>> {
    let mut q = QueryBuilder::<Db>::new(format!("SELECT {EVENT_COLUMNS} FROM {p}events WHERE 1 = 1"));
    if let Some(o) = f.order_id {
        q.push(" AND order_id = ").push_bind(o);
    }
    if let Some(i) = f.item_id {
        q.push(" AND item_id = ").push_bind(i);
    }
    if !f.names.is_empty() {
        q.push(" AND name IN (");
        let mut s = q.separated(", ");
        for n in &f.names {
            s.push_bind(n.clone());
        }
        q.push(")");
    }
    if let Some(b) = f.before_seq {
        q.push(" AND seq < ").push_bind(b);
    }
    if f.undelivered {
        q.push(format!(
            " AND EXISTS (SELECT 1 FROM {p}event_deliveries d WHERE d.event_seq = seq AND d.delivered_at_ms IS NULL)"
        ));
    }
    q.push(" ORDER BY seq DESC LIMIT ").push_bind(i64::from(f.limit));
    q.build().fetch_all(&mut *c).await.map_err(db_err)?.iter().map(event).collect()
}

pub(crate) async fn deliveries_of(c: &mut Conn, p: &str, seqs: &[i64]) -> StoreResult<Vec<DeliveryRecord>> {
    let mut out = Vec::new();
    for chunk in seqs.chunks(ROWS_PER_INSERT) {
        let mut q =
            QueryBuilder::<Db>::new(format!("SELECT {DELIVERY_COLUMNS} FROM {p}event_deliveries WHERE event_seq IN ("));
        let mut s = q.separated(", ");
        for seq in chunk {
            s.push_bind(*seq);
        }
        q.push(") ORDER BY event_seq, subscriber");
        for r in q.build().fetch_all(&mut *c).await.map_err(db_err)? {
            out.push(delivery(&r)?);
        }
    }
    Ok(out)
}

pub(crate) async fn backlog(c: &mut Conn, p: &str, now_ms: i64) -> StoreResult<FlowBacklog> {
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM {p}flow_jobs) AS orders, \
                (SELECT COUNT(*) FROM {p}flow_jobs WHERE due_at_ms <= $1) AS orders_due, \
                (SELECT COUNT(*) FROM {p}event_deliveries WHERE delivered_at_ms IS NULL) AS deliveries, \
                (SELECT MIN(e.at_ms) FROM {p}event_deliveries d JOIN {p}events e ON e.seq = d.event_seq \
                    WHERE d.delivered_at_ms IS NULL) AS oldest"
    );
    let r = sqlx::query(&sql).bind(now_ms).fetch_one(&mut *c).await.map_err(db_err)?;
    Ok(FlowBacklog {
        orders: col(&r, "orders")?,
        orders_due: col(&r, "orders_due")?,
        deliveries: col(&r, "deliveries")?,
        oldest_undelivered_ms: col(&r, "oldest")?,
    })
}

/// Subscribers, for the client's configuration.
pub(crate) async fn webhooks(c: &mut Conn, p: &str) -> StoreResult<Vec<WebhookSubscriber>> {
    let sql = format!("SELECT url, secret, events FROM {p}webhooks ORDER BY url");
    sqlx::query(&sql)
        .fetch_all(&mut *c)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(WebhookSubscriber {
                url: col(r, "url")?,
                secret: col(r, "secret")?,
                events: from_json("webhook events", &col::<String, _>(r, "events")?)?,
            })
        })
        .collect()
}

pub(crate) async fn put_webhooks(c: &mut Conn, p: &str, hooks: &[WebhookSubscriber]) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO {p}webhooks (url, secret, events) VALUES ($1, $2, $3) \
         ON CONFLICT (url) DO UPDATE SET secret = excluded.secret, events = excluded.events"
    );
    for h in hooks {
        sqlx::query(&sql)
            .bind(&h.url)
            .bind(&h.secret)
            .bind(to_json(&h.events))
            .execute(&mut *c)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}
