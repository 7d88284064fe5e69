//! Flow-through and events, end to end: orders created through the API travel to their
//! providers through the worker (`patchbay_core::flow::Dispatcher`) with the real adapters
//! (`patchbay_providers`), providers answering on the callback endpoint, and events reaching
//! subscribers. Webhook providers and subscribers are small axum servers on 127.0.0.1.

mod common;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use common::*;
use patchbay_core::flow::{Dispatcher, FlowSettings};
use patchbay_providers::{signature, EventPoster, ProviderAdapters};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const B: Binding = Binding::Json;
const PROVIDER_SECRET: &str = "provider secret";
const SUBSCRIBER_SECRET: &str = "subscriber secret";

async fn ok(app: &TestApp, op: &str, req: Value) -> Value {
    let r = app.call(B, op, with(acme(), req)).await;
    assert_ok(&r);
    r
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// Applies more settings for acme on top of the fixture's.
async fn settle(app: &TestApp, acme_section: &str) {
    let file = format!("[[clients]]\ncode = \"acme\"\nname = \"Acme Wireless\"\n{acme_section}");
    patchbay_core::settings::apply_str(&*app.store, "test settings", &file).await.expect("test settings apply");
    app.engine.invalidate();
}

fn worker(app: &TestApp, max_attempts: i32) -> Dispatcher {
    let settings = FlowSettings {
        max_attempts,
        retry_base: Duration::from_millis(10),
        retry_cap: Duration::from_millis(40),
        delivery_retry_base: Duration::from_millis(10),
        delivery_retry_cap: Duration::from_millis(40),
        idle_poll: Duration::from_millis(10),
        ..FlowSettings::default()
    };
    Dispatcher::new(
        app.engine.clone(),
        Arc::new(ProviderAdapters::default()),
        Arc::new(EventPoster::new(Duration::from_secs(2))),
        settings,
    )
}

/// Runs the worker until nothing is left to do (waiting out delays and back-offs).
async fn drain(d: &Dispatcher) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (busy, next_due) = d.pass().await.expect("a worker pass");
        if !busy && next_due.is_none() {
            return;
        }
        assert!(Instant::now() < deadline, "the queues never drained");
        if !busy {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn customer(app: &TestApp) -> i64 {
    int(&ok(
        app,
        "Customers_Create",
        json!({"CustomerClass": "Business", "CompanyName": "Flow Co", "BillProfileID": 1}),
    )
    .await["CustomerID"])
}

async fn summary(app: &TestApp, order: i64) -> Value {
    let r = ok(app, "Orders_Search", json!({"OrderID": [order]})).await;
    r["Orders"][0].clone()
}

async fn status(app: &TestApp, order: i64) -> String {
    summary(app, order).await["Status"].as_str().unwrap().to_string()
}

/// The order's status changes as events tell them: [(from, to)].
async fn changes(app: &TestApp, order: i64) -> Vec<(String, String)> {
    let r = ok(app, "Events_Query", json!({"OrderID": order, "Names": ["order.status_changed"]})).await;
    let mut out: Vec<(i64, String, String)> = r["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let d: Value = serde_json::from_str(e["Data"].as_str().unwrap()).unwrap();
            (int(&e["Sequence"]), d["from"].as_str().unwrap().into(), d["to"].as_str().unwrap().into())
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, f, t)| (f, t)).collect()
}

fn moves(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// What a stub provider or subscriber received: (signature valid, body).
#[derive(Clone, Default)]
struct Inbox {
    got: Arc<Mutex<Vec<(bool, Value)>>>,
    calls: Arc<AtomicUsize>,
}

/// How a stub answers its n-th call (from 0).
type Answerer = fn(usize) -> (StatusCode, Value);

/// A stub on 127.0.0.1 that checks signatures under `secret` and answers the n-th call (from
/// 0) with `answer(n)`.
async fn stub(secret: &'static str, answer: Answerer) -> (String, Inbox) {
    let inbox = Inbox::default();
    async fn take(
        State((inbox, secret, answer)): State<(Inbox, &'static str, Answerer)>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, String) {
        let n = inbox.calls.fetch_add(1, Ordering::SeqCst);
        let signed =
            headers.get("X-Patchbay-Signature").and_then(|v| v.to_str().ok()) == Some(&signature(secret, &body));
        let (status, answer) = answer(n);
        if status.is_success() {
            inbox.got.lock().unwrap().push((signed, serde_json::from_slice(&body).unwrap()));
        }
        (status, if answer.is_null() { String::new() } else { answer.to_string() })
    }
    let router = Router::new().route("/", post(take)).with_state((inbox.clone(), secret, answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, inbox)
}

fn webhook_provider(url: &str) -> String {
    format!(
        "  [[clients.providers]]\n  id = 13\n  code = \"HOOKTEL\"\n  name = \"Hook Telecom\"\n  wireless = true\n  \
         provisionable = true\n  adapter = \"webhook\"\n  url = \"{url}\"\n  \
         webhook = {{ secret = \"{PROVIDER_SECRET}\", timeout_ms = 2000 }}\n\
         [[clients.products]]\n  id = 1300\n  provider = 13\n  product_type = 1\n  name = \"Hook Line\"\n  \
         description = \"Hook line\"\n  rate = \"20.00\"\n\
         [[clients.packages]]\n  id = 1300\n  name = \"Hook Starter\"\n  provider = 13\n  products = [1300]\n"
    )
}

async fn callback(app: &TestApp, order: i64, body: Value, secret: Option<&str>) -> (StatusCode, Value) {
    callback_on(app, &format!("/callbacks/providers/HOOKTEL/orders/{order}"), body, secret).await
}

async fn callback_on(app: &TestApp, path: &str, body: Value, secret: Option<&str>) -> (StatusCode, Value) {
    let body = body.to_string();
    let mut req = Request::post(path).header("Content-Type", "application/json");
    if let Some(secret) = secret {
        req = req.header("X-Patchbay-Signature", signature(secret, body.as_bytes()));
    }
    let (status, _, answer) = app.send(req.body(Body::from(body)).unwrap()).await;
    (status, serde_json::from_slice(&answer).unwrap_or(Value::Null))
}

#[tokio::test]
async fn simulated_activation_goes_sent_confirmed_complete_and_gives_the_line_its_mdn() {
    let app = TestApp::new().await;
    let sims = int(
        &ok(
            &app,
            "InventoryTypes_Create",
            json!({"InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Flow SIMs", "Format": "ICCID_DECIMAL",
                                     "RequiresProduct": true, "ProductIDs": [100]}}),
        )
        .await["ID"],
    );
    let sim = iccid(7);
    let sim_id = int(&ok(&app, "Inventory_Create", json!({"Inventory": {"InventoryTypeID": sims, "Identifier": sim}}))
        .await["InventoryItemID"]);
    let c = customer(&app).await;
    let r = ok(
        &app,
        "NewOrders_Create",
        json!({"CustomerID": c, "PackageID": 1000, "WirelessICCID": sim, "SendOrders": true}),
    )
    .await;
    let (order, line) = (int(&r["Orders"][0]), int(&r["Lines"][0]));
    assert_eq!(status(&app, order).await, "NEW", "nothing is sent until the worker runs");

    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "COMPLETE");
    assert_eq!(changes(&app, order).await, moves(&[("NEW", "SENT"), ("SENT", "CONFIRMED"), ("CONFIRMED", "COMPLETE")]));

    // The line has the MDN the provider assigned as its TN, its products are ACTIVE, and the
    // SIM carries the MDN and MSID, as Customers_Query shows.
    let q = ok(&app, "Customers_Query", json!({"CustomerID": c})).await;
    let service = q["Customer"]["Services"].as_array().unwrap().iter().find(|s| int(&s["ID"]) == line).unwrap().clone();
    let mdn = service["TN"].as_str().expect("the line has a TN").to_string();
    assert!(mdn.starts_with("555") && mdn.len() == 10, "{mdn}");
    assert!(service["Products"].as_array().unwrap().iter().all(|p| p["Status"] == "ACTIVE"), "{service:#}");
    let item = &service["Inventory"][0];
    assert_eq!(item["Identifier"], json!(sim));
    assert_eq!((&item["Wireless"]["MDN"], &item["Wireless"]["MSID"]), (&json!(mdn), &json!(mdn)), "{item:#}");

    // Completed once: a late CONFIRMED or a second COMPLETE changes nothing.
    let before = ok(&app, "Events_Query", json!({"OrderID": order})).await["Events"].as_array().unwrap().len();
    drain(&worker(&app, 5)).await;
    let r = ok(&app, "Orders_Update", json!({"OrderID": order, "Status": "COMPLETE"})).await;
    assert_ok(&r);
    let after = ok(&app, "Events_Query", json!({"OrderID": order})).await["Events"].as_array().unwrap().len();
    assert_eq!(before, after);
    let names: Vec<String> = ok(&app, "Events_Query", json!({"OrderID": order})).await["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "order.completed").count(), 1, "{names:?}");
    assert_eq!(names.iter().filter(|n| *n == "order.created").count(), 1, "{names:?}");

    // Reserving the SIM for the new line was told too.
    let item_events = ok(&app, "Events_Query", json!({"InventoryItemID": sim_id})).await;
    let names: Vec<&str> =
        item_events["Events"].as_array().unwrap().iter().map(|e| e["Name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["inventory.assigned"]);
}

#[tokio::test]
async fn manual_orders_wait_in_sent_until_an_operator_completes_them() {
    let app = TestApp::new().await;
    let c = customer(&app).await;
    let r = ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1001, "SendOrders": true})).await;
    let order = int(&r["Orders"][0]);
    let d = worker(&app, 5);
    drain(&d).await;
    assert_eq!(status(&app, order).await, "SENT");
    drain(&d).await;
    assert_eq!(status(&app, order).await, "SENT", "the manual provider never answers by itself");
    ok(&app, "Orders_Update", json!({"OrderID": order, "Status": "COMPLETE"})).await;
    assert_eq!(status(&app, order).await, "COMPLETE");
    assert_eq!(changes(&app, order).await, moves(&[("NEW", "SENT"), ("SENT", "COMPLETE")]));
}

#[tokio::test]
async fn orders_not_marked_for_flow_through_are_not_sent() {
    let app = TestApp::new().await;
    let c = customer(&app).await;
    // NewOrders_Create marks orders of a provisionable provider for flow-through; turning the
    // flag off takes the order out of the queue.
    let r = ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000})).await;
    let order = int(&r["Orders"][0]);
    ok(&app, "Orders_Update", json!({"OrderID": order, "FlowThroughFlag": false})).await;
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "NEW");
    // Turning the flag on sends it.
    ok(&app, "Orders_Update", json!({"OrderID": order, "FlowThroughFlag": true})).await;
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "COMPLETE");

    // SendOrders too is undone by the flag.
    let r = ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000, "SendOrders": true})).await;
    let order = int(&r["Orders"][0]);
    ok(&app, "Orders_Update", json!({"OrderID": order, "FlowThroughFlag": false})).await;
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "NEW");
}

#[tokio::test]
async fn an_order_with_routes_waits_for_a_route_decision() {
    let app = TestApp::new().await;
    let c = customer(&app).await;
    let r =
        ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000, "ProcessID": 2, "SendOrders": true}))
            .await;
    let order = int(&r["Orders"][0]);
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "NEW", "unsent until a route is chosen");
    let waiting = ok(&app, "Orders_Search", json!({"RequiresRouteDecision": true})).await;
    let ids: Vec<i64> = waiting["Orders"].as_array().unwrap().iter().map(|o| int(&o["OrderID"])).collect();
    assert_eq!(ids, vec![order]);

    ok(&app, "Orders_Update", json!({"OrderID": order, "ProcessRouteID": 21})).await;
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "COMPLETE");
    let waiting = ok(&app, "Orders_Search", json!({"RequiresRouteDecision": true})).await;
    assert_eq!(waiting["Orders"], json!([]));
}

#[tokio::test]
async fn webhook_orders_are_signed_and_completed_by_signed_callbacks_only() {
    let app = TestApp::new().await;
    let (url, inbox) =
        stub(PROVIDER_SECRET, |_| (StatusCode::ACCEPTED, json!({"status": "accepted", "reference": "HT-1"}))).await;
    settle(&app, &webhook_provider(&url)).await;
    let c = customer(&app).await;
    let r = ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1300, "SendOrders": true})).await;
    let (order, line) = (int(&r["Orders"][0]), int(&r["Lines"][0]));
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "SENT");
    {
        let got = inbox.got.lock().unwrap();
        assert_eq!(got.len(), 1);
        let (signed, body) = &got[0];
        assert!(signed, "the order is signed with the provider's secret");
        assert_eq!((int(&body["order_id"]), int(&body["attempt"])), (order, 1));
        assert_eq!((body["client"].as_str(), body["provider"].as_str()), (Some("acme"), Some("HOOKTEL")));
        assert_eq!(body["services"][0]["product_ids"], json!([1300]));
    }

    // Forged and unsigned callbacks are refused and change nothing.
    let completed = json!({"status": "completed", "mdn": "5129990001", "msid": "5129990001"});
    let (s, _) = callback(&app, order, completed.clone(), Some("not the secret")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = callback(&app, order, completed.clone(), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&app, order).await, "SENT");
    // A callback for an order that is not the provider's is not found.
    let (s, _) = callback(&app, 999_999, completed.clone(), Some(PROVIDER_SECRET)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, a) = callback(&app, order, json!({"status": "confirmed"}), Some(PROVIDER_SECRET)).await;
    assert_eq!((s, a), (StatusCode::OK, json!({"result": "applied", "status": "CONFIRMED"})));
    let (s, a) = callback(&app, order, completed.clone(), Some(PROVIDER_SECRET)).await;
    assert_eq!((s, a), (StatusCode::OK, json!({"result": "applied", "status": "COMPLETE"})));
    // Duplicates and late arrivals change nothing.
    for late in [completed.clone(), json!({"status": "confirmed"}), json!({"status": "rejected", "reason": "late"})] {
        let (s, a) = callback(&app, order, late, Some(PROVIDER_SECRET)).await;
        assert_eq!((s, a), (StatusCode::OK, json!({"result": "unchanged"})));
    }
    assert_eq!(changes(&app, order).await, moves(&[("NEW", "SENT"), ("SENT", "CONFIRMED"), ("CONFIRMED", "COMPLETE")]));
    let q = ok(&app, "Customers_Query", json!({"CustomerID": c})).await;
    let service = q["Customer"]["Services"].as_array().unwrap().iter().find(|s| int(&s["ID"]) == line).unwrap().clone();
    assert_eq!(service["TN"], json!("5129990001"));
    assert_eq!(service["Products"][0]["Status"], "ACTIVE");
}

#[tokio::test]
async fn a_callback_two_clients_could_own_is_refused_unless_its_path_names_the_client() {
    let app = TestApp::new().await;
    let (url, _) = stub(PROVIDER_SECRET, |_| (StatusCode::ACCEPTED, json!({"status": "accepted"}))).await;
    settle(&app, &webhook_provider(&url)).await;
    // Globex has a provider of the same code and secret: its order ids are its own, so a
    // callback for "order N" could be either client's.
    let globex = format!("[[clients]]\ncode = \"globex\"\nname = \"Globex Telecom\"\n{}", webhook_provider(&url));
    patchbay_core::settings::apply_str(&*app.store, "test settings", &globex).await.expect("globex settings apply");
    app.engine.invalidate();
    let c = customer(&app).await;
    let order = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1300, "SendOrders": true}))
        .await["Orders"][0]);
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "SENT");

    let completed = json!({"status": "completed", "mdn": "5129990002"});
    let (s, a) = callback(&app, order, completed.clone(), Some(PROVIDER_SECRET)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{a}");
    let message = a["error"].as_str().unwrap();
    assert!(message.contains("acme, globex") && message.contains("/callbacks/clients/"), "{message}");
    assert_eq!(status(&app, order).await, "SENT", "an ambiguous callback changes nothing");

    // Named by the other client, the order is not that client's provider's.
    let path = |client: &str| format!("/callbacks/clients/{client}/providers/HOOKTEL/orders/{order}");
    let (s, _) = callback_on(&app, &path("globex"), completed.clone(), Some(PROVIDER_SECRET)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, a) = callback_on(&app, &path("initech"), completed.clone(), Some(PROVIDER_SECRET)).await;
    assert_eq!((s, a["error"].as_str()), (StatusCode::NOT_FOUND, Some("no client has code \"initech\"")));
    let (s, _) = callback_on(&app, &path("acme"), completed.clone(), Some("not the secret")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&app, order).await, "SENT");

    let (s, a) = callback_on(&app, &path("acme"), completed, Some(PROVIDER_SECRET)).await;
    assert_eq!((s, a), (StatusCode::OK, json!({"result": "applied", "status": "COMPLETE"})));
    assert_eq!(status(&app, order).await, "COMPLETE");
}

#[tokio::test]
async fn a_provider_refusal_is_error_with_its_reason() {
    let app = TestApp::new().await;
    let (url, _) =
        stub(PROVIDER_SECRET, |_| (StatusCode::UNPROCESSABLE_ENTITY, json!({"reason": "no coverage at the address"})))
            .await;
    settle(&app, &webhook_provider(&url)).await;
    let c = customer(&app).await;
    let order = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1300, "SendOrders": true}))
        .await["Orders"][0]);
    drain(&worker(&app, 5)).await;
    let s = summary(&app, order).await;
    assert_eq!((s["Status"].as_str(), s["StatusNote"].as_str()), (Some("ERROR"), Some("no coverage at the address")));
}

#[tokio::test]
async fn an_unreachable_provider_is_retried_then_flow_error_and_an_operator_can_resend() {
    let app = TestApp::new().await;
    // Fails twice, then takes the order.
    let (url, inbox) = stub(PROVIDER_SECRET, |n| {
        if n < 2 {
            (StatusCode::SERVICE_UNAVAILABLE, Value::Null)
        } else {
            (StatusCode::ACCEPTED, Value::Null)
        }
    })
    .await;
    settle(&app, &webhook_provider(&url)).await;
    let c = customer(&app).await;
    let order = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1300, "SendOrders": true}))
        .await["Orders"][0]);
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "SENT");
    assert_eq!(inbox.calls.load(Ordering::SeqCst), 3);
    assert_eq!(int(&inbox.got.lock().unwrap()[0].1["attempt"]), 3, "each attempt is numbered");

    // A provider nobody answers for: FLOW_ERROR after the attempts allowed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    settle(&app, &webhook_provider(&format!("http://127.0.0.1:{port}/"))).await;
    let order = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1300, "SendOrders": true}))
        .await["Orders"][0]);
    drain(&worker(&app, 3)).await;
    let s = summary(&app, order).await;
    assert_eq!(s["Status"], "FLOW_ERROR", "{s:#}");
    let note = s["StatusNote"].as_str().unwrap();
    assert!(note.starts_with("CA2020: ") && note.contains("after 3 attempts"), "{note}");

    // The provider is back: the operator resends.
    let (url, inbox) = stub(PROVIDER_SECRET, |_| (StatusCode::ACCEPTED, Value::Null)).await;
    settle(&app, &webhook_provider(&url)).await;
    ok(&app, "Orders_Update", json!({"OrderID": order, "FlowThroughFlag": true})).await;
    drain(&worker(&app, 3)).await;
    assert_eq!(status(&app, order).await, "SENT");
    assert_eq!(int(&inbox.got.lock().unwrap()[0].1["attempt"]), 1, "a resend starts counting again");
    assert_eq!(changes(&app, order).await, moves(&[("NEW", "FLOW_ERROR"), ("FLOW_ERROR", "SENT")]));
}

#[tokio::test]
async fn events_reach_subscribers_signed_in_order_and_retried() {
    let app = TestApp::new().await;
    // The subscriber fails its first two deliveries.
    let (url, inbox) = stub(SUBSCRIBER_SECRET, |n| {
        if n < 2 {
            (StatusCode::INTERNAL_SERVER_ERROR, Value::Null)
        } else {
            (StatusCode::OK, Value::Null)
        }
    })
    .await;
    settle(
        &app,
        &format!("  [[clients.webhooks]]\n  url = \"{url}\"\n  secret = \"{SUBSCRIBER_SECRET}\"\n  events = [\"*\"]\n"),
    )
    .await;
    let c = customer(&app).await;
    let order = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000, "SendOrders": true}))
        .await["Orders"][0]);
    drain(&worker(&app, 5)).await;
    assert_eq!(status(&app, order).await, "COMPLETE");

    let got = inbox.got.lock().unwrap().clone();
    assert!(got.iter().all(|(signed, _)| *signed), "every event is signed");
    let names: Vec<&str> = got
        .iter()
        .filter(|(_, e)| e["data"]["order_id"] == json!(order))
        .map(|(_, e)| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "order.created",
            "order.status_changed",
            "order.status_changed",
            "order.status_changed",
            "order.completed"
        ],
        "one order's events arrive in order"
    );
    let mut ids: Vec<&str> = got.iter().map(|(_, e)| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "each event has its own id");

    let q = ok(&app, "Events_Query", json!({"OrderID": order, "Names": ["order.created"]})).await;
    let d = &q["Events"][0]["Deliveries"][0];
    assert_eq!((&d["URL"], &d["Delivered"], &d["Attempts"]), (&json!(url), &json!(true), &json!(3)), "{q:#}");
    let q = ok(&app, "Events_Query", json!({"Undelivered": true})).await;
    assert_eq!(q["Events"], json!([]));

    // Bad filters are refused with the field named.
    let r = app.call(B, "Events_Query", with(acme(), json!({"Names": ["order.exploded"]}))).await;
    assert_error(&r, "S2010");
    assert!(message(&r).contains("Names"), "{r}");
    let r = app.call(B, "Events_Query", with(acme(), json!({"Limit": 0}))).await;
    assert_error(&r, "S2010");
}

/// Events past their retention go once every delivery of them is made, and no sooner; each
/// batch deleted is audited by the client's system actor.
#[tokio::test]
async fn old_events_are_pruned_once_delivered_and_the_pruning_is_audited() {
    let app = TestApp::new().await;
    let (url, _inbox) = stub(SUBSCRIBER_SECRET, |_| (StatusCode::OK, Value::Null)).await;
    let subscriber = |url: &str| {
        format!("  [[clients.webhooks]]\n  url = \"{url}\"\n  secret = \"{SUBSCRIBER_SECRET}\"\n  events = [\"*\"]\n")
    };
    settle(&app, &subscriber(&url)).await;
    let c = customer(&app).await;
    let delivered = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000})).await["Orders"][0]);
    let w = worker(&app, 5);
    drain(&w).await;
    // A subscriber that refuses everything: the next order's events stay undelivered.
    let (refusing, _) = stub(SUBSCRIBER_SECRET, |_| (StatusCode::INTERNAL_SERVER_ERROR, Value::Null)).await;
    settle(&app, &subscriber(&refusing)).await;
    let waiting = int(&ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000})).await["Orders"][0]);
    w.pass().await.unwrap();
    let events_of = |order: i64| {
        let app = &app;
        async move { ok(app, "Events_Query", json!({"OrderID": order})).await["Events"].as_array().unwrap().len() }
    };
    let (before_delivered, before_waiting) = (events_of(delivered).await, events_of(waiting).await);
    assert!(before_delivered > 0 && before_waiting > 0);

    // Younger than the retention: kept.
    assert_eq!(w.prune_events("acme", Duration::from_secs(3600)).await.unwrap(), 0);
    assert_eq!(events_of(delivered).await, before_delivered);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let pruned = w.prune_events("acme", Duration::from_millis(1)).await.unwrap();
    assert_eq!(pruned, before_delivered, "the delivered order's events, and only those");
    assert_eq!(events_of(delivered).await, 0);
    assert_eq!(events_of(waiting).await, before_waiting, "events still to deliver are kept");

    let audit = patchbay_store::testing::client_texts(
        &app.url,
        "acme",
        "SELECT operation || '|' || CAST(user_id AS TEXT) || '|' || entity FROM audit_log WHERE operation = 'Events_Prune'",
    )
    .await;
    assert_eq!(audit, vec!["Events_Prune|0|event".to_string()], "one batch, by the system actor");
}

#[tokio::test]
async fn readyz_and_metrics_report_the_queues() {
    let app = TestApp::new().await;
    let c = customer(&app).await;
    ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1001, "SendOrders": true})).await;
    let (s, _, body) = app.get("/readyz").await;
    assert_eq!(s, StatusCode::OK);
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["backlog"]["orders_queued"], 1, "{ready}");
    let (_, _, metrics) = app.get("/metrics").await;
    assert!(metrics.contains("patchbay_flow_queue_depth 1"), "{metrics}");
    drain(&worker(&app, 5)).await;
    let (_, _, body) = app.get("/readyz").await;
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["backlog"]["orders_queued"], 0, "{ready}");
}
