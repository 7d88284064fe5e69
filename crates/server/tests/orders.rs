//! Orders through every binding (JSON, SOAP 1.1, SOAP 1.2): NewOrders_Create, the six
//! Orders_Create kinds, Orders_Query, Orders_Search and Orders_Update with its state machine.
//! The effects of completing and canceling are checked where an integrator sees them:
//! Customers_Query (services, product statuses, the customer's status) and Inventory_Query.
//! Customers and inventory are made through the API, services through orders.

mod common;
use common::*;
use serde_json::{json, Value};

/// No customer, service, order or item has this id.
const UNKNOWN: i64 = 987_654;

const PENDING: &str = "PENDING";
const ACTIVE: &str = "ACTIVE";
const DENIED: &str = "DENIED";
const DISCONNECTED: &str = "DISCONNECTED";

const ALL_STATUSES: [&str; 13] = [
    "NOT_SPECIFIED",
    "NEW",
    "SENT",
    "ERROR",
    "CONFIRMED",
    "COMPLETE",
    "CANCELED",
    "HOLD",
    "FLOW_ERROR",
    "PAYMENT_HOLD",
    "LIFELINE_HOLD",
    "JEOPARDY",
    "PROVISIONED",
];

fn address() -> Value {
    json!({"FirstName": "Ada", "LastName": "Lovelace", "Address1": "1200 Main St", "City": "Houston",
           "State": "TX", "Zip": "77002"})
}

/// `base` with the properties of `extra` set on it.
fn merged(base: Value, extra: Value) -> Value {
    let mut out = base;
    for (k, v) in extra.as_object().expect("an object") {
        out[k] = v.clone();
    }
    out
}

/// `{kind: body}`.
fn kind(kind: &str, body: Value) -> Value {
    let mut v = json!({});
    v[kind] = body;
    v
}

async fn ok(app: &TestApp, b: Binding, op: &str, req: Value) -> Value {
    let r = app.call(b, op, with(acme(), req.clone())).await;
    assert_eq!(r["Header"]["Success"], true, "{b:?} {op} {req}: expected success, got {r:#}");
    r
}

/// Refused with `code`, the Message naming each of `says`.
async fn refused(app: &TestApp, b: Binding, op: &str, req: Value, code: &str, says: &[&str]) {
    let r = app.call(b, op, with(acme(), req.clone())).await;
    assert_eq!(r["Header"]["Success"], false, "{b:?} {op} {req}: expected {code}, got {r:#}");
    assert_eq!(r["Header"]["Error_Code"], code, "{b:?} {op} {req}: {r:#}");
    let m = message(&r);
    for s in says {
        assert!(m.contains(s), "{b:?} {op} {req}: the Message should name {s:?}: {m}");
    }
}

fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => panic!("a list, not {other}"),
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("an integer, not {v}"))
}

fn ints(v: &Value) -> Vec<i64> {
    list(v).iter().map(int).collect()
}

/// The `ID`s of a list of objects.
fn ids_of(v: &Value) -> Vec<i64> {
    list(v).iter().map(|x| int(&x["ID"])).collect()
}

fn esn(n: u64) -> String {
    // ESN_DECIMAL: manufacturer 159, an 8-digit serial.
    format!("159{n:08}")
}

async fn new_customer(app: &TestApp, b: Binding) -> i64 {
    customer_with(app, b, json!({})).await
}

async fn customer_with(app: &TestApp, b: Binding, extra: Value) -> i64 {
    let req = merged(json!({"CustomerClass": "Business", "CompanyName": "Order Test Co", "BillProfileID": 1}), extra);
    int(&ok(app, b, "Customers_Create", req).await["CustomerID"])
}

/// NewOrders_Create: (Orders, Lines).
async fn new_orders(app: &TestApp, b: Binding, req: Value) -> (Vec<i64>, Vec<i64>) {
    let r = ok(app, b, "NewOrders_Create", req).await;
    let (orders, lines) = (ints(&r["Orders"]), ints(&r["Lines"]));
    assert!(!orders.is_empty() && lines.len() == 1, "{b:?}: {r:#}");
    (orders, lines)
}

/// NewOrders_Create that must make exactly one order: (order, line).
async fn new_order(app: &TestApp, b: Binding, req: Value) -> (i64, i64) {
    let (orders, lines) = new_orders(app, b, req).await;
    assert_eq!(orders.len(), 1, "{b:?}: {orders:?}");
    (orders[0], lines[0])
}

/// Orders_Create of one kind: its OrderIDs.
async fn orders_create(app: &TestApp, b: Binding, k: &str, body: Value) -> Vec<i64> {
    let r = ok(app, b, "Orders_Create", kind(k, body)).await;
    let ids = ints(&r["OrderIDs"]);
    assert!(!ids.is_empty(), "{b:?}: {r:#}");
    ids
}

async fn one_order(app: &TestApp, b: Binding, k: &str, body: Value) -> i64 {
    let ids = orders_create(app, b, k, body).await;
    assert_eq!(ids.len(), 1, "{b:?} {k}: one order expected, got {ids:?}");
    ids[0]
}

async fn update(app: &TestApp, b: Binding, order: i64, extra: Value) {
    ok(app, b, "Orders_Update", merged(json!({"OrderID": order}), extra)).await;
}

async fn set_status(app: &TestApp, b: Binding, order: i64, status: &str) {
    update(app, b, order, json!({"Status": status})).await;
}

async fn complete(app: &TestApp, b: Binding, order: i64) {
    set_status(app, b, order, "COMPLETE").await;
}

async fn query(app: &TestApp, b: Binding, order: i64) -> Value {
    ok(app, b, "Orders_Query", json!({"OrderID": order})).await
}

/// Orders_Query's `Order`.
async fn summary(app: &TestApp, b: Binding, order: i64) -> Value {
    query(app, b, order).await["Order"].clone()
}

async fn status_of(app: &TestApp, b: Binding, order: i64) -> Value {
    summary(app, b, order).await["Status"].clone()
}

async fn search(app: &TestApp, b: Binding, filter: Value) -> Vec<i64> {
    let r = ok(app, b, "Orders_Search", filter).await;
    list(&r["Orders"]).iter().map(|o| int(&o["OrderID"])).collect()
}

async fn customer(app: &TestApp, b: Binding, id: i64) -> Value {
    ok(app, b, "Customers_Query", json!({"CustomerID": id})).await["Customer"].clone()
}

fn service(c: &Value, line: i64) -> Value {
    list(&c["Services"]).into_iter().find(|s| s["ID"] == line).unwrap_or_else(|| panic!("no service {line}: {c:#}"))
}

async fn line_of(app: &TestApp, b: Binding, c: i64, line: i64) -> Value {
    service(&customer(app, b, c).await, line)
}

/// (ProductID, Status) of each product of a service.
fn statuses(s: &Value) -> Vec<(i64, String)> {
    list(&s["Products"])
        .iter()
        .map(|p| (int(&p["ProductID"]), p["Status"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn st(v: &[(i64, &str)]) -> Vec<(i64, String)> {
    v.iter().map(|(p, s)| (*p, s.to_string())).collect()
}

/// The one product of `product_id` on a service that is not DISCONNECTED.
fn live_product(s: &Value, product_id: i64) -> Value {
    let found: Vec<Value> = list(&s["Products"])
        .into_iter()
        .filter(|p| p["ProductID"] == product_id && p["Status"] != DISCONNECTED)
        .collect();
    assert_eq!(found.len(), 1, "one live product {product_id}: {s:#}");
    found[0].clone()
}

fn product_by_id(s: &Value, cp: i64) -> Value {
    list(&s["Products"]).into_iter().find(|p| p["ID"] == cp).unwrap_or_else(|| panic!("no product {cp}: {s:#}"))
}

/// (ProductID, Rate, Quantity) of the products of an Orders_Query AddLine line.
fn ordered(line: &Value) -> Vec<(i64, String, i64)> {
    list(&line["Products"])
        .iter()
        .map(|p| (int(&p["ProductID"]), p["Rate"].as_str().unwrap_or_default().to_string(), int(&p["Quantity"])))
        .collect()
}

fn pq(v: &[(i64, &str, i64)]) -> Vec<(i64, String, i64)> {
    v.iter().map(|(p, r, q)| (*p, r.to_string(), *q)).collect()
}

/// (Action, Operation, Note) of an item's history entries, oldest first.
async fn history(app: &TestApp, b: Binding, id: i64) -> Vec<(String, String, String)> {
    let h = ok(app, b, "InventoryHistory_Query", json!({"InventoryItemID": id})).await;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    list(&h["History"]).iter().map(|e| (text(&e["Action"]), text(&e["Operation"]), text(&e["Note"]))).collect()
}

async fn item(app: &TestApp, b: Binding, id: i64) -> Value {
    ok(app, b, "Inventory_Query", json!({"InventoryID": id})).await["Inventory"].clone()
}

/// SIM cards and handsets to order with.
struct Stock {
    sims: i64,
    phones: i64,
}

async fn stock(app: &TestApp, b: Binding) -> Stock {
    let new_type =
        |t: Value| async move { int(&ok(app, b, "InventoryTypes_Create", json!({"InventoryType": t})).await["ID"]) };
    let sims =
        new_type(json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Order SIMs", "RequiresProduct": true,
                               "Format": "ICCID_DECIMAL", "ProductIDs": [100]}))
        .await;
    let phones = new_type(json!({"Type": "Mobile_Device", "Identifier": "ESN", "Name": "Order phones",
                                 "RequiresProduct": true, "Format": "ESN_DECIMAL"}))
    .await;
    Stock { sims, phones }
}

impl Stock {
    async fn add(&self, app: &TestApp, b: Binding, type_id: i64, identifier: &str, extra: Value) -> i64 {
        let inv = merged(json!({"InventoryTypeID": type_id, "Identifier": identifier}), extra);
        int(&ok(app, b, "Inventory_Create", json!({"Inventory": inv})).await["InventoryItemID"])
    }

    /// An AVAILABLE SIM: (item id, ICCID).
    async fn sim(&self, app: &TestApp, b: Binding, n: u64) -> (i64, String) {
        let id = iccid(n);
        (self.add(app, b, self.sims, &id, json!({})).await, id)
    }

    /// An AVAILABLE handset: (item id, ESN).
    async fn phone(&self, app: &TestApp, b: Binding, n: u64) -> (i64, String) {
        let id = esn(n);
        (self.add(app, b, self.phones, &id, json!({})).await, id)
    }
}

/// A Wireless Starter line (products 100 and 101) of `c`, completed: every product ACTIVE.
async fn active_line(app: &TestApp, b: Binding, c: i64, extra: Value) -> i64 {
    let (orders, lines) = new_orders(app, b, merged(json!({"CustomerID": c, "PackageID": 1000}), extra)).await;
    for o in &orders {
        complete(app, b, *o).await;
    }
    let s = line_of(app, b, c, lines[0]).await;
    assert!(statuses(&s).iter().all(|(_, st)| st == ACTIVE), "{b:?}: completed line: {s:#}");
    lines[0]
}

// ---------------------------------------------------------------------------------------------
// NewOrders_Create

#[tokio::test]
async fn new_order_with_package_and_additional_products_completes_once() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let (orders, lines) = new_orders(
            &app,
            b,
            json!({"CustomerID": c, "PackageID": 1000, "Description": "Ada's phone",
                   "AdditionalProducts": [{"ProductID": 101, "Rate": "2.50", "Quantity": 2, "Description": "Voicemail Plus"}]}),
        )
        .await;
        assert_eq!(orders.len(), 1, "{b:?}: every product is provider 10's, so one order");
        let (o, line) = (orders[0], lines[0]);

        let q = query(&app, b, o).await;
        let s = &q["Order"];
        assert_eq!(s["OrderID"], o);
        assert_eq!(s["CustomerID"], c);
        assert_eq!(s["Order_Type"], "NEW", "a customer without services gets a NEW order: {q:#}");
        assert_eq!(s["Status"], "NEW");
        assert_eq!(s["PON"], format!("PB{o:08}"));
        assert_eq!(s["Carrier_ID"], 10);
        assert_eq!(s["Carrier"], "Simulated Wireless");
        assert_eq!(s["FlowThroughFlag"], true, "provider 10 is provisionable");
        assert_eq!(s["ShippingStatus"], "NOT_REQUIRED");
        assert!(s["Created_Date"].as_str().is_some_and(|d| d.len() >= 19), "{s:#}");
        assert!(s["CompletionDate"].is_null(), "{s:#}");
        assert_eq!(ids_of(&s["Services"]), vec![line], "Orders_Query shows the order's services");
        for other in ["Suspend", "Disconnect", "Restore", "Change"] {
            assert!(q[other].is_null(), "{b:?}: a NEW order is shown as AddLine only: {q:#}");
        }
        let added = list(&q["AddLine"]["Lines"]);
        assert_eq!(added.len(), 1, "{q:#}");
        assert_eq!(added[0]["LineID"], line);
        assert_eq!(added[0]["PackageID"], 1000);
        assert_eq!(added[0]["CarrierID"], 10);
        assert_eq!(
            ordered(&added[0]),
            pq(&[(100, "35.00", 1), (101, "3.00", 1), (101, "2.50", 2)]),
            "the package's products at catalog rates, then the additional one with its overrides"
        );

        // Nothing is billed before completion: the products wait as PENDING.
        let cust = customer(&app, b, c).await;
        assert_eq!(cust["Status"], "Pending");
        let svc = service(&cust, line);
        assert_eq!(svc["PackageID"], 1000);
        assert_eq!(svc["CarrierID"], 10);
        assert_eq!(svc["Type"], "Wireless Voice", "the package's service type");
        assert_eq!(statuses(&svc), st(&[(100, PENDING), (101, PENDING), (101, PENDING)]));
        assert!(list(&svc["Products"]).iter().all(|p| p["ActivatedDate"].is_null()), "{svc:#}");
        let products = list(&svc["Products"]);
        let extra = products.iter().find(|p| p["Rate"] == "2.50").expect("the overridden product");
        assert_eq!((&extra["ProductID"], &extra["Quantity"]), (&json!(101), &json!(2)));
        assert_eq!(extra["Description"], "Voicemail Plus");
        let from_package = products.iter().find(|p| p["ProductID"] == 101 && p["Rate"] == "3.00").unwrap();
        assert_eq!(from_package["Quantity"], 1);
        assert_eq!(from_package["Description"], "Voicemail feature", "the catalog description");

        // Completing applies the effects, dated CompletionDate.
        update(&app, b, o, json!({"Status": "COMPLETE", "CompletionDate": "2026-03-01T00:00:00Z"})).await;
        let cust = customer(&app, b, c).await;
        assert_eq!(cust["Status"], "Open", "a completed new service opens a Pending customer");
        let done = service(&cust, line);
        assert_eq!(statuses(&done), st(&[(100, ACTIVE), (101, ACTIVE), (101, ACTIVE)]));
        for p in list(&done["Products"]) {
            assert_eq!(p["ActivatedDate"], "2026-03-01T00:00:00Z", "{p:#}");
        }
        let s = summary(&app, b, o).await;
        assert_eq!(s["Status"], "COMPLETE");
        assert_eq!(s["CompletionDate"], "2026-03-01T00:00:00Z");

        // Exactly once: a second COMPLETE is accepted and changes nothing.
        update(&app, b, o, json!({"Status": "COMPLETE", "CompletionDate": "2026-04-01T00:00:00Z"})).await;
        assert_eq!(line_of(&app, b, c, line).await, done, "{b:?}: a repeated COMPLETE applies nothing again");
        assert_eq!(summary(&app, b, o).await["CompletionDate"], "2026-03-01T00:00:00Z");

        // A customer with an ACTIVE service gets an ADD_LINE order.
        let (more, _) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        assert_eq!(summary(&app, b, more).await["Order_Type"], "ADD_LINE");
    }
}

#[tokio::test]
async fn one_order_per_provider_and_shipped_products_need_an_address() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        // 102 (a DEVICE: requires shipping) and 103 are provider 12's; the package is provider 10's.
        let req = json!({"CustomerID": c, "PackageID": 1000,
                         "AdditionalProducts": [{"ProductID": 102}, {"ProductID": 103, "Rate": "0.00"}]});
        refused(&app, b, "NewOrders_Create", req.clone(), "S2010", &["ShippingAddress", "102"]).await;
        let with_address = |a: Value| merged(req.clone(), json!({"ShippingAddress": a}));
        refused(
            &app,
            b,
            "NewOrders_Create",
            with_address(merged(address(), json!({"Zip": "00000"}))),
            "S2015",
            &["ShippingAddress/Zip"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            with_address(merged(address(), json!({"Zip4": "123"}))),
            "S2010",
            &["ShippingAddress/Zip4"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            with_address(merged(address(), json!({"ID": 5}))),
            "S2010",
            &["ShippingAddress/ID"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            with_address(merged(address(), json!({"City": ""}))),
            "S2010",
            &["ShippingAddress/City"],
        )
        .await;
        // Refused requests leave nothing behind.
        assert_eq!(list(&customer(&app, b, c).await["Services"]), Vec::<Value>::new());
        assert_eq!(search(&app, b, json!({"CustomerID": [c]})).await, Vec::<i64>::new());

        let (orders, lines) =
            new_orders(&app, b, with_address(merged(address(), json!({"Zip4": "1234", "Address2": "Suite 4"})))).await;
        assert_eq!(orders.len(), 2, "{b:?}: one order per provider: {orders:?}");
        let (o10, o12, line) = (orders[0], orders[1], lines[0]);
        let q10 = query(&app, b, o10).await;
        let q12 = query(&app, b, o12).await;
        assert_eq!(q10["Order"]["Carrier_ID"], 10, "the package's provider comes first: {q10:#}");
        assert_eq!(q12["Order"]["Carrier_ID"], 12);
        assert_eq!(q12["Order"]["Carrier"], "In House");
        assert_eq!(q10["Order"]["FlowThroughFlag"], true);
        assert_eq!(q12["Order"]["FlowThroughFlag"], false, "provider 12 is not provisionable");
        for q in [&q10, &q12] {
            assert_eq!(q["Order"]["ShippingStatus"], "NOT_SHIPPED", "{q:#}");
            assert_eq!(q["Order"]["Order_Type"], "NEW");
            let l = list(&q["AddLine"]["Lines"]);
            assert_eq!(l.len(), 1, "{q:#}");
            assert_eq!(l[0]["LineID"], line, "both orders are for the one new service");
        }
        assert_eq!(ordered(&list(&q10["AddLine"]["Lines"])[0]), pq(&[(100, "35.00", 1), (101, "3.00", 1)]));
        assert_eq!(ordered(&list(&q12["AddLine"]["Lines"])[0]), pq(&[(102, "199.99", 1), (103, "0.00", 1)]));
        assert_eq!(
            statuses(&line_of(&app, b, c, line).await),
            st(&[(100, PENDING), (101, PENDING), (102, PENDING), (103, PENDING)])
        );

        // Each order applies its own products.
        complete(&app, b, o12).await;
        assert_eq!(
            statuses(&line_of(&app, b, c, line).await),
            st(&[(100, PENDING), (101, PENDING), (102, ACTIVE), (103, ACTIVE)])
        );
        complete(&app, b, o10).await;
        assert_eq!(
            statuses(&line_of(&app, b, c, line).await),
            st(&[(100, ACTIVE), (101, ACTIVE), (102, ACTIVE), (103, ACTIVE)])
        );
        // Shipping outlives completion.
        update(&app, b, o12, json!({"ShippingStatus": "SHIPPED", "TrackingNumber": "1Z999AA10123456784"})).await;
        let s = summary(&app, b, o12).await;
        assert_eq!((&s["ShippingStatus"], &s["Tracking_Number"]), (&json!("SHIPPED"), &json!("1Z999AA10123456784")));
    }
}

#[tokio::test]
async fn esn_and_iccid_reserve_available_inventory_and_cancel_gives_it_back() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let n = 100 * i as u64;
        let s = stock(&app, b).await;
        let (sim, sim_id) = s.sim(&app, b, n + 1).await;
        let (phone, phone_id) = s.phone(&app, b, n + 2).await;
        let spoiled_id = iccid(n + 3);
        s.add(&app, b, s.sims, &spoiled_id, json!({"Status": "UNAVAILABLE", "UnavailableReasonID": 1})).await;
        let c1 = new_customer(&app, b).await;
        let c2 = new_customer(&app, b).await;
        let order = |c: i64, extra: Value| merged(json!({"CustomerID": c, "PackageID": 1000}), extra);

        refused(&app, b, "NewOrders_Create", order(c1, json!({"ESN": esn(n + 50)})), "I2019", &["ESN"]).await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            order(c1, json!({"ESN": phone_id, "WirelessICCID": iccid(n + 50)})),
            "I2019",
            &["WirelessICCID"],
        )
        .await;
        // A handset's identifier is not a SIM's.
        refused(
            &app,
            b,
            "NewOrders_Create",
            order(c1, json!({"WirelessICCID": phone_id})),
            "I2019",
            &["WirelessICCID"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            order(c1, json!({"ESN": phone_id, "WirelessICCID": spoiled_id})),
            "S2010",
            &["WirelessICCID", "UNAVAILABLE"],
        )
        .await;
        assert_eq!(item(&app, b, phone).await["Status"], "AVAILABLE", "a refused order reserves nothing");

        let (o, line) = new_order(&app, b, order(c1, json!({"ESN": phone_id, "WirelessICCID": sim_id}))).await;
        for id in [sim, phone] {
            let it = item(&app, b, id).await;
            assert_eq!(it["Status"], "ASSIGNED", "{b:?}: reserved when the order is made: {it:#}");
            assert_eq!(it["CustomerID"], c1);
        }
        let on_line = ids_of(&line_of(&app, b, c1, line).await["Inventory"]);
        assert!(on_line.contains(&sim) && on_line.contains(&phone), "{b:?}: {on_line:?}");
        assert_eq!(search(&app, b, json!({"Identifier": [sim_id]})).await, vec![o]);
        assert_eq!(search(&app, b, json!({"Identifier": [phone_id]})).await, vec![o]);
        // Taken: another customer cannot have it.
        refused(
            &app,
            b,
            "NewOrders_Create",
            order(c2, json!({"WirelessICCID": sim_id})),
            "S2010",
            &["WirelessICCID", "another customer"],
        )
        .await;

        // Canceling gives the items back as they were and drops the service it created.
        set_status(&app, b, o, "CANCELED").await;
        for id in [sim, phone] {
            let it = item(&app, b, id).await;
            assert_eq!(it["Status"], "AVAILABLE", "{b:?}: {it:#}");
            assert!(it["CustomerID"].is_null(), "{b:?}: {it:#}");
        }
        let h = history(&app, b, sim).await;
        assert_eq!(
            h[h.len() - 2..].iter().map(|(a, op, _)| (a.as_str(), op.as_str())).collect::<Vec<_>>(),
            vec![("ASSIGNED", "NewOrders_Create"), ("UNASSIGNED", "Orders_Update")],
            "{b:?}: {h:?}"
        );
        assert!(h[h.len() - 1].2.contains(&format!("order {o} was canceled")), "{h:?}");
        let cust = customer(&app, b, c1).await;
        assert_eq!(list(&cust["Services"]), Vec::<Value>::new(), "{b:?}: the canceled order's service is gone");
        assert_eq!(cust["Status"], "Pending");
        assert_eq!(summary(&app, b, o).await["Status"], "CANCELED");
        // Repeating CANCELED is no change; leaving it is refused.
        set_status(&app, b, o, "CANCELED").await;
        refused(&app, b, "Orders_Update", json!({"OrderID": o, "Status": "COMPLETE"}), "S2010", &["Status"]).await;
        assert_eq!(item(&app, b, sim).await["Status"], "AVAILABLE");

        // An item already the customer's (on no service) may be ordered, and a cancel gives it
        // back to them as it was.
        let (mine, mine_id) = s.phone(&app, b, n + 4).await;
        ok(&app, b, "Inventory_Assign", json!({"InventoryItemID": mine, "CustomerID": c1})).await;
        let (o3, line3) = new_order(&app, b, order(c1, json!({"ESN": mine_id}))).await;
        assert!(ids_of(&line_of(&app, b, c1, line3).await["Inventory"]).contains(&mine));
        refused(&app, b, "NewOrders_Create", order(c2, json!({"ESN": mine_id})), "S2010", &["ESN", "another customer"])
            .await;
        set_status(&app, b, o3, "CANCELED").await;
        let it = item(&app, b, mine).await;
        assert_eq!(
            (&it["Status"], &it["CustomerID"]),
            (&json!("ASSIGNED"), &json!(c1)),
            "{b:?}: back as it was: {it:#}"
        );

        // Free again: another customer takes it, and completing keeps it with them.
        let (o2, line2) = new_order(&app, b, order(c2, json!({"WirelessICCID": sim_id}))).await;
        complete(&app, b, o2).await;
        let it = item(&app, b, sim).await;
        assert_eq!((&it["Status"], &it["CustomerID"]), (&json!("ASSIGNED"), &json!(c2)));
        assert!(ids_of(&line_of(&app, b, c2, line2).await["Inventory"]).contains(&sim));
        // In use on a live service: not even its own customer can order it again.
        refused(
            &app,
            b,
            "NewOrders_Create",
            order(c2, json!({"WirelessICCID": sim_id})),
            "S2010",
            &["WirelessICCID", "in use"],
        )
        .await;
    }
}

#[tokio::test]
async fn wireless_port_is_a_conversion_and_reconnect_keeps_the_tn() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let c = new_customer(&app, b).await;
        let mdn = format!("51255{i}0001");
        let port = json!({"MDN": mdn, "AccountNumber": "ACC-1", "AuthorizedSigner": "Ada Lovelace", "PINPassword": "1234",
                          "Remark": "port me", "Address": address(), "ExternalProvider": "SIMWIRELESS"});
        let req = |p: Value| json!({"CustomerID": c, "PackageID": 1000, "WirelessPort": p});
        for (field, value, code, says) in [
            ("AccountNumber", json!(null), "S2010", "WirelessPort/AccountNumber"),
            ("AuthorizedSigner", json!(""), "S2010", "WirelessPort/AuthorizedSigner"),
            ("MDN", json!("12345"), "S2010", "WirelessPort/MDN"),
            ("Address", json!(null), "S2010", "WirelessPort/Address"),
            ("Address", merged(address(), json!({"ID": 3})), "S2010", "WirelessPort/Address/ID"),
            ("Address", merged(address(), json!({"Zip": "00000"})), "S2015", "WirelessPort/Address/Zip"),
            ("Address", merged(address(), json!({"Zip4": "12a4"})), "S2010", "WirelessPort/Address/Zip4"),
            ("ExternalProvider", json!("HOSTEDVOICE"), "S2010", "WirelessPort/ExternalProvider"),
            ("ExternalProvider", json!("NOPE"), "CA2014", "NOPE"),
        ] {
            let mut p = port.clone();
            if value.is_null() {
                p.as_object_mut().unwrap().remove(field);
            } else {
                p[field] = value;
            }
            refused(&app, b, "NewOrders_Create", req(p), code, &[says]).await;
        }
        refused(
            &app,
            b,
            "NewOrders_Create",
            merged(req(port.clone()), json!({"ReconnectTN": format!("51255{i}0002")})),
            "S2010",
            &["ReconnectTN"],
        )
        .await;

        let (o, line) = new_order(&app, b, req(port.clone())).await;
        let q = query(&app, b, o).await;
        assert_eq!(q["Order"]["Order_Type"], "CONVERSION", "{q:#}");
        assert_eq!(list(&q["AddLine"]["Lines"])[0]["TN"], mdn.as_str());
        assert_eq!(line_of(&app, b, c, line).await["TN"], mdn.as_str(), "the new service has the ported number");
        assert_eq!(search(&app, b, json!({"TN": [mdn]})).await, vec![o]);
        assert_eq!(search(&app, b, json!({"CustomerID": [c], "OrderType": ["CONVERSION"]})).await, vec![o]);

        // ReconnectTN: the service gets the number; a number in use is refused.
        let c2 = new_customer(&app, b).await;
        let tn = format!("51255{i}0003");
        let (r, rline) = new_order(&app, b, json!({"CustomerID": c2, "PackageID": 1000, "ReconnectTN": tn})).await;
        let q = query(&app, b, r).await;
        assert_eq!(q["Order"]["Order_Type"], "NEW");
        assert_eq!(list(&q["AddLine"]["Lines"])[0]["TN"], tn.as_str());
        assert_eq!(line_of(&app, b, c2, rline).await["TN"], tn.as_str());
        refused(
            &app,
            b,
            "NewOrders_Create",
            json!({"CustomerID": c2, "PackageID": 1000, "ReconnectTN": mdn}),
            "S2010",
            &["ReconnectTN", "in use"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            json!({"CustomerID": c2, "PackageID": 1000, "ReconnectTN": "55512"}),
            "S2010",
            &["ReconnectTN"],
        )
        .await;
    }
}

#[tokio::test]
async fn new_orders_create_refusals() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let closed = customer_with(&app, b, json!({"Status": "Closed"})).await;
        let req = |extra: Value| merged(json!({"CustomerID": c, "PackageID": 1000}), extra);
        refused(&app, b, "NewOrders_Create", json!({"PackageID": 1000}), "S2010", &["CustomerID"]).await;
        refused(&app, b, "NewOrders_Create", json!({"CustomerID": c}), "S2010", &["PackageID"]).await;
        refused(&app, b, "NewOrders_Create", req(json!({"CustomerID": UNKNOWN})), "C2002", &["987654"]).await;
        refused(&app, b, "NewOrders_Create", req(json!({"CustomerID": closed})), "C2006", &["Closed"]).await;
        refused(&app, b, "NewOrders_Create", req(json!({"PackageID": 4242})), "PK2013", &["4242"]).await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            req(json!({"AdditionalProducts": [{"ProductID": 4242}]})),
            "PR2023",
            &["4242"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            req(json!({"AdditionalProducts": [{"ProductID": 101}, {"ProductID": 104}]})),
            "PR2023",
            &["AdditionalProducts/Product[2]", "inactive"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            req(json!({"AdditionalProducts": [{"ProductID": 101, "Quantity": 0}]})),
            "S2010",
            &["AdditionalProducts/Product[1]/Quantity"],
        )
        .await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            req(json!({"AdditionalProducts": [{"ProductID": 101, "Rate": "1.00001"}]})),
            "S2010",
            &["AdditionalProducts/Product[1]/Rate"],
        )
        .await;
        refused(&app, b, "NewOrders_Create", req(json!({"AdditionalProducts": [{}]})), "S2010", &["ProductID"]).await;
        refused(&app, b, "NewOrders_Create", req(json!({"LineTypeID": 99})), "LT2001", &["99"]).await;
        refused(&app, b, "NewOrders_Create", req(json!({"ProcessID": 99})), "PC2001", &["99"]).await;
        // Nothing was written by any of them.
        assert_eq!(list(&customer(&app, b, c).await["Services"]), Vec::<Value>::new());
        assert_eq!(search(&app, b, json!({"CustomerID": [c, closed]})).await, Vec::<i64>::new());
        // The same customer with a valid request is fine, and LineTypeID overrides the package's.
        let (_, line) = new_order(&app, b, req(json!({"LineTypeID": 4, "ProcessID": 1}))).await;
        assert_eq!(line_of(&app, b, c, line).await["Type"], "Hosted Voice");
    }
}

// ---------------------------------------------------------------------------------------------
// Orders_Create: Suspend, Restore, Disconnect

#[tokio::test]
async fn suspend_restore_and_disconnect_one_line() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let n = 100 * i as u64;
        let s = stock(&app, b).await;
        let (sim, sim_id) = s.sim(&app, b, n + 1).await;
        let (phone, phone_id) = s.phone(&app, b, n + 2).await;
        let c = new_customer(&app, b).await;
        let other = new_customer(&app, b).await;
        let tn = format!("51256{i}0001");
        let line = active_line(&app, b, c, json!({"ReconnectTN": tn, "WirelessICCID": sim_id, "ESN": phone_id})).await;
        let susp = |v: Value| kind("Suspend", v);

        refused(&app, b, "Orders_Create", susp(json!({})), "S2010", &["Suspend/TN"]).await;
        refused(&app, b, "Orders_Create", susp(json!({"TN": tn, "LineID": line})), "S2010", &["Suspend/LineID"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            susp(json!({"LineID": line, "SuspendType": "OUTGOING"})),
            "S2010",
            &["Suspend/SuspendType", "wireless"],
        )
        .await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": UNKNOWN})), "L2024", &["987654"]).await;
        refused(&app, b, "Orders_Create", susp(json!({"TN": "5129999999"})), "L2024", &["5129999999"]).await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line, "CustomerID": other})), "N2001", &[]).await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line, "CustomerID": UNKNOWN})), "C2002", &["987654"])
            .await;
        let closed = customer_with(&app, b, json!({"Status": "Closed"})).await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line, "CustomerID": closed})), "C2006", &["Closed"])
            .await;
        refused(&app, b, "Orders_Create", susp(json!({"TN": tn, "CustomerID": other})), "N2001", &[]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            susp(json!({"LineID": line, "Status": "SENT"})),
            "S2010",
            &["Suspend/Status"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            susp(json!({"LineID": line, "StatusNote": "now"})),
            "S2010",
            &["Suspend/StatusNote"],
        )
        .await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line, "ProcessID": 99})), "PC2001", &["99"]).await;
        refused(&app, b, "Orders_Create", kind("Restore", json!({"LineID": line})), "O2001", &["DENIED"]).await;
        assert_eq!(search(&app, b, json!({"CustomerID": [c], "Status": ["NEW"]})).await, Vec::<i64>::new());

        // Suspend: nothing changes until it completes; then ACTIVE becomes DENIED.
        let o = one_order(
            &app,
            b,
            "Suspend",
            json!({"LineID": line, "CustomerID": c, "Status": "NEW", "FlowThrough": false}),
        )
        .await;
        let q = query(&app, b, o).await;
        assert_eq!(q["Order"]["Order_Type"], "DENY", "{q:#}");
        assert_eq!(q["Order"]["FlowThroughFlag"], false);
        assert_eq!(q["Order"]["Carrier_ID"], 10);
        let sq = &q["Suspend"];
        assert_eq!((&sq["CustomerID"], &sq["Status"], &sq["SuspendType"]), (&json!(c), &json!("NEW"), &json!("ALL")));
        assert_eq!((&sq["TN"], &sq["LineID"]), (&json!(tn), &json!(line)));
        for other in ["Disconnect", "Restore", "AddLine", "Change"] {
            assert!(q[other].is_null(), "{q:#}");
        }
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
        update(&app, b, o, json!({"Status": "SENT", "StatusNote": "sent to the provider"})).await;
        let sq = query(&app, b, o).await["Suspend"].clone();
        assert_eq!((&sq["Status"], &sq["StatusNote"]), (&json!("SENT"), &json!("sent to the provider")));
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
        complete(&app, b, o).await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, DENIED), (101, DENIED)]));
        assert!(query(&app, b, o).await["Suspend"]["StatusNote"].is_null(), "a status change without a note clears it");
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line})), "O2001", &["ACTIVE"]).await;

        // Restore by TN.
        let r = one_order(&app, b, "Restore", json!({"TN": tn})).await;
        let q = query(&app, b, r).await;
        assert_eq!(q["Order"]["Order_Type"], "RESTORE");
        assert_eq!(q["Order"]["FlowThroughFlag"], true, "FlowThrough defaults to true");
        let rq = &q["Restore"];
        assert_eq!((&rq["CustomerID"], &rq["Status"]), (&json!(c), &json!("NEW")));
        assert_eq!((&rq["TN"], &rq["LineID"]), (&json!(tn), &json!(line)));
        assert!(q["Suspend"].is_null() && q["Disconnect"].is_null(), "{q:#}");
        refused(
            &app,
            b,
            "Orders_Create",
            kind("Restore", json!({"TN": tn, "LineID": line})),
            "S2010",
            &["Restore/LineID"],
        )
        .await;
        complete(&app, b, r).await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
        refused(&app, b, "Orders_Create", kind("Restore", json!({"LineID": line})), "O2001", &[]).await;

        // INCOMING, canceled: nothing happens to the products.
        let inc = one_order(&app, b, "Suspend", json!({"TN": tn, "SuspendType": "INCOMING"})).await;
        assert_eq!(query(&app, b, inc).await["Suspend"]["SuspendType"], "INCOMING");
        set_status(&app, b, inc, "CANCELED").await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));

        // Disconnect the line; its inventory becomes AVAILABLE on completion.
        let dis = |v: Value| kind("Disconnect", v);
        refused(&app, b, "Orders_Create", dis(json!({"TN": tn, "LineID": line})), "S2010", &["Disconnect/LineID"])
            .await;
        refused(
            &app,
            b,
            "Orders_Create",
            dis(json!({"LineID": line, "InventoryItemStatus": "BATCHED"})),
            "S2010",
            &["Disconnect/InventoryItemStatus"],
        )
        .await;
        refused(&app, b, "Orders_Create", dis(json!({"LineID": UNKNOWN})), "L2024", &["987654"]).await;
        refused(&app, b, "Orders_Create", dis(json!({"TN": tn, "CustomerID": other})), "N2001", &[]).await;
        let d = one_order(&app, b, "Disconnect", json!({"LineID": line, "InventoryItemStatus": "AVAILABLE"})).await;
        let q = query(&app, b, d).await;
        assert_eq!(q["Order"]["Order_Type"], "DISCONNECT");
        let dq = &q["Disconnect"];
        assert_eq!((&dq["CustomerID"], &dq["Status"]), (&json!(c), &json!("NEW")));
        assert_eq!(
            (&dq["TN"], &dq["LineID"], &dq["InventoryItemStatus"]),
            (&json!(tn), &json!(line), &json!("AVAILABLE"))
        );
        assert_eq!(item(&app, b, sim).await["Status"], "ASSIGNED", "nothing is released before completion");
        complete(&app, b, d).await;
        let cust = customer(&app, b, c).await;
        let svc = service(&cust, line);
        assert_eq!(statuses(&svc), st(&[(100, DISCONNECTED), (101, DISCONNECTED)]));
        assert_eq!(list(&svc["Inventory"]), Vec::<Value>::new(), "{svc:#}");
        assert_eq!(cust["Status"], "Open", "disconnecting one line does not close the account");
        for id in [sim, phone] {
            let it = item(&app, b, id).await;
            assert_eq!(it["Status"], "AVAILABLE", "{it:#}");
            assert!(it["CustomerID"].is_null(), "{it:#}");
            let (action, op, note) = history(&app, b, id).await.pop().unwrap();
            assert_eq!((action.as_str(), op.as_str()), ("UNASSIGNED", "Orders_Update"));
            assert!(note.contains(&format!("order {d} disconnected the service")), "{note}");
        }
        refused(&app, b, "Orders_Create", dis(json!({"LineID": line})), "O2001", &[]).await;
        refused(&app, b, "Orders_Create", susp(json!({"LineID": line})), "O2001", &[]).await;

        // OUTGOING is fine on a service of a provider that is not wireless (package 1001).
        let voice = active_line(&app, b, c, json!({"PackageID": 1001})).await;
        let out = one_order(&app, b, "Suspend", json!({"LineID": voice, "SuspendType": "OUTGOING"})).await;
        let q = query(&app, b, out).await;
        assert_eq!((&q["Suspend"]["SuspendType"], &q["Order"]["Carrier_ID"]), (&json!("OUTGOING"), &json!(11)));
        complete(&app, b, out).await;
        assert_eq!(statuses(&line_of(&app, b, c, voice).await), st(&[(104, DENIED)]));
    }
}

#[tokio::test]
async fn disconnect_the_whole_account_closes_the_customer() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let s = stock(&app, b).await;
        let (sim, sim_id) = s.sim(&app, b, 100 * i as u64 + 1).await;
        let c = new_customer(&app, b).await;
        let wireless = active_line(&app, b, c, json!({"WirelessICCID": sim_id})).await;
        let voice = active_line(&app, b, c, json!({"PackageID": 1001})).await;
        let dis = |v: Value| kind("Disconnect", v);

        refused(&app, b, "Orders_Create", dis(json!({})), "S2010", &["Disconnect/CustomerID"]).await;
        refused(&app, b, "Orders_Create", dis(json!({"CustomerID": UNKNOWN})), "C2002", &["987654"]).await;
        let empty = new_customer(&app, b).await;
        refused(&app, b, "Orders_Create", dis(json!({"CustomerID": empty})), "O2001", &[]).await;

        let orders =
            orders_create(&app, b, "Disconnect", json!({"CustomerID": c, "InventoryItemStatus": "UNAVAILABLE"})).await;
        assert_eq!(orders.len(), 2, "{b:?}: one order per provider (10 and 11): {orders:?}");
        let (d10, d11) = (orders[0], orders[1]);
        for (o, carrier, line) in [(d10, 10, wireless), (d11, 11, voice)] {
            let q = query(&app, b, o).await;
            assert_eq!(q["Order"]["Order_Type"], "DISCONNECT", "{q:#}");
            assert_eq!(q["Order"]["Carrier_ID"], carrier, "{q:#}");
            assert_eq!(q["Disconnect"]["CustomerID"], c);
            assert_eq!(q["Disconnect"]["LineID"], line, "{q:#}");
            assert_eq!(q["Disconnect"]["InventoryItemStatus"], "UNAVAILABLE");
        }
        assert_eq!(search(&app, b, json!({"CustomerID": [c], "OrderType": ["DISCONNECT"]})).await, vec![d10, d11]);

        complete(&app, b, d10).await;
        let cust = customer(&app, b, c).await;
        assert_eq!(statuses(&service(&cust, wireless)), st(&[(100, DISCONNECTED), (101, DISCONNECTED)]));
        assert_eq!(statuses(&service(&cust, voice)), st(&[(104, ACTIVE)]), "the other provider's order is open");
        let it = item(&app, b, sim).await;
        assert_eq!(it["Status"], "UNAVAILABLE", "{it:#}");
        assert!(it["CustomerID"].is_null(), "{it:#}");
        complete(&app, b, d11).await;
        let cust = customer(&app, b, c).await;
        assert_eq!(statuses(&service(&cust, voice)), st(&[(104, DISCONNECTED)]));
        assert_eq!(cust["Status"], "Closed");

        // A Closed customer cannot be ordered for.
        refused(&app, b, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000}), "C2006", &["Closed"]).await;
        refused(&app, b, "Orders_Create", dis(json!({"CustomerID": c})), "C2006", &[]).await;
        refused(&app, b, "Orders_Create", kind("Suspend", json!({"LineID": wireless})), "C2006", &[]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("AddLine", json!({"CustomerID": c, "Lines": [{"PackageID": 1000}]})),
            "C2006",
            &[],
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// Orders_Create: AddLine, Change, PackageChange

#[tokio::test]
async fn add_line_orders_new_services() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let c = new_customer(&app, b).await;
        let first = active_line(&app, b, c, json!({})).await;
        let tn = format!("51257{i}0001");
        let add = |lines: Value| kind("AddLine", json!({"CustomerID": c, "Lines": lines}));
        let before = customer(&app, b, c).await;

        refused(
            &app,
            b,
            "Orders_Create",
            kind("AddLine", json!({"Lines": [{"PackageID": 1000}]})),
            "S2010",
            &["AddLine/CustomerID"],
        )
        .await;
        refused(&app, b, "Orders_Create", kind("AddLine", json!({"CustomerID": c})), "S2010", &["AddLine/Lines"]).await;
        refused(&app, b, "Orders_Create", add(json!([])), "S2010", &["AddLine/Lines"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 0, "CarrierID": 12, "Products": [{"ProductID": 103}]}])),
            "S2010",
            &["AddLine/Lines/Line[1]/PackageID"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 0, "Products": [{"ProductID": 101}]}])),
            "S2010",
            &["AddLine/Lines/Line[1]/CarrierID"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 1000, "CarrierID": 11}])),
            "S2010",
            &["AddLine/Lines/Line[1]/CarrierID"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 0, "CarrierID": 99, "Products": [{"ProductID": 101}]}])),
            "CA2014",
            &["99"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 1000}, {"TN": "123", "PackageID": 1000}])),
            "S2010",
            &["AddLine/Lines/Line[2]/TN"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"TN": tn, "PackageID": 1000}, {"TN": tn, "PackageID": 1000}])),
            "S2010",
            &["AddLine/Lines/Line[2]/TN"],
        )
        .await;
        refused(&app, b, "Orders_Create", add(json!([{"PackageID": 4242}])), "PK2013", &["4242"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 1000, "Products": [{"ProductID": 104}]}])),
            "PR2023",
            &["AddLine/Lines/Line[1]/Products/Product[1]", "inactive"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 1000, "Products": [{"ProductID": 4242}]}])),
            "PR2023",
            &["4242"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            add(json!([{"PackageID": 1000, "Products": [{"ProductID": 101, "Quantity": 0}]}])),
            "S2010",
            &["AddLine/Lines/Line[1]/Products/Product[1]/Quantity"],
        )
        .await;
        refused(&app, b, "Orders_Create", add(json!([{"PackageID": 1000, "LineTypeID": 99}])), "LT2001", &["99"]).await;
        refused(&app, b, "Orders_Create", add(json!([{"PackageID": 1000, "AltBTNID": UNKNOWN}])), "L2024", &["987654"])
            .await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("AddLine", json!({"CustomerID": c, "ProcessID": 99, "Lines": [{"PackageID": 1000}]})),
            "PC2001",
            &["99"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("AddLine", json!({"CustomerID": c, "Status": "HOLD", "Lines": [{"PackageID": 1000}]})),
            "S2010",
            &["AddLine/Status"],
        )
        .await;
        assert_eq!(customer(&app, b, c).await, before, "{b:?}: refused AddLine orders change nothing");

        let orders = orders_create(
            &app,
            b,
            "AddLine",
            json!({"CustomerID": c, "BillingOption": "PRORATE", "Lines": [
                {"TN": tn, "PackageID": 1000, "CarrierID": 10, "Description": "second phone",
                 "Products": [{"ProductID": 103, "Rate": "-5.00"}]},
                {"TN": "0000000000", "PackageID": 0, "CarrierID": 10, "Products": [{"ProductID": 101, "Quantity": 2}]}
            ]}),
        )
        .await;
        assert_eq!(orders.len(), 2, "{b:?}: provider 10's and provider 12's (product 103): {orders:?}");
        let (o10, o12) = (orders[0], orders[1]);
        let q10 = query(&app, b, o10).await;
        assert_eq!(q10["Order"]["Order_Type"], "ADD_LINE", "{q10:#}");
        assert_eq!(q10["Order"]["Carrier_ID"], 10);
        let lines = list(&q10["AddLine"]["Lines"]);
        assert_eq!(lines.len(), 2, "{q10:#}");
        let (a, z) = (int(&lines[0]["LineID"]), int(&lines[1]["LineID"]));
        assert!(a != first && z != first && a != z, "two new services: {q10:#}");
        assert_eq!((&lines[0]["TN"], &lines[0]["PackageID"]), (&json!(tn), &json!(1000)));
        assert_eq!(ordered(&lines[0]), pq(&[(100, "35.00", 1), (101, "3.00", 1)]));
        assert!(lines[1]["TN"].is_null(), "ten zeros is a new service without a number: {q10:#}");
        assert!(lines[1]["PackageID"].is_null(), "{q10:#}");
        assert_eq!(lines[1]["CarrierID"], 10);
        assert_eq!(ordered(&lines[1]), pq(&[(101, "3.00", 2)]));
        let q12 = query(&app, b, o12).await;
        assert_eq!(q12["Order"]["Carrier_ID"], 12);
        let lines12 = list(&q12["AddLine"]["Lines"]);
        assert_eq!(lines12.len(), 1, "{q12:#}");
        assert_eq!(lines12[0]["LineID"], a);
        assert_eq!(ordered(&lines12[0]), pq(&[(103, "-5.00", 1)]), "a negative rate is a credit");

        let cust = customer(&app, b, c).await;
        let sa = service(&cust, a);
        assert_eq!((&sa["TN"], &sa["PackageID"], &sa["CarrierID"]), (&json!(tn), &json!(1000), &json!(10)));
        assert_eq!(statuses(&sa), st(&[(100, PENDING), (101, PENDING), (103, PENDING)]));
        assert_eq!(live_product(&sa, 103)["Rate"], "-5.00");
        let sz = service(&cust, z);
        assert!(sz["TN"].is_null() && sz["PackageID"].is_null(), "{sz:#}");
        assert_eq!(statuses(&sz), st(&[(101, PENDING)]));
        assert_eq!(live_product(&sz, 101)["Quantity"], 2);
        // The TN is now taken.
        refused(&app, b, "Orders_Create", add(json!([{"TN": tn, "PackageID": 1000}])), "S2010", &["in use"]).await;

        complete(&app, b, o10).await;
        complete(&app, b, o12).await;
        let cust = customer(&app, b, c).await;
        assert_eq!(statuses(&service(&cust, a)), st(&[(100, ACTIVE), (101, ACTIVE), (103, ACTIVE)]));
        assert_eq!(statuses(&service(&cust, z)), st(&[(101, ACTIVE)]));
        assert_eq!(statuses(&service(&cust, first)), st(&[(100, ACTIVE), (101, ACTIVE)]));
        assert_eq!(search(&app, b, json!({"CustomerID": [c], "OrderType": ["ADD_LINE"]})).await, vec![o10, o12]);
    }
}

#[tokio::test]
async fn change_adds_changes_removes_products_and_disconnects_a_line() {
    let app = TestApp::new().await;
    for (i, b) in BINDINGS.into_iter().enumerate() {
        let s = stock(&app, b).await;
        let (sim2, sim2_id) = s.sim(&app, b, 100 * i as u64 + 1).await;
        let c = new_customer(&app, b).await;
        let other = new_customer(&app, b).await;
        let tn2 = format!("51258{i}0002");
        let line1 = active_line(&app, b, c, json!({})).await;
        let line2 = active_line(&app, b, c, json!({"ReconnectTN": tn2, "WirelessICCID": sim2_id})).await;
        let before = customer(&app, b, c).await;
        let l1 = service(&before, line1);
        let (cp100, cp101) = (int(&live_product(&l1, 100)["ID"]), int(&live_product(&l1, 101)["ID"]));
        let cp_on_2 = int(&live_product(&service(&before, line2), 100)["ID"]);
        let change = |lines: Value| kind("Change", json!({"Lines": lines}));
        let on1 = |products: Value| change(json!({"Change": [{"LineID": line1, "Products": products}]}));

        refused(&app, b, "Orders_Create", kind("Change", json!({})), "S2010", &["Change/Lines"]).await;
        refused(&app, b, "Orders_Create", change(json!({})), "S2010", &["Change/Lines"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            change(json!({"Change": [{"LineID": line1}]})),
            "S2010",
            &["Change/Lines/Change[1]/Products"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            on1(json!({"Change": [{"CustomerProductID": cp100}]})),
            "S2010",
            &["Change/Lines/Change[1]/Products/Change[1]"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            on1(json!({"Change": [{"CustomerProductID": cp100, "Quantity": 0}]})),
            "S2010",
            &["Change/Lines/Change[1]/Products/Change[1]/Quantity"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            on1(json!({"Remove": [{"CustomerProductID": cp_on_2}]})),
            "S2010",
            &["Change/Lines/Change[1]/Products/Remove[1]/CustomerProductID", "not a product of service"],
        )
        .await;
        refused(&app, b, "Orders_Create", on1(json!({"Add": [{"ProductID": 104}]})), "PR2023", &["inactive"]).await;
        refused(&app, b, "Orders_Create", on1(json!({"Add": [{"ProductID": 4242}]})), "PR2023", &["4242"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            change(json!({"Change": [{"LineID": UNKNOWN, "Products": {"Add": [{"ProductID": 101}]}}]})),
            "L2024",
            &["987654"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("Change", json!({"CustomerID": other, "Lines": {"Change": [{"LineID": line1, "Products": {"Add": [{"ProductID": 101}]}}]}})),
            "N2001",
            &[],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            change(json!({"Change": [{"LineID": line1, "TN": tn2, "Products": {"Add": [{"ProductID": 101}]}}]})),
            "S2010",
            &["Change/Lines/Change[1]/TN"],
        )
        .await;
        refused(&app, b, "Orders_Create", change(json!({"Disconnect": [{"TN": "5129999999"}]})), "L2024", &[]).await;
        assert_eq!(customer(&app, b, c).await, before, "{b:?}: refused Change orders change nothing");

        let orders = orders_create(
            &app,
            b,
            "Change",
            json!({"BillingOption": "DIFFERENCE", "Lines": {
                "Change": [{"LineID": line1, "Products": {
                    "Add": [{"ProductID": 103, "Rate": "10.00", "Quantity": 2}],
                    "Change": [{"CustomerProductID": cp100, "Rate": "30.00", "Quantity": 3}],
                    "Remove": [{"CustomerProductID": cp101}]}}],
                "Disconnect": [{"TN": tn2}]}}),
        )
        .await;
        assert_eq!(orders.len(), 2, "{b:?}: provider 10's changes and provider 12's product: {orders:?}");
        let (o10, o12) = (orders[0], orders[1]);
        let q10 = query(&app, b, o10).await;
        assert_eq!((&q10["Order"]["Order_Type"], &q10["Order"]["Carrier_ID"]), (&json!("CHANGE_FEATURE"), &json!(10)));
        assert_eq!(q10["Order"]["CustomerID"], c, "the customer of the services named");
        let changed = list(&q10["Change"]["Lines"]["Change"]);
        assert_eq!(changed.len(), 1, "{q10:#}");
        assert_eq!(changed[0]["LineID"], line1);
        let p = &changed[0]["Products"];
        assert_eq!(list(&p["Add"]), Vec::<Value>::new(), "{q10:#}");
        assert_eq!(list(&p["Change"]), vec![json!({"CustomerProductID": cp100, "Rate": "30.00", "Quantity": 3})]);
        assert_eq!(list(&p["Remove"]), vec![json!({"CustomerProductID": cp101})]);
        let gone = list(&q10["Change"]["Lines"]["Disconnect"]);
        assert_eq!(gone, vec![json!({"LineID": line2, "TN": tn2})], "{q10:#}");
        let q12 = query(&app, b, o12).await;
        assert_eq!(q12["Order"]["Carrier_ID"], 12);
        let changed = list(&q12["Change"]["Lines"]["Change"]);
        assert_eq!(changed.len(), 1, "{q12:#}");
        assert_eq!(changed[0]["LineID"], line1);
        let added = list(&changed[0]["Products"]["Add"]);
        assert_eq!(added.len(), 1, "{q12:#}");
        assert_eq!(
            (&added[0]["ProductID"], &added[0]["Rate"], &added[0]["Quantity"]),
            (&json!(103), &json!("10.00"), &json!(2))
        );
        assert_eq!(list(&q12["Change"]["Lines"]["Disconnect"]), Vec::<Value>::new());

        // Before completion only the added product shows, PENDING.
        let cust = customer(&app, b, c).await;
        let l1 = service(&cust, line1);
        assert_eq!(statuses(&l1), st(&[(100, ACTIVE), (101, ACTIVE), (103, PENDING)]));
        let p100 = product_by_id(&l1, cp100);
        assert_eq!((&p100["Rate"], &p100["Quantity"]), (&json!("35.00"), &json!(1)));
        assert_eq!(statuses(&service(&cust, line2)), st(&[(100, ACTIVE), (101, ACTIVE)]));

        complete(&app, b, o10).await;
        let cust = customer(&app, b, c).await;
        let l1 = service(&cust, line1);
        let p100 = product_by_id(&l1, cp100);
        assert_eq!((&p100["Rate"], &p100["Quantity"], &p100["Status"]), (&json!("30.00"), &json!(3), &json!(ACTIVE)));
        let p101 = product_by_id(&l1, cp101);
        assert_eq!(p101["Status"], DISCONNECTED);
        assert!(p101["BilledThroughDate"].is_null(), "no Prorate: {p101:#}");
        assert_eq!(live_product(&l1, 103)["Status"], PENDING, "provider 12's order is still open");
        assert_eq!(statuses(&service(&cust, line2)), st(&[(100, DISCONNECTED), (101, DISCONNECTED)]));
        let it = item(&app, b, sim2).await;
        assert_eq!(
            (&it["Status"], &it["CustomerID"]),
            (&json!("ASSIGNED"), &json!(c)),
            "InventoryItemStatus defaults to ASSIGNED"
        );
        assert_eq!(cust["Status"], "Open");
        complete(&app, b, o12).await;
        let l1 = line_of(&app, b, c, line1).await;
        let p103 = live_product(&l1, 103);
        assert_eq!((&p103["Status"], &p103["Rate"], &p103["Quantity"]), (&json!(ACTIVE), &json!("10.00"), &json!(2)));
        assert!(p103["ActivatedDate"].as_str().is_some(), "{p103:#}");

        // What is gone cannot change again.
        refused(
            &app,
            b,
            "Orders_Create",
            on1(json!({"Remove": [{"CustomerProductID": cp101}]})),
            "S2010",
            &["already DISCONNECTED"],
        )
        .await;
        refused(&app, b, "Orders_Create", change(json!({"Disconnect": [{"LineID": line2}]})), "O2001", &[]).await;
    }
}

#[tokio::test]
async fn package_change_swaps_the_package_and_its_products() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        let l = line_of(&app, b, c, line).await;
        let (cp100, cp101) = (int(&live_product(&l, 100)["ID"]), int(&live_product(&l, 101)["ID"]));
        let pc = |v: Value| kind("PackageChange", v);

        refused(&app, b, "Orders_Create", pc(json!({"PackageID": 1001})), "S2010", &["PackageChange"]).await;
        refused(&app, b, "Orders_Create", pc(json!({"LineID": line})), "S2010", &["PackageChange/PackageID"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            pc(json!({"LineID": line, "PackageID": 1000})),
            "S2010",
            &["PackageChange/PackageID"],
        )
        .await;
        refused(&app, b, "Orders_Create", pc(json!({"LineID": line, "PackageID": 4242})), "PK2013", &["4242"]).await;
        refused(&app, b, "Orders_Create", pc(json!({"LineID": UNKNOWN, "PackageID": 1001})), "L2024", &["987654"])
            .await;

        // One order, to the new package's provider, that removes the old package's products and
        // adds the new one's: it completes or cancels as a whole.
        let o = one_order(&app, b, "PackageChange", json!({"LineID": line, "PackageID": 1001, "Prorate": true})).await;
        let q = query(&app, b, o).await;
        assert_eq!((&q["Order"]["Order_Type"], &q["Order"]["Carrier_ID"]), (&json!("CHANGE_FEATURE"), &json!(11)));
        let changed = list(&q["Change"]["Lines"]["Change"]);
        assert_eq!(changed.len(), 1, "{q:#}");
        assert_eq!(changed[0]["LineID"], line);
        let added = list(&changed[0]["Products"]["Add"]);
        assert_eq!(added.len(), 1, "{q:#}");
        assert_eq!((&added[0]["ProductID"], &added[0]["Rate"]), (&json!(104), &json!("19.95")));
        let mut removed: Vec<i64> =
            list(&changed[0]["Products"]["Remove"]).iter().map(|r| int(&r["CustomerProductID"])).collect();
        removed.sort_unstable();
        assert_eq!(removed, vec![cp100, cp101], "{q:#}");

        let l = line_of(&app, b, c, line).await;
        assert_eq!(l["PackageID"], 1000, "the package changes on completion");
        assert_eq!(statuses(&l), st(&[(100, ACTIVE), (101, ACTIVE), (104, PENDING)]));

        let date = "2026-05-01T00:00:00Z";
        update(&app, b, o, json!({"Status": "COMPLETE", "CompletionDate": date})).await;
        let l = line_of(&app, b, c, line).await;
        assert_eq!(l["PackageID"], 1001);
        assert_eq!(l["PackageDescription"], "Hosted Voice Seat");
        assert_eq!(live_product(&l, 104)["ActivatedDate"], date);
        assert_eq!(statuses(&l), st(&[(100, DISCONNECTED), (101, DISCONNECTED), (104, ACTIVE)]));
        for cp in [cp100, cp101] {
            assert_eq!(product_by_id(&l, cp)["BilledThroughDate"], date, "Prorate bills through completion: {l:#}");
        }

        // IgnoreRelatedProducts: the package only.
        let only = one_order(
            &app,
            b,
            "PackageChange",
            json!({"LineID": line, "PackageID": 1000, "IgnoreRelatedProducts": true}),
        )
        .await;
        complete(&app, b, only).await;
        let after = line_of(&app, b, c, line).await;
        assert_eq!(after["PackageID"], 1000);
        assert_eq!(after["Products"], l["Products"], "{b:?}: the products are left alone");
    }
}

#[tokio::test]
async fn orders_create_query_and_update_refusals_and_roles() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        refused(&app, b, "Orders_Create", json!({}), "O2003", &[]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            json!({"Suspend": {"LineID": line}, "Restore": {"LineID": line}}),
            "S2010",
            &["Suspend", "Restore"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            json!({"Disconnect": {"LineID": line}, "PackageChange": {"LineID": line, "PackageID": 1001}}),
            "S2010",
            &["Disconnect", "PackageChange"],
        )
        .await;
        refused(&app, b, "Orders_Query", json!({"OrderID": UNKNOWN}), "O2002", &["987654"]).await;
        refused(&app, b, "Orders_Query", json!({}), "S2010", &["OrderID"]).await;
        refused(&app, b, "Orders_Update", json!({"OrderID": UNKNOWN, "Status": "COMPLETE"}), "O2002", &["987654"])
            .await;
        refused(&app, b, "Orders_Update", json!({"Status": "COMPLETE"}), "S2010", &["OrderID"]).await;
        assert_eq!(
            search(
                &app,
                b,
                json!({"CustomerID": [c], "OrderType": ["DENY", "RESTORE", "DISCONNECT", "CHANGE_FEATURE"]})
            )
            .await,
            Vec::<i64>::new()
        );

        // The readonly role reads orders but cannot make or change them.
        let o = one_order(&app, b, "Suspend", json!({"LineID": line})).await;
        let v = |req: Value| with(acme_viewer(), req);
        let r = app.call(b, "Orders_Query", v(json!({"OrderID": o}))).await;
        assert_ok(&r);
        assert_eq!(r["Suspend"]["LineID"], line);
        let r = app.call(b, "Orders_Search", v(json!({"OrderID": [o]}))).await;
        assert_ok(&r);
        assert_eq!(list(&r["Orders"]).len(), 1);
        assert_error(&app.call(b, "Orders_Update", v(json!({"OrderID": o, "Status": "COMPLETE"}))).await, "S2017");
        assert_error(&app.call(b, "Orders_Create", v(json!({"Restore": {"LineID": line}}))).await, "S2017");
        assert_error(&app.call(b, "NewOrders_Create", v(json!({"CustomerID": c, "PackageID": 1000}))).await, "S2017");
        assert_eq!(summary(&app, b, o).await["Status"], "NEW");
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
    }
}

// ---------------------------------------------------------------------------------------------
// Orders_Update

#[tokio::test]
async fn the_order_state_machine() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let (o, line) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        let to = |o: i64, s: &str| json!({"OrderID": o, "Status": s});

        refused(&app, b, "Orders_Update", to(o, "NOT_SPECIFIED"), "S2010", &["Status", "NOT_SPECIFIED"]).await;
        refused(&app, b, "Orders_Update", to(o, "BOGUS"), "S2010", &["Status"]).await;
        set_status(&app, b, o, "NEW").await;
        assert_eq!(status_of(&app, b, o).await, "NEW");
        // Back to NEW only from a hold, and only if never sent.
        for hold in ["HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD"] {
            set_status(&app, b, o, hold).await;
            assert_eq!(status_of(&app, b, o).await, hold);
            set_status(&app, b, o, "NEW").await;
            assert_eq!(status_of(&app, b, o).await, "NEW", "{b:?}: {hold} -> NEW before the order was sent");
        }
        set_status(&app, b, o, "SENT").await;
        refused(&app, b, "Orders_Update", to(o, "NEW"), "S2010", &["Status", "NEW"]).await;
        set_status(&app, b, o, "HOLD").await;
        refused(&app, b, "Orders_Update", to(o, "NEW"), "S2010", &["Status", "NEW"]).await;
        assert_eq!(status_of(&app, b, o).await, "HOLD");
        // Any move between open statuses: providers answer out of order, operators resend.
        for s in [
            "CONFIRMED",
            "PROVISIONED",
            "CONFIRMED",
            "ERROR",
            "SENT",
            "FLOW_ERROR",
            "JEOPARDY",
            "PAYMENT_HOLD",
            "PROVISIONED",
        ] {
            set_status(&app, b, o, s).await;
            assert_eq!(status_of(&app, b, o).await, s);
        }
        assert_eq!(
            statuses(&line_of(&app, b, c, line).await),
            st(&[(100, PENDING), (101, PENDING)]),
            "{b:?}: only COMPLETE applies the order"
        );
        set_status(&app, b, o, "COMPLETE").await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
        // COMPLETE is final.
        for s in ALL_STATUSES.into_iter().filter(|s| *s != "COMPLETE") {
            refused(&app, b, "Orders_Update", to(o, s), "S2010", &["Status", "COMPLETE"]).await;
        }
        set_status(&app, b, o, "COMPLETE").await;
        assert_eq!(status_of(&app, b, o).await, "COMPLETE");
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE)]));

        // NEW straight to COMPLETE is accepted.
        let (o2, line2) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        complete(&app, b, o2).await;
        assert_eq!(statuses(&line_of(&app, b, c, line2).await), st(&[(100, ACTIVE), (101, ACTIVE)]));

        // CANCELED is final too.
        let (o3, _) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        set_status(&app, b, o3, "CANCELED").await;
        for s in ALL_STATUSES.into_iter().filter(|s| *s != "CANCELED") {
            refused(&app, b, "Orders_Update", to(o3, s), "S2010", &["Status", "CANCELED"]).await;
        }
        set_status(&app, b, o3, "CANCELED").await;
        assert_eq!(status_of(&app, b, o3).await, "CANCELED");
    }
}

#[tokio::test]
async fn update_notes_dates_flags_tracking_and_process_routes() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let (o, _) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        let date = "2026-02-01T00:00:00Z";
        let upd = |v: Value| merged(json!({"OrderID": o}), v);
        let routes = |s: &Value| -> Vec<(i64, String)> {
            list(&s["Routes"])
                .iter()
                .map(|r| (int(&r["ID"]), r["Description"].as_str().unwrap_or_default().to_string()))
                .collect()
        };

        refused(&app, b, "Orders_Update", upd(json!({"StatusNote": "why"})), "S2010", &["StatusNote"]).await;
        refused(&app, b, "Orders_Update", upd(json!({"CompletionDate": date})), "S2010", &["CompletionDate"]).await;
        refused(
            &app,
            b,
            "Orders_Update",
            upd(json!({"Status": "SENT", "CompletionDate": date})),
            "S2010",
            &["CompletionDate"],
        )
        .await;
        assert_eq!(summary(&app, b, o).await["Status"], "NEW", "a refused update changes nothing");
        update(&app, b, o, json!({"Status": "SENT", "StatusNote": "sent by hand"})).await;
        let s = summary(&app, b, o).await;
        assert_eq!((&s["Status"], &s["StatusNote"]), (&json!("SENT"), &json!("sent by hand")));
        set_status(&app, b, o, "CONFIRMED").await;
        assert!(summary(&app, b, o).await["StatusNote"].is_null(), "a status change without a note clears it");

        update(&app, b, o, json!({"FlowThroughFlag": false})).await;
        assert_eq!(summary(&app, b, o).await["FlowThroughFlag"], false);
        update(&app, b, o, json!({"FlowThroughFlag": true})).await;
        assert_eq!(summary(&app, b, o).await["FlowThroughFlag"], true);
        update(&app, b, o, json!({"TrackingNumber": "1Z999AA10123456784", "ShippingStatus": "SHIPPED"})).await;
        let r = ok(&app, b, "Orders_Search", json!({"OrderID": [o]})).await;
        let found = &list(&r["Orders"])[0];
        assert_eq!(
            (&found["Tracking_Number"], &found["ShippingStatus"]),
            (&json!("1Z999AA10123456784"), &json!("SHIPPED"))
        );

        // Process and route.
        assert!(summary(&app, b, o).await["ProcessID"].is_null());
        update(&app, b, o, json!({"ProcessID": 2})).await;
        let s = summary(&app, b, o).await;
        assert_eq!(s["ProcessID"], 2);
        assert!(s["ProcessRouteID"].is_null());
        assert_eq!(routes(&s), vec![(21, "Approve port".to_string()), (22, "Reject port".to_string())]);
        refused(&app, b, "Orders_Update", upd(json!({"ProcessRouteID": 99})), "S2010", &["ProcessRouteID", "99"]).await;
        update(&app, b, o, json!({"ProcessRouteID": 21})).await;
        assert_eq!(summary(&app, b, o).await["ProcessRouteID"], 21);
        update(&app, b, o, json!({"ProcessID": 1})).await;
        let s = summary(&app, b, o).await;
        assert_eq!(s["ProcessID"], 1);
        assert!(s["ProcessRouteID"].is_null(), "a new process clears the route: {s:#}");
        assert_eq!(routes(&s), vec![]);
        refused(&app, b, "Orders_Update", upd(json!({"ProcessRouteID": 21})), "S2010", &["ProcessRouteID"]).await;
        update(&app, b, o, json!({"ProcessID": 0})).await;
        assert!(summary(&app, b, o).await["ProcessID"].is_null(), "ProcessID 0 clears the process");
        refused(&app, b, "Orders_Update", upd(json!({"ProcessRouteID": 21})), "S2010", &["ProcessRouteID"]).await;
        refused(&app, b, "Orders_Update", upd(json!({"ProcessID": 99})), "PC2001", &["99"]).await;
        update(&app, b, o, json!({"ProcessID": 2, "ProcessRouteID": 22})).await;
        let s = summary(&app, b, o).await;
        assert_eq!((&s["ProcessID"], &s["ProcessRouteID"]), (&json!(2), &json!(22)));
        // A refused update in between left everything as it was.
        assert_eq!(
            (&s["Status"], &s["FlowThroughFlag"], &s["Tracking_Number"]),
            (&json!("CONFIRMED"), &json!(true), &json!("1Z999AA10123456784"))
        );

        // A final order: only shipping may still change.
        update(&app, b, o, json!({"Status": "COMPLETE", "CompletionDate": date})).await;
        assert_eq!(summary(&app, b, o).await["CompletionDate"], date);
        refused(&app, b, "Orders_Update", upd(json!({"FlowThroughFlag": false})), "S2010", &["FlowThroughFlag"]).await;
        refused(&app, b, "Orders_Update", upd(json!({"ProcessID": 1})), "S2010", &["ProcessID"]).await;
        refused(&app, b, "Orders_Update", upd(json!({"ProcessRouteID": 21})), "S2010", &["ProcessRouteID"]).await;
        update(&app, b, o, json!({"TrackingNumber": "1ZRETURN", "ShippingStatus": "NOT_SHIPPED"})).await;
        let s = summary(&app, b, o).await;
        assert_eq!((&s["Tracking_Number"], &s["ShippingStatus"]), (&json!("1ZRETURN"), &json!("NOT_SHIPPED")));
        assert_eq!(
            (&s["ProcessID"], &s["ProcessRouteID"], &s["FlowThroughFlag"]),
            (&json!(2), &json!(22), &json!(true))
        );
    }
}

#[tokio::test]
async fn update_lines_change_products_while_the_order_is_open() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let other = new_customer(&app, b).await;
        let (_, other_line) = new_order(&app, b, json!({"CustomerID": other, "PackageID": 1000})).await;
        let (o, line) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        let lines = |products: Value| json!({"OrderID": o, "Lines": [{"LineID": line, "Products": products}]});

        ok(&app, b, "Orders_Update", lines(json!({"Add": [{"ProductID": 103, "Rate": "7.00"}]}))).await;
        let l = line_of(&app, b, c, line).await;
        assert_eq!(statuses(&l), st(&[(100, PENDING), (101, PENDING), (103, PENDING)]));
        let cp103 = int(&live_product(&l, 103)["ID"]);
        let cp101 = int(&live_product(&l, 101)["ID"]);
        let added = &list(&query(&app, b, o).await["AddLine"]["Lines"])[0];
        assert_eq!(ordered(added), pq(&[(100, "35.00", 1), (101, "3.00", 1), (103, "7.00", 1)]));

        // Changing or removing a product this order adds changes it at once (it is still PENDING).
        ok(&app, b, "Orders_Update", lines(json!({"Change": [{"CustomerProductID": cp103, "Quantity": 4}]}))).await;
        let p = live_product(&line_of(&app, b, c, line).await, 103);
        assert_eq!((&p["Quantity"], &p["Rate"], &p["Status"]), (&json!(4), &json!("7.00"), &json!(PENDING)));
        ok(&app, b, "Orders_Update", lines(json!({"Remove": [{"CustomerProductID": cp101}]}))).await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, PENDING), (103, PENDING)]));
        let added = &list(&query(&app, b, o).await["AddLine"]["Lines"])[0];
        assert_eq!(ordered(added), pq(&[(100, "35.00", 1), (103, "7.00", 4)]));

        refused(
            &app,
            b,
            "Orders_Update",
            json!({"OrderID": o, "Lines": [{"LineID": UNKNOWN, "Products": {"Add": [{"ProductID": 101}]}}]}),
            "L2024",
            &["987654"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Update",
            json!({"OrderID": o, "Lines": [{"LineID": other_line, "Products": {"Add": [{"ProductID": 101}]}}]}),
            "N2001",
            &[],
        )
        .await;
        refused(&app, b, "Orders_Update", lines(json!({"Add": [{"ProductID": 104}]})), "PR2023", &["inactive"]).await;
        refused(
            &app,
            b,
            "Orders_Update",
            lines(json!({"Change": [{"CustomerProductID": cp103}]})),
            "S2010",
            &["Lines/OrderLineUpdateItem[1]/Products/Change[1]"],
        )
        .await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, PENDING), (103, PENDING)]));

        complete(&app, b, o).await;
        let l = line_of(&app, b, c, line).await;
        assert_eq!(statuses(&l), st(&[(100, ACTIVE), (103, ACTIVE)]));
        assert_eq!(live_product(&l, 103)["Quantity"], 4);
        refused(&app, b, "Orders_Update", lines(json!({"Add": [{"ProductID": 101}]})), "S2010", &["Lines", "COMPLETE"])
            .await;
        assert_eq!(line_of(&app, b, c, line).await, l, "refused on a final order: nothing changes");

        // On an open Suspend order, a change to an ACTIVE product waits for completion.
        let cp100 = int(&live_product(&l, 100)["ID"]);
        let s = one_order(&app, b, "Suspend", json!({"LineID": line})).await;
        ok(
            &app,
            b,
            "Orders_Update",
            json!({"OrderID": s, "Lines": [{"LineID": line, "Products": {"Change": [{"CustomerProductID": cp100, "Rate": "20.00"}]}}]}),
        )
        .await;
        assert_eq!(product_by_id(&line_of(&app, b, c, line).await, cp100)["Rate"], "35.00");
        complete(&app, b, s).await;
        let p = product_by_id(&line_of(&app, b, c, line).await, cp100);
        assert_eq!((&p["Rate"], &p["Status"]), (&json!("20.00"), &json!(DENIED)));
    }
}

#[tokio::test]
async fn cancel_gives_back_pending_products_and_new_services() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        let before = customer(&app, b, c).await;
        let l = service(&before, line);
        let (cp100, cp101) = (int(&live_product(&l, 100)["ID"]), int(&live_product(&l, 101)["ID"]));

        // A Change order: its added product was PENDING, its change and removal never happen.
        let orders = orders_create(
            &app,
            b,
            "Change",
            json!({"Lines": {"Change": [{"LineID": line, "Products": {
                "Add": [{"ProductID": 103}], "Change": [{"CustomerProductID": cp100, "Rate": "1.00"}],
                "Remove": [{"CustomerProductID": cp101}]}}]}}),
        )
        .await;
        assert_eq!(statuses(&line_of(&app, b, c, line).await), st(&[(100, ACTIVE), (101, ACTIVE), (103, PENDING)]));
        for o in &orders {
            set_status(&app, b, *o, "CANCELED").await;
        }
        assert_eq!(customer(&app, b, c).await, before, "{b:?}: a canceled Change leaves the customer as it was");

        // An AddLine order: its services go.
        let orders = orders_create(
            &app,
            b,
            "AddLine",
            json!({"CustomerID": c, "Lines": [{"PackageID": 1000}, {"PackageID": 1001}]}),
        )
        .await;
        assert_eq!(list(&customer(&app, b, c).await["Services"]).len(), 3);
        for o in &orders {
            set_status(&app, b, *o, "CANCELED").await;
        }
        assert_eq!(customer(&app, b, c).await, before, "{b:?}: a canceled AddLine leaves the customer as it was");

        // One of two provider orders of a new service: only its products go.
        let (orders, lines) = new_orders(
            &app,
            b,
            json!({"CustomerID": c, "PackageID": 1000, "AdditionalProducts": [{"ProductID": 103}]}),
        )
        .await;
        assert_eq!(orders.len(), 2);
        set_status(&app, b, orders[1], "CANCELED").await;
        assert_eq!(statuses(&line_of(&app, b, c, lines[0]).await), st(&[(100, PENDING), (101, PENDING)]));
        complete(&app, b, orders[0]).await;
        assert_eq!(statuses(&line_of(&app, b, c, lines[0]).await), st(&[(100, ACTIVE), (101, ACTIVE)]));
    }
}

// ---------------------------------------------------------------------------------------------
// Orders_Search

#[tokio::test]
async fn search_filters_and_within_or_across() {
    for b in BINDINGS {
        // Each binding on its own database, so that every answer can be exact.
        let app = TestApp::new().await;
        let s = stock(&app, b).await;
        let (sim, sim_id) = s.sim(&app, b, 1).await;
        let ca = customer_with(&app, b, json!({"BillProfileID": 1})).await;
        let cb = customer_with(&app, b, json!({"BillProfileID": 2})).await;
        let tn = "5125550177";
        let (a1, line_a) = new_order(
            &app,
            b,
            json!({"CustomerID": ca, "PackageID": 1000, "ReconnectTN": tn, "WirelessICCID": sim_id}),
        )
        .await;
        complete(&app, b, a1).await;
        let a2 = one_order(&app, b, "Suspend", json!({"LineID": line_a})).await;
        let (b_split, line_b) = new_orders(
            &app,
            b,
            json!({"CustomerID": cb, "PackageID": 1000, "AdditionalProducts": [{"ProductID": 103}]}),
        )
        .await;
        let (b10, b12) = (b_split[0], b_split[1]);
        let (b_route, _) = new_order(&app, b, json!({"CustomerID": cb, "PackageID": 1000, "ProcessID": 2})).await;
        let (b_plain, _) = new_order(&app, b, json!({"CustomerID": cb, "PackageID": 1000, "ProcessID": 1})).await;
        let (b_routed, _) = new_order(&app, b, json!({"CustomerID": cb, "PackageID": 1000, "ProcessID": 2})).await;
        update(&app, b, b_routed, json!({"ProcessRouteID": 21})).await;
        let (b_gone, _) = new_order(&app, b, json!({"CustomerID": cb, "PackageID": 1000, "ProcessID": 2})).await;
        set_status(&app, b, b_gone, "CANCELED").await;
        let (b_done, _) = new_order(&app, b, json!({"CustomerID": cb, "PackageID": 1001, "ProcessID": 2})).await;
        complete(&app, b, b_done).await;
        let all = vec![a1, a2, b10, b12, b_route, b_plain, b_routed, b_gone, b_done];
        let of_b = vec![b10, b12, b_route, b_plain, b_routed, b_gone, b_done];
        let pon = |o: i64| format!("PB{o:08}");

        let cases: Vec<(Value, Vec<i64>)> = vec![
            (json!({}), all.clone()),
            (json!({"CustomerID": [ca]}), vec![a1, a2]),
            (json!({"CustomerID": [ca, cb]}), all.clone()),
            (json!({"CustomerID": [UNKNOWN]}), vec![]),
            (json!({"BillProfileID": [1]}), vec![a1, a2]),
            (json!({"BillProfileID": [2]}), of_b.clone()),
            (json!({"BillProfileID": [1, 2]}), all.clone()),
            (json!({"CarrierID": [12]}), vec![b12]),
            (json!({"CarrierID": [10, 12]}), all.iter().copied().filter(|o| *o != b_done).collect()),
            (json!({"CarrierID": [11]}), vec![b_done]),
            (json!({"CarrierID": [99]}), vec![]),
            (json!({"OrderID": [a2, b12]}), vec![a2, b12]),
            (json!({"OrderID": [UNKNOWN]}), vec![]),
            (json!({"OrderType": ["DENY"]}), vec![a2]),
            (json!({"OrderType": ["DENY", "NEW"]}), all.clone()),
            (json!({"OrderType": ["NEW"]}), all.iter().copied().filter(|o| *o != a2).collect()),
            (json!({"OrderType": ["DISCONNECT"]}), vec![]),
            (json!({"Status": ["COMPLETE"]}), vec![a1, b_done]),
            (json!({"Status": ["COMPLETE", "CANCELED"]}), vec![a1, b_gone, b_done]),
            (json!({"PON": [pon(b12)]}), vec![b12]),
            (json!({"PON": [pon(a1), pon(b_route)]}), vec![a1, b_route]),
            (json!({"PON": ["PB99999999"]}), vec![]),
            (json!({"TN": [tn]}), vec![a1, a2]),
            (json!({"TN": ["5125550000", tn]}), vec![a1, a2]),
            (json!({"Identifier": [sim_id]}), vec![a1]),
            (json!({"Identifier": [iccid(2)]}), vec![]),
            // AND across filters.
            (json!({"CustomerID": [ca], "Status": ["NEW"]}), vec![a2]),
            (json!({"CustomerID": [cb], "CarrierID": [12]}), vec![b12]),
            (json!({"CustomerID": [ca], "CarrierID": [12]}), vec![]),
            (json!({"OrderType": ["DENY"], "TN": [tn]}), vec![a2]),
            (
                json!({"BillProfileID": [2], "Status": ["NEW"], "CarrierID": [10]}),
                vec![b10, b_route, b_plain, b_routed],
            ),
            (json!({"Identifier": [sim_id], "Status": ["NEW"]}), vec![]),
            // Open orders whose process has routes and none is chosen.
            (json!({"RequiresRouteDecision": true}), vec![b_route]),
            (json!({"RequiresRouteDecision": false}), all.clone()),
            (json!({"RequiresRouteDecision": true, "CustomerID": [ca]}), vec![]),
        ];
        for (filter, want) in cases {
            assert_eq!(search(&app, b, filter.clone()).await, want, "{b:?} Orders_Search {filter}");
        }

        // What each order shows.
        let r = ok(&app, b, "Orders_Search", json!({"OrderID": [b12, b_route, b_plain]})).await;
        let found = list(&r["Orders"]);
        assert!(r["HasMore"].is_null() && r["RecordCount"].is_null(), "paging fields only with PageSize: {r:#}");
        let o = &found[0];
        assert_eq!((&o["OrderID"], &o["CustomerID"], &o["Status"]), (&json!(b12), &json!(cb), &json!("NEW")));
        assert_eq!((&o["PON"], &o["Order_Type"]), (&json!(pon(b12)), &json!("NEW")));
        assert_eq!((&o["Carrier_ID"], &o["Carrier"]), (&json!(12), &json!("In House")));
        assert!(o["Created_Date"].as_str().is_some(), "{o:#}");
        assert!(o["Services"].is_null(), "Services only with ShowServiceDetails: {o:#}");
        assert_eq!(ids_of(&o["Routes"]), Vec::<i64>::new());
        assert_eq!(ids_of(&found[1]["Routes"]), vec![21, 22], "{r:#}");
        assert_eq!(list(&found[1]["Routes"])[0]["Description"], "Approve port");
        assert_eq!(ids_of(&found[2]["Routes"]), Vec::<i64>::new(), "process 1 has no routes");

        let r = ok(&app, b, "Orders_Search", json!({"OrderID": [a1, b10, b12], "ShowServiceDetails": true})).await;
        let found = list(&r["Orders"]);
        assert_eq!(found.len(), 3, "{r:#}");
        assert_eq!(ids_of(&found[0]["Services"]), vec![line_a]);
        let svc = &list(&found[0]["Services"])[0];
        assert_eq!(svc["TN"], tn);
        assert_eq!(statuses(svc), st(&[(100, ACTIVE), (101, ACTIVE)]));
        assert_eq!(ids_of(&svc["Inventory"]), vec![sim]);
        assert_eq!(ids_of(&found[1]["Services"]), vec![line_b[0]]);
        assert_eq!(ids_of(&found[2]["Services"]), vec![line_b[0]], "both provider orders are for the one service");
    }
}

/// A paged Orders_Search: (order ids, HasMore, RecordCount).
async fn paged(app: &TestApp, b: Binding, filter: Value) -> (Vec<i64>, Value, Value) {
    let r = ok(app, b, "Orders_Search", filter).await;
    let ids: Vec<i64> = list(&r["Orders"]).iter().map(|o| int(&o["OrderID"])).collect();
    (ids, r["HasMore"].clone(), r["RecordCount"].clone())
}

#[tokio::test]
async fn search_pages() {
    for b in BINDINGS {
        let app = TestApp::new().await;
        let c = new_customer(&app, b).await;
        let mut all = Vec::new();
        for _ in 0..5 {
            all.push(new_order(&app, b, json!({"CustomerID": c, "PackageID": 1001})).await.0);
        }
        let other = new_customer(&app, b).await;
        let (lone, _) = new_order(&app, b, json!({"CustomerID": other, "PackageID": 1000})).await;
        let page = |size: i64, page: Option<i64>, extra: Value| {
            let mut f = merged(json!({"PageSize": size}), extra);
            if let Some(p) = page {
                f["Page"] = json!(p);
            }
            f
        };
        let mine = json!({"CustomerID": [c]});
        assert_eq!(paged(&app, b, page(2, None, mine.clone())).await, (all[..2].to_vec(), json!(true), json!(5)));
        assert_eq!(paged(&app, b, page(2, Some(1), mine.clone())).await, (all[..2].to_vec(), json!(true), json!(5)));
        assert_eq!(paged(&app, b, page(2, Some(2), mine.clone())).await, (all[2..4].to_vec(), json!(true), json!(5)));
        assert_eq!(paged(&app, b, page(2, Some(3), mine.clone())).await, (all[4..].to_vec(), json!(false), json!(5)));
        assert_eq!(paged(&app, b, page(2, Some(4), mine.clone())).await, (vec![], json!(false), json!(5)));
        assert_eq!(paged(&app, b, page(5, None, mine.clone())).await, (all.clone(), json!(false), json!(5)));
        assert_eq!(paged(&app, b, page(500, None, json!({}))).await.2, json!(6));
        let r = ok(&app, b, "Orders_Search", page(2, None, mine.clone())).await;
        assert_eq!(r["RecordCountExact"], json!(true), "a count under the limit is exact: {r:#}");
        let mut everything = all.clone();
        everything.push(lone);
        assert_eq!(
            paged(&app, b, page(4, Some(2), json!({}))).await,
            (everything[4..].to_vec(), json!(false), json!(6))
        );
        assert_eq!(
            paged(&app, b, page(3, None, json!({"CustomerID": [UNKNOWN]}))).await,
            (vec![], json!(false), json!(0))
        );

        refused(&app, b, "Orders_Search", json!({"Page": 2}), "S2010", &["Page"]).await;
        refused(&app, b, "Orders_Search", json!({"PageSize": 0}), "S2010", &["PageSize"]).await;
        refused(&app, b, "Orders_Search", json!({"PageSize": 501}), "S2010", &["PageSize"]).await;
        refused(&app, b, "Orders_Search", json!({"PageSize": 2, "Page": 0}), "S2010", &["Page"]).await;
    }
}

#[tokio::test]
async fn search_without_paging_returns_every_match_past_one_read() {
    // The unpaged answer is streamed as the store is read, 500 orders at a time: the orders on
    // either side of a chunk boundary must each be there once.
    let app = TestApp::new().await;
    let c = new_customer(&app, Binding::Json).await;
    let mut all = Vec::new();
    for _ in 0..501 {
        all.push(new_order(&app, Binding::Json, json!({"CustomerID": c, "PackageID": 1001})).await.0);
    }
    for b in BINDINGS {
        assert_eq!(search(&app, b, json!({})).await, all, "{b:?}");
        assert_eq!(search(&app, b, json!({"CustomerID": [c], "Status": ["NEW"]})).await, all, "{b:?}");
        assert_eq!(
            paged(&app, b, json!({"PageSize": 500, "Page": 2})).await,
            (all[500..].to_vec(), json!(false), json!(501))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Races: two requests at once must not both get what only one may have.

#[tokio::test]
async fn concurrent_orders_cannot_take_the_same_sim() {
    let app = TestApp::new().await;
    let b = Binding::Json;
    let s = stock(&app, b).await;
    for n in 0..8u64 {
        let (sim, sim_id) = s.sim(&app, b, n).await;
        let (c1, c2) = (new_customer(&app, b).await, new_customer(&app, b).await);
        let req = |c: i64| with(acme(), json!({"CustomerID": c, "PackageID": 1000, "WirelessICCID": sim_id}));
        let (r1, r2) = tokio::join!(app.call(b, "NewOrders_Create", req(c1)), app.call(b, "NewOrders_Create", req(c2)));
        let won: Vec<i64> =
            [(&r1, c1), (&r2, c2)].iter().filter(|(r, _)| r["Header"]["Success"] == true).map(|(_, c)| *c).collect();
        assert_eq!(won.len(), 1, "exactly one order gets the SIM: {r1:#} {r2:#}");
        let (winner, loser, refusal) = if won[0] == c1 { (c1, c2, &r2) } else { (c2, c1, &r1) };
        assert_error(refusal, "S2010");
        assert!(message(refusal).contains("WirelessICCID"), "{refusal:#}");
        let it = item(&app, b, sim).await;
        assert_eq!((&it["Status"], &it["CustomerID"]), (&json!("ASSIGNED"), &json!(winner)), "{it:#}");
        assert_eq!(list(&customer(&app, b, loser).await["Services"]), Vec::<Value>::new());
    }
}

#[tokio::test]
async fn concurrent_completions_apply_once() {
    let app = TestApp::new().await;
    let b = Binding::Json;
    for _ in 0..8 {
        let c = new_customer(&app, b).await;
        let (o, line) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        let done = |date: &str| with(acme(), json!({"OrderID": o, "Status": "COMPLETE", "CompletionDate": date}));
        let (r1, r2) = tokio::join!(
            app.call(b, "Orders_Update", done("2026-06-01T00:00:00Z")),
            app.call(b, "Orders_Update", done("2026-07-01T00:00:00Z"))
        );
        assert_ok(&r1);
        assert_ok(&r2);
        let completed = summary(&app, b, o).await["CompletionDate"].clone();
        let l = line_of(&app, b, c, line).await;
        for p in list(&l["Products"]) {
            assert_eq!(p["Status"], ACTIVE);
            assert_eq!(p["ActivatedDate"], completed, "one completion applied, and it is the one recorded: {l:#}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Found by black-box testing: races, closed customers, disconnected services, wire edge cases.

#[tokio::test]
async fn concurrent_orders_cannot_take_the_same_tn() {
    let app = TestApp::new().await;
    let b = Binding::Json;
    for n in 0..6u64 {
        let tn = format!("73755501{n:02}");
        let (c1, c2) = (new_customer(&app, b).await, new_customer(&app, b).await);
        let by_reconnect = with(acme(), json!({"CustomerID": c1, "PackageID": 1000, "ReconnectTN": tn}));
        let by_add_line =
            with(acme(), kind("AddLine", json!({"CustomerID": c2, "Lines": [{"PackageID": 1000, "TN": tn}]})));
        let (r1, r2) =
            tokio::join!(app.call(b, "NewOrders_Create", by_reconnect), app.call(b, "Orders_Create", by_add_line));
        let wins = [&r1, &r2].iter().filter(|r| r["Header"]["Success"] == true).count();
        assert_eq!(wins, 1, "exactly one service gets TN {tn}: {r1:#} {r2:#}");
        let refusal = if r1["Header"]["Success"] == true { &r2 } else { &r1 };
        assert_error(refusal, "S2010");
        assert!(message(refusal).contains("TN") && message(refusal).contains("in use"), "{refusal:#}");
    }
}

#[tokio::test]
async fn product_changes_racing_a_completion_never_land_on_a_final_order() {
    let app = TestApp::new().await;
    let b = Binding::Json;
    for _ in 0..6 {
        let c = new_customer(&app, b).await;
        let (o, line) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        let add = || {
            with(acme(), json!({"OrderID": o, "Lines": [{"LineID": line, "Products": {"Add": [{"ProductID": 103}]}}]}))
        };
        let done = with(acme(), json!({"OrderID": o, "Status": "COMPLETE"}));
        let (_, _, r, _) = tokio::join!(
            app.call(b, "Orders_Update", add()),
            app.call(b, "Orders_Update", add()),
            app.call(b, "Orders_Update", done),
            app.call(b, "Orders_Update", add()),
        );
        assert_ok(&r);
        let l = line_of(&app, b, c, line).await;
        assert!(
            statuses(&l).iter().all(|(_, st)| st == ACTIVE),
            "every product added before the completion completed with it; none was added after: {l:#}"
        );
    }
}

#[tokio::test]
async fn closed_customers_and_disconnected_services_take_no_new_products() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        let (open, pending_line) = new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        // Only ACTIVE or DENIED products are in service: a line still being activated is
        // canceled, not disconnected.
        refused(
            &app,
            b,
            "Orders_Create",
            kind("Disconnect", json!({"LineID": pending_line})),
            "O2001",
            &["ACTIVE or DENIED"],
        )
        .await;
        let d = one_order(&app, b, "Disconnect", json!({"LineID": line})).await;
        complete(&app, b, d).await;
        let add = json!({"Lines": {"Change": [{"LineID": line, "Products": {"Add": [{"ProductID": 103}]}}]}});
        refused(&app, b, "Orders_Create", kind("Change", add), "O2001", &["disconnected"]).await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("PackageChange", json!({"LineID": line, "PackageID": 1001})),
            "O2001",
            &["disconnected"],
        )
        .await;
        let update = json!({"OrderID": open, "Lines": [{"LineID": line, "Products": {"Add": [{"ProductID": 103}]}}]});
        refused(&app, b, "Orders_Update", update, "O2001", &["disconnected"]).await;
        let empty = json!({"OrderID": open, "Lines": [{"LineID": pending_line}]});
        refused(&app, b, "Orders_Update", empty, "S2010", &["Lines/OrderLineUpdateItem[1]/Products"]).await;

        // A Closed customer's open order takes no new products either.
        let closed = customer_with(&app, b, json!({"Status": "Closed"})).await;
        refused(
            &app,
            b,
            "NewOrders_Create",
            json!({"CustomerID": closed, "PackageID": 1000}),
            "C2006",
            &["CustomerID"],
        )
        .await;
        assert_eq!(statuses(&line_of(&app, b, c, pending_line).await), st(&[(100, PENDING), (101, PENDING)]));
    }
}

#[tokio::test]
async fn a_package_change_is_one_order_and_unknown_ids_name_their_field() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        let o = one_order(&app, b, "PackageChange", json!({"LineID": line, "PackageID": 1001})).await;
        set_status(&app, b, o, "CANCELED").await;
        let l = line_of(&app, b, c, line).await;
        assert_eq!((l["PackageID"].clone(), statuses(&l)), (json!(1000), st(&[(100, ACTIVE), (101, ACTIVE)])), "{l:#}");

        let unknown = json!({"CustomerID": c, "PackageID": 1000, "AdditionalProducts": [{"ProductID": UNKNOWN}]});
        refused(&app, b, "NewOrders_Create", unknown, "PR2023", &["AdditionalProducts/Product[1]/ProductID"]).await;
        refused(&app, b, "NewOrders_Create", json!({"CustomerID": c, "PackageID": UNKNOWN}), "PK2013", &["PackageID"])
            .await;
        let bad_line = json!({"CustomerID": c, "Lines": [{"PackageID": 1000}, {"PackageID": UNKNOWN}]});
        refused(&app, b, "Orders_Create", kind("AddLine", bad_line), "PK2013", &["AddLine/Lines/Line[2]/PackageID"])
            .await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("Suspend", json!({"LineID": line, "ProcessID": UNKNOWN})),
            "PC2001",
            &["Suspend/ProcessID"],
        )
        .await;
        refused(
            &app,
            b,
            "Orders_Create",
            kind("Suspend", json!({"CustomerID": UNKNOWN, "LineID": line})),
            "C2002",
            &["Suspend/CustomerID"],
        )
        .await;
    }
}

#[tokio::test]
async fn blank_text_filters_match_nothing_and_add_line_ships_to_the_service_address() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = customer_with(&app, b, json!({"ServiceAddress": address()})).await;
        new_order(&app, b, json!({"CustomerID": c, "PackageID": 1000})).await;
        for filter in ["PON", "TN", "Identifier"] {
            let mut f = json!({"CustomerID": [c]});
            f[filter] = json!([""]);
            assert_eq!(search(&app, b, f).await, Vec::<i64>::new(), "{b:?}: a blank {filter} matches nothing");
        }
        let lines = json!({"CustomerID": c, "Lines": [{"PackageID": 1000, "Products": [{"ProductID": 102}]}]});
        let orders = orders_create(&app, b, "AddLine", lines).await;
        for o in orders {
            assert_eq!(summary(&app, b, o).await["ShippingStatus"], "NOT_SHIPPED", "{b:?}: order {o}");
        }
        let bare = new_customer(&app, b).await;
        let lines = json!({"CustomerID": bare, "Lines": [{"PackageID": 1000, "Products": [{"ProductID": 102}]}]});
        refused(&app, b, "Orders_Create", kind("AddLine", lines), "S2010", &["AddLine/ShippingAddress"]).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Found by the first run of these tests.

/// A whole-account Disconnect makes
/// one order per provider, and completing the first one already closes the customer while the
/// other provider's services are still ACTIVE. If that other order is then canceled, the
/// customer is Closed with a live service, and every order for it (even a Disconnect of that
/// service) is refused C2006: the account can never be cleaned up.
#[tokio::test]
async fn closing_the_account_waits_for_every_disconnect_order() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let wireless = active_line(&app, b, c, json!({})).await;
        let voice = active_line(&app, b, c, json!({"PackageID": 1001})).await;
        let orders = orders_create(&app, b, "Disconnect", json!({"CustomerID": c})).await;
        assert_eq!(orders.len(), 2, "{orders:?}");
        complete(&app, b, orders[0]).await;
        let cust = customer(&app, b, c).await;
        assert_eq!(statuses(&service(&cust, wireless)), st(&[(100, DISCONNECTED), (101, DISCONNECTED)]));
        assert_eq!(statuses(&service(&cust, voice)), st(&[(104, ACTIVE)]));
        assert_ne!(
            cust["Status"], "Closed",
            "{b:?}: service {voice} is still ACTIVE, so the account is not closed yet"
        );
        set_status(&app, b, orders[1], "CANCELED").await;
        // The remaining service can still be disconnected.
        let d = one_order(&app, b, "Disconnect", json!({"LineID": voice})).await;
        complete(&app, b, d).await;
        assert_eq!(statuses(&line_of(&app, b, c, voice).await), st(&[(104, DISCONNECTED)]));
    }
}

/// Completing a
/// PackageChange to a package of another provider sets the service's package but leaves its
/// provider, so Customers_Query shows CarrierID 10 with package 1001 (provider 11), and later
/// orders for the service go to provider 10, which carries none of its products any more
/// (AddLine requires a package's provider to be the service's; a package change should keep
/// that true, or refuse the change).
#[tokio::test]
async fn a_package_change_to_another_providers_package_moves_the_service() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let c = new_customer(&app, b).await;
        let line = active_line(&app, b, c, json!({})).await;
        for o in orders_create(&app, b, "PackageChange", json!({"LineID": line, "PackageID": 1001})).await {
            complete(&app, b, o).await;
        }
        let l = line_of(&app, b, c, line).await;
        assert_eq!(l["PackageID"], 1001);
        assert_eq!(
            (&l["CarrierID"], &l["CarrierDescription"]),
            (&json!(11), &json!("Hosted Voice Platform")),
            "{b:?}: the service's provider is its package's: {l:#}"
        );
        let s = one_order(&app, b, "Suspend", json!({"LineID": line})).await;
        assert_eq!(
            summary(&app, b, s).await["Carrier_ID"],
            11,
            "{b:?}: the suspend goes to the provider carrying the service"
        );
    }
}
