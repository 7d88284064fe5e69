//! Benchmark: SQLite write transactions per second under concurrency (group commit).
//!
//!   cargo run --release -p patchbay-store --example write_throughput              # 2 s per level
//!   cargo run --release -p patchbay-store --example write_throughput -- 5 1,8,32  # seconds, levels
//!
//! N tasks share one client database on a temporary SQLite file; each loops begin →
//! next_id → insert_customer → audit → commit. Prints one Markdown table row per concurrency
//! level with the commits acknowledged per second and the median and 99th percentile commit
//! latency, then checks that every acknowledged customer is in the file after reopening it.

use patchbay_api::customers::{CustomerStatus, CustomerType};
use patchbay_core::model::{AuditRecord, ClientInfo, CustomerRecord};
use patchbay_core::store::ClientDb;
use patchbay_schema::DateTime;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn one_write(db: &dyn ClientDb, task: usize) {
    let mut tx = db.begin().await.expect("begin");
    let id = tx.next_id("customer").await.expect("next_id");
    let now = DateTime::from_unix(1_700_000_000).unwrap();
    tx.insert_customer(&CustomerRecord {
        id,
        class: CustomerType::Residential,
        first_name: Some(format!("Task {task}")),
        last_name: Some(format!("Customer {id}")),
        company_name: None,
        status: CustomerStatus::Pending,
        bill_profile_id: None,
        service_address: None,
        fields: vec![],
        created_at: now,
    })
    .await
    .expect("insert_customer");
    tx.audit(&AuditRecord {
        at: now,
        user_id: 1,
        on_behalf_of_user_id: None,
        operation: "Customers_Create".into(),
        entity: "customer".into(),
        entity_ids: vec![id.into()],
    })
    .await
    .expect("audit");
    tx.commit().await.expect("commit");
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2.0);
    let levels: Vec<usize> =
        args.next().map(|a| a.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_else(|| vec![1, 8, 32]);
    println!("| concurrency | commits/s | p50 commit ms | p99 commit ms |");
    println!("|---:|---:|---:|---:|");
    for &n in &levels {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("patchbay.db");
        let store = Arc::new(patchbay_store::SqliteStore::open(&path).await.expect("opens"));
        use patchbay_core::store::Store;
        store.migrate().await.expect("migrates");
        let info = ClientInfo { code: "acme".into(), name: "Acme".into(), session_idle_minutes: 30 };
        store.put_client(&info).await.expect("client");
        let db = store.client("acme").await.unwrap().unwrap();
        // Warm up (statement caches, file growth).
        for _ in 0..20 {
            one_write(&*db, 0).await;
        }
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        let mut tasks = Vec::new();
        for t in 0..n {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let s = Instant::now();
                    one_write(&*db, t).await;
                    latencies.push(s.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.unwrap());
        }
        let elapsed = start.elapsed().as_secs_f64();
        latencies.sort();
        let pct = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        println!("| {n} | {:.0} | {:.2} | {:.2} |", latencies.len() as f64 / elapsed, pct(0.5), pct(0.99));
        drop(db);
        store.close().await;

        // Every acknowledged commit is in the file.
        let store = patchbay_store::SqliteStore::open(&path).await.expect("reopens");
        store.migrate().await.expect("migrates");
        let db = store.client("acme").await.unwrap().unwrap();
        let mut tx = db.begin().await.unwrap();
        let next = tx.next_id("customer").await.unwrap();
        drop(tx);
        assert_eq!(next as usize, latencies.len() + 20 + 1, "every acknowledged commit survived");
        store.close().await;
    }
}
