//! Crash safety of flow-through, with the real binary: `patchbay serve` is killed with SIGKILL
//! again and again while orders travel to a simulated provider and to a webhook provider (a
//! stub in this test that answers on the callback endpoint), and events go to a subscriber.
//! After the last start every order reaches its final status, its effects are applied once, no
//! provider receives one attempt of an order twice, and no event is lost. On PostgreSQL the
//! same run is made with three processes sharing the database, one killed mid-run.

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::{call_as_acme, http, serve_with, Server, SETTINGS};
use patchbay_providers::{signature, SimulatedAdapter, SimulatedSettings};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROVIDER_SECRET: &str = "hook secret";
const SUBSCRIBER_SECRET: &str = "events secret";
const SIM_SEED: u64 = 7;
const SIM_ERROR_RATE: f64 = 0.2;

/// What the stubs saw.
#[derive(Default)]
struct Seen {
    /// (order id, attempt) → times received.
    attempts: HashMap<(i64, i64), usize>,
    /// Event ids received with a valid signature.
    events: BTreeSet<String>,
    bad_signatures: usize,
}

type Shared = Arc<Mutex<Seen>>;

/// Where the live servers listen, for the provider's callbacks.
type Addrs = Arc<Mutex<Vec<String>>>;

async fn provider_stub(State((seen, addrs)): State<(Shared, Addrs)>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signed =
        headers.get("X-Patchbay-Signature").and_then(|v| v.to_str().ok()) == Some(&signature(PROVIDER_SECRET, &body));
    let order: Value = serde_json::from_slice(&body).unwrap();
    let (id, attempt) = (order["order_id"].as_i64().unwrap(), order["attempt"].as_i64().unwrap());
    {
        let mut s = seen.lock().unwrap();
        if !signed {
            s.bad_signatures += 1;
        }
        *s.attempts.entry((id, attempt)).or_default() += 1;
    }
    // The provider completes the order a little later, on the callback endpoint of whichever
    // server is up, until one takes it.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        let body =
            json!({"status": "completed", "mdn": format!("512{:07}", id), "msid": format!("512{:07}", id)}).to_string();
        let sig = signature(PROVIDER_SECRET, body.as_bytes());
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let addr = addrs.lock().unwrap().first().cloned();
            if let Some(addr) = addr {
                let answered = std::panic::catch_unwind(|| {
                    http(
                        &addr,
                        "POST",
                        &format!("/callbacks/providers/HOOKTEL/orders/{id}"),
                        &[("Content-Type", "application/json"), ("X-Patchbay-Signature", &sig)],
                        &body,
                    )
                    .0
                });
                if matches!(answered, Ok(200)) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    StatusCode::ACCEPTED
}

async fn subscriber_stub(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signed =
        headers.get("X-Patchbay-Signature").and_then(|v| v.to_str().ok()) == Some(&signature(SUBSCRIBER_SECRET, &body));
    let event: Value = serde_json::from_slice(&body).unwrap();
    let mut s = seen.lock().unwrap();
    if signed {
        s.events.insert(event["id"].as_str().unwrap().to_string());
    } else {
        s.bad_signatures += 1;
    }
    StatusCode::OK
}

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

fn settings(provider_url: &str, subscriber_url: &str) -> String {
    format!(
        "[[clients]]\ncode = \"acme\"\nname = \"Acme Wireless\"\n\
  [[clients.providers]]\n  id = 10\n  code = \"SIMWIRELESS\"\n  name = \"Simulated Wireless\"\n  wireless = true\n  \
provisionable = true\n  adapter = \"simulated\"\n  \
simulated = {{ confirm_after_ms = 20, complete_after_ms = 60, error_rate = {SIM_ERROR_RATE}, mdn_prefix = \"555\", seed = {SIM_SEED} }}\n\
  [[clients.providers]]\n  id = 13\n  code = \"HOOKTEL\"\n  name = \"Hook Telecom\"\n  wireless = true\n  provisionable = true\n  \
adapter = \"webhook\"\n  url = \"{provider_url}\"\n  webhook = {{ secret = \"{PROVIDER_SECRET}\", timeout_ms = 2000 }}\n\
  [[clients.products]]\n  id = 1300\n  provider = 13\n  product_type = 1\n  name = \"Hook Line\"\n  description = \"Hook line\"\n  rate = \"20.00\"\n\
  [[clients.packages]]\n  id = 1300\n  name = \"Hook Starter\"\n  provider = 13\n  products = [1300]\n\
  [[clients.webhooks]]\n  url = \"{subscriber_url}\"\n  secret = \"{SUBSCRIBER_SECRET}\"\n  events = [\"*\"]\n"
    )
}

const FLOW_ENV: [(&str, &str); 4] = [
    ("PATCHBAY_FLOW_LEASE_MS", "1500"),
    ("PATCHBAY_FLOW_RETRY_MS", "50"),
    ("PATCHBAY_EVENT_RETRY_MS", "50"),
    ("PATCHBAY_FLOW_IDLE_POLL_MS", "20"),
];

fn start(url: &str, files: &(String, String)) -> Server {
    serve_with(url, &["--settings", &files.0, "--settings", &files.1], &FLOW_ENV).0
}

fn kill(server: &mut Server) {
    let pid = server.child.id() as libc::pid_t;
    // SAFETY: kill(2) on our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let _ = server.child.wait();
}

fn ok(addr: &str, op: &str, req: Value) -> Value {
    let (status, v) = call_as_acme(addr, op, &req.to_string());
    assert_eq!((status, &v["Header"]["Success"]), (200, &json!(true)), "{op} {req}: {v}");
    v
}

/// Orders `per_kind` lines of each provider for `customer`: their order ids, by package.
fn order_lines(addr: &str, customer: i64, per_kind: usize) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for _ in 0..per_kind {
        for package in [1000, 1300] {
            let r =
                ok(addr, "NewOrders_Create", json!({"CustomerID": customer, "PackageID": package, "SendOrders": true}));
            out.push((r["Orders"][0].as_i64().unwrap(), package));
        }
    }
    out
}

fn rejected_by_simulator(order_id: i64) -> bool {
    let settings = SimulatedSettings { error_rate: SIM_ERROR_RATE, seed: SIM_SEED, ..Default::default() };
    let sim = SimulatedAdapter::new(settings, true).unwrap();
    sim.rejects(&patchbay_core::provider::OutboundOrder {
        client: "acme".into(),
        order_id: order_id as i32,
        ..Default::default()
    })
}

/// Waits until every order is final and every event delivered, then checks the guarantees.
fn check_everything_arrived_once(addr: &str, customer: i64, orders: &[(i64, i64)], seen: &Shared) {
    let deadline = Instant::now() + Duration::from_secs(90);
    let statuses = loop {
        let r = ok(addr, "Orders_Search", json!({"CustomerID": [customer], "PageSize": 500}));
        let statuses: BTreeMap<i64, String> = r["Orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["OrderID"].as_i64().unwrap(), o["Status"].as_str().unwrap().to_string()))
            .collect();
        let undelivered = ok(addr, "Events_Query", json!({"Undelivered": true, "Limit": 1}));
        let pending = undelivered["Events"].as_array().is_some_and(|e| !e.is_empty());
        if orders.iter().all(|(o, _)| matches!(statuses.get(o).map(String::as_str), Some("COMPLETE" | "ERROR")))
            && !pending
        {
            break statuses;
        }
        assert!(Instant::now() < deadline, "not everything arrived: {statuses:?}, events pending: {pending}");
        std::thread::sleep(Duration::from_millis(100));
    };

    let mut expected_active = 0;
    for (order, package) in orders {
        let want = if *package == 1000 && rejected_by_simulator(*order) { "ERROR" } else { "COMPLETE" };
        assert_eq!(statuses[order], want, "order {order} (package {package})");
        // Effects once: one completion, one creation, and a status path without repeats.
        let ev = ok(addr, "Events_Query", json!({"OrderID": order, "Limit": 1000}));
        let names: Vec<&str> = ev["Events"].as_array().unwrap().iter().map(|e| e["Name"].as_str().unwrap()).collect();
        let count = |n: &str| names.iter().filter(|x| **x == n).count();
        assert_eq!(count("order.created"), 1, "order {order}: {names:?}");
        assert_eq!(count("order.completed"), usize::from(want == "COMPLETE"), "order {order}: {names:?}");
        if want == "COMPLETE" {
            expected_active += if *package == 1000 { 2 } else { 1 };
        }
    }
    let q = ok(addr, "Customers_Query", json!({"CustomerID": customer}));
    let products: Vec<Value> = q["Customer"]["Services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Products"].as_array().cloned().unwrap_or_default())
        .collect();
    let active = products.iter().filter(|p| p["Status"] == "ACTIVE").count();
    assert_eq!(active, expected_active, "every completed order's products, and nothing twice");

    let seen = seen.lock().unwrap();
    assert_eq!(seen.bad_signatures, 0);
    let twice: Vec<_> = seen.attempts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "the provider received an attempt twice: {twice:?}");
    // Every recorded event reached the subscriber.
    let mut recorded = BTreeSet::new();
    let mut before: Option<i64> = None;
    loop {
        let mut req = json!({"Limit": 1000});
        if let Some(b) = before {
            req["BeforeSequence"] = json!(b);
        }
        let page = ok(addr, "Events_Query", req);
        let events = page["Events"].as_array().unwrap().clone();
        if events.is_empty() {
            break;
        }
        for e in &events {
            recorded.insert(e["EventID"].as_str().unwrap().to_string());
        }
        before = events.last().unwrap()["Sequence"].as_i64();
    }
    let lost: Vec<_> = recorded.difference(&seen.events).collect();
    assert!(lost.is_empty(), "events never delivered: {lost:?}");
}

struct Rig {
    url: String,
    /// The fixture's settings, then this test's providers and subscriber.
    fixture: tempfile::NamedTempFile,
    file: tempfile::NamedTempFile,
    seen: Shared,
    addrs: Addrs,
}

async fn rig() -> Rig {
    let seen: Shared = Arc::default();
    let addrs: Addrs = Arc::default();
    let provider =
        listen(Router::new().route("/", post(provider_stub)).with_state((seen.clone(), addrs.clone()))).await;
    let subscriber = listen(Router::new().route("/", post(subscriber_stub)).with_state(seen.clone())).await;
    let fixture = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(fixture.path(), SETTINGS).unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), settings(&provider, &subscriber)).unwrap();
    let url = patchbay_store::testing::fresh_database_url().await;
    Rig { url, fixture, file, seen, addrs }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_any_moment_loses_nothing_and_repeats_nothing() {
    let rig = rig().await;
    tokio::task::spawn_blocking(move || {
        let file = (rig.fixture.path().display().to_string(), rig.file.path().display().to_string());
        let mut server = start(&rig.url, &file);
        *rig.addrs.lock().unwrap() = vec![server.addr.clone()];
        let customer =
            ok(&server.addr, "Customers_Create", json!({"CustomerClass": "Business", "CompanyName": "Crash Co"}))
                ["CustomerID"]
                .as_i64()
                .unwrap();
        let mut orders = Vec::new();
        // Each round orders lines, lets flow-through run for a moment, and kills the server
        // wherever it is.
        for round in 0..6u64 {
            orders.extend(order_lines(&server.addr, customer, 6));
            std::thread::sleep(Duration::from_millis(20 + 37 * round % 150));
            rig.addrs.lock().unwrap().clear();
            kill(&mut server);
            server = start(&rig.url, &file);
            *rig.addrs.lock().unwrap() = vec![server.addr.clone()];
        }
        check_everything_arrived_once(&server.addr, customer, &orders, &rig.seen);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_on_postgresql_share_the_work_and_survive_one_dying() {
    if !patchbay_store::testing::on_postgres() {
        // Several processes sharing one database is PostgreSQL's job; CI runs this with
        // PATCHBAY_TEST_DATABASE_URL set.
        eprintln!("three_servers_on_postgresql: PATCHBAY_TEST_DATABASE_URL is not set; nothing to run on SQLite");
        return;
    }
    let rig = rig().await;
    tokio::task::spawn_blocking(move || {
        let file = (rig.fixture.path().display().to_string(), rig.file.path().display().to_string());
        // The first applies the settings and migrates; the others start on a ready database.
        let first = start(&rig.url, &file);
        let mut servers = vec![first, start(&rig.url, &file), start(&rig.url, &file)];
        *rig.addrs.lock().unwrap() = servers.iter().map(|s| s.addr.clone()).collect();
        let customer =
            ok(&servers[0].addr, "Customers_Create", json!({"CustomerClass": "Business", "CompanyName": "Trio Co"}))
                ["CustomerID"]
                .as_i64()
                .unwrap();
        let mut orders = Vec::new();
        for round in 0..4 {
            let addr = servers[round % servers.len()].addr.clone();
            orders.extend(order_lines(&addr, customer, 8));
            if round == 1 {
                // One dies holding whatever it had claimed; its leases run out and the
                // others take the work over.
                let mut dead = servers.remove(0);
                rig.addrs.lock().unwrap().retain(|a| *a != dead.addr);
                kill(&mut dead);
            }
        }
        check_everything_arrived_once(&servers[0].addr, customer, &orders, &rig.seen);
    })
    .await
    .unwrap();
}
