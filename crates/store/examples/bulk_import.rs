//! Benchmark: one Inventory_Bulk_Create of N SIM cards (default 100,000) through the engine,
//! as the JSON binding runs it (the request body is decoded from its bytes inside the timing,
//! and the body stays alive while the request runs, as it does in the server).
//!
//!   cargo run --release -p patchbay-store --example bulk_import                # SQLite
//!   PATCHBAY_TEST_DATABASE_URL=postgres://… cargo run --release -p patchbay-store --example bulk_import
//!   … --example bulk_import -- 250000                                           # another N
//!
//! Each run uses a fresh database (a temporary SQLite file, or a new PostgreSQL database on the
//! server named by PATCHBAY_TEST_DATABASE_URL). Prints one Markdown table row with the resident
//! memory before the import and its peak during it.

use patchbay_core::{Engine, RequestObject};
use serde_json::{json, Value};
use std::time::Instant;

const SETTINGS: &str = include_str!("../../../tests/fixtures/settings.toml");

fn iccid(n: u64) -> String {
    let payload = format!("8901410{n:012}");
    let check = patchbay_core::ops::identifiers::luhn_check_digit(&payload);
    format!("{payload}{check}")
}

/// A memory figure of this process from /proc/self/status (`VmRSS`, `VmHWM`), in MiB.
fn rss_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let engine_name = if patchbay_store::testing::on_postgres() { "PostgreSQL" } else { "SQLite" };
    let url = patchbay_store::testing::fresh_database_url().await;
    let store = patchbay_store::open(&url).await.expect("database opens");
    store.migrate().await.expect("migrations run");
    patchbay_core::settings::apply_str(&*store, "fixture", SETTINGS).await.expect("settings apply");
    let engine = Engine::new(store.clone());
    let creds = json!({"Username": "api", "Password": "correct horse battery", "Client": "acme"});
    let t = engine
        .execute(
            "InventoryTypes_Create",
            json!({"Credentials": creds, "InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "SIM cards",
                   "RequiresProduct": true, "Format": "ICCID_DECIMAL"}}),
        )
        .await
        .expect("operation exists")
        .result;
    let type_id = t["ID"].as_i64().expect("type created");
    // The body is written directly, so building it does not inflate the memory measured below.
    let mut body = format!("{{\"Credentials\":{creds},\"InventoryItems\":[").into_bytes();
    for i in 0..n {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(
            format!("{{\"InventoryTypeID\":{type_id},\"Identifier\":\"{}\",\"Status\":\"AVAILABLE\"}}", iccid(i))
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"]}");
    let body_mib = body.len() as f64 / 1_048_576.0;

    // Measure the import's own peak: reset the high-water mark (Linux) and note where RSS starts.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = rss_mib("VmRSS");
    let started = Instant::now();
    // As the JSON binding does: the body stays alive and the items are decoded straight from it.
    let request = RequestObject::from_json(&body).expect("valid JSON");
    let done = engine.execute_object("Inventory_Bulk_Create", request).await.expect("operation exists");
    let elapsed = started.elapsed();
    let import_peak = rss_mib("VmHWM");
    let result = done.result;
    drop(body);
    assert_eq!(result["Header"]["Success"], true, "{}", result["Header"]);
    let created = result["InventoryItemIDs"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(created as u64, n);
    drop(result);

    // A second request with every identifier already stored: refused in full, nothing written.
    let again: Vec<Value> = (0..n).map(|i| json!({"InventoryTypeID": type_id, "Identifier": iccid(i)})).collect();
    let started_dup = Instant::now();
    let refused = engine
        .execute("Inventory_Bulk_Create", json!({"Credentials": creds, "InventoryItems": again}))
        .await
        .expect("operation exists")
        .result;
    let dup_elapsed = started_dup.elapsed();
    assert_eq!(refused["Header"]["Success"], false);

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!("machine: {} CPUs ({cpu})", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    println!("| database | items | request body | import (parse + validate + write + commit) | all-duplicate request refused in | RSS before → peak during import |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {engine_name} | {n} | {body_mib:.1} MiB | {:.2} s | {:.2} s | {rss_before:.0} → {import_peak:.0} MiB |",
        elapsed.as_secs_f64(),
        dup_elapsed.as_secs_f64(),
    );
    store.close().await;
}
