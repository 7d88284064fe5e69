//! acme and globex are separate systems: the same ids, different data, and no way across.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[tokio::test]
async fn catalogs_are_separate_even_with_the_same_ids() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let a = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        let g = app.call(b, "Products_Query", with(globex(), json!({"ProductID": 100}))).await;
        assert_eq!(a["Products"][0]["Name"], "Unlimited Talk & Text");
        assert_eq!(g["Products"][0]["Name"], "Globex Fiber 1G");
        // globex has no product 101, whatever acme has.
        assert_error(&app.call(b, "Products_Query", with(globex(), json!({"ProductID": 101}))).await, "PR2023");
        let all = app.call(b, "Products_Query", with(globex(), json!({"IncludeNonLineCarrierProducts": true}))).await;
        assert_eq!(all["Products"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn writes_stay_in_their_client() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        // Products_Create: a new acme product is invisible to globex.
        let created = app
            .call(
                b,
                "Products_Create",
                with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "acme only"})),
            )
            .await;
        let id = created["ProductID"].clone();
        assert_error(&app.call(b, "Products_Query", with(globex(), json!({"ProductID": id}))).await, "PR2023");

        // Products_Update: globex updating "its" product 100 leaves acme's untouched; updating
        // acme's product id that globex does not have is PR2023.
        assert_ok(
            &app.call(
                b,
                "Products_Update",
                with(globex(), json!({"ID": 100, "CarrierID": 10, "ProductTypeID": 1, "Rate": "71.00"})),
            )
            .await,
        );
        let acme100 = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        assert_eq!(acme100["Products"][0]["Rate"], "35.00");
        assert_error(
            &app.call(b, "Products_Update", with(globex(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1})))
                .await,
            "PR2023",
        );

        // Customers: ids are per client; globex cannot read acme's customer.
        let a = app
            .call(
                b,
                "Customers_Create",
                with(acme(), json!({"CustomerClass": "Business", "CompanyName": "Acme Customer"})),
            )
            .await;
        let g = app
            .call(
                b,
                "Customers_Create",
                with(globex(), json!({"CustomerClass": "Business", "CompanyName": "Globex Customer"})),
            )
            .await;
        let a_id = a["CustomerID"].as_i64().unwrap();
        let g_id = g["CustomerID"].as_i64().unwrap();
        let seen_by_globex = app.call(b, "Customers_Query", with(globex(), json!({"CustomerID": a_id}))).await;
        if a_id == g_id {
            assert_eq!(seen_by_globex["Customer"]["CompanyName"], "Globex Customer");
        } else {
            assert_error(&seen_by_globex, "C2002");
        }
    }
}

#[tokio::test]
async fn sessions_and_keys_do_not_cross_clients() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let g = app.call(b, "Sessions_Create", with(globex(), json!({}))).await;
        let g_key = g["SessionKey"].as_str().unwrap().to_string();
        // A globex session sees globex data only.
        let r = app.call(b, "Products_Query", json!({"Session": {"SessionKey": g_key}, "ProductID": 100})).await;
        assert_eq!(r["Products"][0]["Name"], "Globex Fiber 1G");
        // acme cannot destroy globex's session, and is not told it exists.
        let d = app.call(b, "Sessions_Destroy", with(acme(), json!({"SessionKey": g_key}))).await;
        assert_error(&d, "S2004");
        assert_ok(&app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": g_key}})).await);
        // A globex user cannot log in to acme with globex's password, nor use an acme
        // impersonation key.
        let cross = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "api", "Password": "another strong pass", "Client": "acme"}}),
            )
            .await;
        assert_error(&cross, "S2005");
        let grant = app.call(b, "Impersonation_Authorize", with(acme(), json!({"ToUserID": 2}))).await;
        let mut creds = globex();
        creds["ImpersonationKey"] = grant["ImpersonationKey"].clone();
        assert_error(&app.call(b, "Products_Query", json!({"Credentials": creds})).await, "S2005");
        // Impersonation_Authorize names users of the caller's client only.
        assert_error(
            &app.call(b, "Impersonation_Authorize", with(globex(), json!({"ToUserName": "viewer"}))).await,
            "U2001",
        );
        // Sessions_Validate answers for the session's own client.
        let v = app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": g_key}})).await;
        assert_eq!(v["UserID"], 1);
        assert!(v["AgentID"].is_null(), "globex's user 1 has no agent: {v}");
    }
}

// ---------------------------------------------------------------------------------------------
// Every operation, table-driven: globex names acme's ids and gets nothing of acme's.

/// What acme created. None of these ids exists in globex (checked before the probes).
struct Acme {
    product: i64,
    /// Every acme customer; the last is the one holding the line.
    customers: Vec<i64>,
    customer: i64,
    service: i64,
    /// The TN of `service`.
    tn: String,
    cp: i64,
    sim_type: i64,
    tn_type: i64,
    /// An inventory type without items (so deleting it would succeed).
    empty_type: i64,
    /// Every acme inventory item: padding, `spare_iccid`'s, then the four below.
    items: Vec<i64>,
    /// A SIM assigned to `customer` on `service` and `cp`, with an MDN.
    sim_assigned: (i64, String),
    sim_free: (i64, String),
    mdn: String,
    /// A Telephone_Number item attached to `service` by identifier.
    tn_assigned: (i64, String),
    tn_free: (i64, String),
    /// The ICCID of an acme SIM the probes do not otherwise name.
    spare_iccid: String,
    session_key: String,
    /// The session acme's Credentials-authenticated requests report in their Header.
    live_key: String,
    /// Granted by acme's api user to acme's viewer.
    grant_key: String,
    /// The customer of acme's orders (not in `customers`).
    order_customer: i64,
    /// Every acme order: padding, then `order` and `suspend`.
    orders: Vec<i64>,
    /// A completed NewOrders_Create that reserved `order_sim` for `order_line`, TN `order_tn`.
    order: i64,
    order_line: i64,
    order_tn: String,
    order_sim: (i64, String),
    /// An open Suspend of `order_line`.
    suspend: i64,
}

impl Acme {
    /// The items the probes name.
    fn named_items(&self) -> Vec<i64> {
        vec![self.sim_assigned.0, self.sim_free.0, self.tn_assigned.0, self.tn_free.0]
    }
}

/// What globex has of its own, for probes that must get past the first lookup.
struct Globex {
    customer: i64,
    service: i64,
    cp: i64,
    sim_type: i64,
    tn_type: i64,
    item: i64,
    /// An open AddLine order of `customer`, making `order_line`.
    order: i64,
    order_line: i64,
}

async fn ok_as(app: &TestApp, credentials: Value, op: &str, request: Value) -> Value {
    let r = app.call(Binding::Json, op, with(credentials, request)).await;
    assert_ok(&r);
    r
}

/// Creates something through JSON as `credentials` and returns the new id (`field`).
async fn new_id(app: &TestApp, credentials: Value, op: &str, request: Value, field: &str) -> i64 {
    let r = ok_as(app, credentials, op, request).await;
    r[field].as_i64().unwrap_or_else(|| panic!("{op}: no {field} in {r:#}"))
}

async fn acme_creates_one_of_everything(app: &TestApp) -> Acme {
    let ok = |op: &'static str, request: Value| ok_as(app, acme(), op, request);
    let new_type = |t: Value| new_id(app, acme(), "InventoryTypes_Create", json!({"InventoryType": t}), "ID");
    let new_item = |i: Value| new_id(app, acme(), "Inventory_Create", json!({"Inventory": i}), "InventoryItemID");
    // Padding first: acme's ids below are past anything globex has or makes in this test
    // (its sequences are its own, and globex makes at most two of each kind).
    let mut customers = Vec::new();
    let mut spare_type = 0;
    for i in 0..3 {
        spare_type =
            new_type(json!({"Type": "General", "Identifier": "Serial", "Name": format!("Acme spare {i}")})).await;
        customers.push(customer_with_service(app, "acme", 100).await.0);
    }
    let spares: Vec<Value> =
        (1..=5).map(|n| json!({"InventoryTypeID": spare_type, "Identifier": format!("SPARE-{n}")})).collect();
    let mut items: Vec<i64> = ok("Inventory_Bulk_Create", json!({"InventoryItems": spares})).await["InventoryItemIDs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();

    let product = new_id(
        app,
        acme(),
        "Products_Create",
        json!({"CarrierID": 10, "ProductTypeID": 1, "Name": "Acme Only Plan", "Description": "acme only", "Rate": "12.00",
               "BillProfileIDs": [1], "LineTypeIDs": [3], "Fields": [{"FieldID": 31, "Value": "Silver"}]}),
        "ProductID",
    )
    .await;
    let sim_type =
        new_type(json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Acme SIMs", "RequiresProduct": true,
                                   "Format": "ICCID_DECIMAL", "ProductIDs": [100, product]}))
        .await;
    let tn_type = new_type(
        json!({"Type": "Telephone_Number", "Identifier": "DID", "Name": "Acme DIDs", "ProductIDs": [product]}),
    )
    .await;
    let empty_type = new_type(json!({"Type": "General", "Identifier": "Serial", "Name": "Acme routers",
                                     "Fields": [{"Label": "Plan Tier", "Value": "Gold"}],
                                     "ItemFields": [{"Label": "Box", "FieldType": "Text Box"}]}))
    .await;
    let spare_iccid = iccid(3);
    items.push(new_item(json!({"InventoryTypeID": sim_type, "Identifier": spare_iccid})).await);
    let mdn = "5125550100".to_string();
    let sim_assigned = (
        new_item(json!({"InventoryTypeID": sim_type, "Identifier": iccid(100), "Note": "acme secret note",
                        "Wireless": {"MSID": "3125550100", "MSL": "654321", "MDN": mdn}}))
        .await,
        iccid(100),
    );
    let sim_free = (new_item(json!({"InventoryTypeID": sim_type, "Identifier": iccid(101)})).await, iccid(101));
    let tn = |n: &str| (json!({"InventoryTypeID": tn_type, "Identifier": n}), n.to_string());
    let (request, number) = tn("5125559000");
    let tn_assigned = (new_item(request).await, number);
    let (request, number) = tn("5125559001");
    let tn_free = (new_item(request).await, number);
    items.extend([sim_assigned.0, sim_free.0, tn_assigned.0, tn_free.0]);

    let (customer, service, cp) = customer_with_service(app, "acme", product as i32).await;
    customers.push(customer);
    let (service, cp) = (i64::from(service), i64::from(cp));
    ok(
        "Inventory_Assign",
        json!({"InventoryItemID": sim_assigned.0, "CustomerID": customer, "LineID": service, "CustomerProductID": cp}),
    )
    .await;
    ok("InventoryTypes_Assign", json!({"Identifiers": [tn_assigned.1], "LineID": service, "CustomerProductID": cp}))
        .await;
    let session_key = ok("Sessions_Create", json!({})).await["SessionKey"].as_str().unwrap().to_string();
    let grant = ok("Impersonation_Authorize", json!({"ToUserID": 2})).await;
    let grant_key = grant["ImpersonationKey"].as_str().unwrap().to_string();
    let live_key =
        ok("Products_Query", json!({"ProductID": product})).await["Header"]["SessionKey"].as_str().unwrap().to_string();

    // Orders: padding first (globex makes one order of its own), then a completed line holding
    // a SIM, and an open Suspend of it.
    let order_customer = new_id(
        app,
        acme(),
        "Customers_Create",
        json!({"CustomerClass": "Business", "CompanyName": "Acme Orders"}),
        "CustomerID",
    )
    .await;
    let mut orders = Vec::new();
    for _ in 0..2 {
        let r = ok("NewOrders_Create", json!({"CustomerID": order_customer, "PackageID": 1000})).await;
        orders.push(r["Orders"][0].as_i64().unwrap());
    }
    let order_sim = (new_item(json!({"InventoryTypeID": sim_type, "Identifier": iccid(102)})).await, iccid(102));
    items.push(order_sim.0);
    let order_tn = "5125557000".to_string();
    let r = ok(
        "NewOrders_Create",
        json!({"CustomerID": order_customer, "PackageID": 1000, "ReconnectTN": order_tn, "WirelessICCID": order_sim.1}),
    )
    .await;
    let (order, order_line) = (r["Orders"][0].as_i64().unwrap(), r["Lines"][0].as_i64().unwrap());
    ok("Orders_Update", json!({"OrderID": order, "Status": "COMPLETE"})).await;
    let suspend =
        ok("Orders_Create", json!({"Suspend": {"LineID": order_line}})).await["OrderIDs"][0].as_i64().unwrap();
    orders.extend([order, suspend]);
    let sim_state = ok("Inventory_Query", json!({"InventoryID": order_sim.0})).await;
    assert_eq!(sim_state["Inventory"]["CustomerID"], order_customer, "{sim_state:#}");
    let line_state = ok("Customers_Query", json!({"CustomerID": order_customer})).await;
    assert!(
        line_state["Customer"]["Services"].as_array().unwrap().iter().any(|s| s["ID"] == order_line
            && s["Products"].as_array().unwrap().iter().all(|p| p["Status"] == "ACTIVE")),
        "{line_state:#}"
    );

    // The state is what it should be, so that "unchanged" means something.
    let line = ok("Customers_Query", json!({"CustomerID": customer})).await;
    let on_line: Vec<i64> = line["Customer"]["Services"][0]["Inventory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ID"].as_i64().unwrap())
        .collect();
    assert_eq!(on_line.len(), 2, "{line:#}");
    assert!(on_line.contains(&sim_assigned.0) && on_line.contains(&tn_assigned.0), "{line:#}");
    assert_eq!(line["Customer"]["Services"][0]["Products"][0]["ProductID"], product);

    Acme {
        product,
        customers,
        customer,
        tn: format!("555{service:07}"),
        service,
        cp,
        sim_type,
        tn_type,
        empty_type,
        items,
        sim_assigned,
        sim_free,
        mdn,
        tn_assigned,
        tn_free,
        spare_iccid,
        session_key,
        live_key,
        grant_key,
        order_customer,
        orders,
        order,
        order_line,
        order_tn,
        order_sim,
        suspend,
    }
}

async fn globex_has_its_own(app: &TestApp) -> Globex {
    let new_type = |t: Value| new_id(app, globex(), "InventoryTypes_Create", json!({"InventoryType": t}), "ID");
    let (customer, service, cp) = customer_with_service(app, "globex", 100).await;
    let sim_type = new_type(json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Globex SIMs",
                                   "RequiresProduct": true, "Format": "ICCID_DECIMAL", "ProductIDs": [100]}))
    .await;
    let tn_type = new_type(
        json!({"Type": "Telephone_Number", "Identifier": "TN", "Name": "Globex numbers", "ProductIDs": [100]}),
    )
    .await;
    let item = new_id(
        app,
        globex(),
        "Inventory_Create",
        json!({"Inventory": {"InventoryTypeID": sim_type, "Identifier": iccid(900)}}),
        "InventoryItemID",
    )
    .await;
    let added = ok_as(
        app,
        globex(),
        "Orders_Create",
        json!({"AddLine": {"CustomerID": customer, "Lines": [{"PackageID": 0, "CarrierID": 10, "Products": [{"ProductID": 100}]}]}}),
    )
    .await;
    let order = added["OrderIDs"][0].as_i64().unwrap();
    let q = ok_as(app, globex(), "Orders_Query", json!({"OrderID": order})).await;
    let order_line = q["AddLine"]["Lines"][0]["LineID"].as_i64().unwrap();
    Globex { customer, service: i64::from(service), cp: i64::from(cp), sim_type, tn_type, item, order, order_line }
}

/// acme's data as its own reads show it: every answer, without the session-related Header
/// fields.
async fn acme_state(app: &TestApp, a: &Acme) -> Vec<(String, Value)> {
    let mut reads: Vec<(&str, Value)> = vec![("Products_Query", json!({"IncludeNonLineCarrierProducts": true}))];
    for p in [100, 101, 102, 103, 104, a.product] {
        reads.push(("Products_Query", json!({"ProductID": p})));
    }
    for c in &a.customers {
        reads.push(("Customers_Query", json!({"CustomerID": c})));
    }
    reads.push(("Customers_Query", json!({"TN": a.tn})));
    reads.push(("InventoryTypes_Query", json!({})));
    for i in &a.items {
        reads.push(("Inventory_Query", json!({"InventoryID": i})));
        reads.push(("InventoryHistory_Query", json!({"InventoryItemID": i})));
    }
    reads.push(("Inventory_Query", json!({"MDN": a.mdn})));
    reads.push(("Customers_Query", json!({"CustomerID": a.order_customer})));
    for o in &a.orders {
        reads.push(("Orders_Query", json!({"OrderID": o})));
    }
    reads.push(("Orders_Search", json!({})));
    reads.push(("Orders_Search", json!({"ShowServiceDetails": true, "PageSize": 500})));
    reads.push(("Events_Query", json!({"Limit": 1000})));
    reads.push(("OrderStats_Query", json!({"Days": 90})));
    reads.push(("Customers_Search", json!({"Name": "holder"})));
    reads.push(("InventoryCounts_Query", json!({})));
    reads.push(("Catalog_Query", json!({})));
    reads.push(("Inventory_Query", json!({"Inventory": {"Identifier": a.sim_free.1, "Type": "SIM_Card"}})));
    let mut out = Vec::new();
    for (op, request) in reads {
        let r = app.call(Binding::Json, op, with(acme(), request.clone())).await;
        assert_ok(&r);
        out.push((format!("{op} {request}"), without_session(r)));
    }
    // acme's sessions and its impersonation grant still work, for acme.
    let mut impersonating = acme_viewer();
    impersonating["ImpersonationKey"] = json!(a.grant_key);
    for (what, request) in [
        ("Sessions_Validate with acme's session", json!({"Session": {"SessionKey": a.session_key}})),
        ("Sessions_Validate with acme's live session", json!({"Session": {"SessionKey": a.live_key}})),
        ("Sessions_Validate with acme's grant", json!({"Credentials": impersonating})),
    ] {
        let r = app.call(Binding::Json, "Sessions_Validate", request).await;
        assert_ok(&r);
        out.push((what.to_string(), without_session(r)));
    }
    out
}

fn without_session(mut r: Value) -> Value {
    if let Some(h) = r.get_mut("Header").and_then(Value::as_object_mut) {
        h.remove("SessionKey");
    }
    r
}

/// Says what is wrong with an answer, if anything.
type Check = Box<dyn Fn(&Value) -> Result<(), String>>;

/// What a probe must get back.
enum Expect {
    /// Refused with this code, the Message naming each of these (the acme id asked for).
    Refused(&'static str, Vec<String>),
    /// Answered from globex's own data; the check says what is wrong otherwise.
    Answered(Check),
}

struct Probe {
    request: Value,
    expect: Expect,
}

fn refused<S: ToString>(request: Value, code: &'static str, names: &[S]) -> Probe {
    Probe { request, expect: Expect::Refused(code, names.iter().map(ToString::to_string).collect()) }
}

fn answered(request: Value, check: impl Fn(&Value) -> Result<(), String> + 'static) -> Probe {
    Probe { request, expect: Expect::Answered(Box::new(check)) }
}

fn ids_in(r: &Value, list: &str) -> Vec<i64> {
    r[list].as_array().map(|l| l.iter().filter_map(|x| x["ID"].as_i64()).collect()).unwrap_or_default()
}

fn expect_ids(list: &'static str, want: Vec<i64>) -> impl Fn(&Value) -> Result<(), String> {
    move |r| {
        let mut got = ids_in(r, list);
        got.sort_unstable();
        if got == want {
            Ok(())
        } else {
            Err(format!("{list} should be globex's {want:?}, not {got:?}"))
        }
    }
}

/// For each operation, requests of globex's api user naming acme's ids, identifiers and
/// keys, and what globex must get: the "does not exist" refusal, or its own data only.
fn probes(a: &Acme, g: &Globex) -> BTreeMap<&'static str, Vec<Probe>> {
    let gx = |v: Value| with(globex(), v);
    let mut imp = globex();
    imp["ImpersonationKey"] = json!(a.grant_key);
    let no_type = |t: i64| format!("no inventory type has id {t}");
    let no_item = |i: i64| format!("Inventory item {i} does not exist");
    let no_cp = format!("no customer product has id {}", a.cp);
    let no_service = format!("Service {} does not exist", a.service);
    let no_product = format!("Product {} does not exist", a.product);
    let acme_items = a.named_items();
    let base = json!({"CarrierID": 10, "ProductTypeID": 1});
    let product = |extra: Value| {
        let mut p = base.clone();
        p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        gx(p)
    };
    let business = |extra: Value| {
        let mut c = json!({"CustomerClass": "Business", "CompanyName": "Globex customer"});
        c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        gx(c)
    };

    let mut t: BTreeMap<&'static str, Vec<Probe>> = BTreeMap::new();
    t.insert(
        "Sessions_Create",
        vec![
            refused(with(imp.clone(), json!({})), "S2005", &["ImpersonationKey"]),
            answered(gx(json!({})), |r| match r["SessionKey"].as_str() {
                Some(k) if !k.is_empty() => Ok(()),
                _ => Err("no SessionKey".into()),
            }),
        ],
    );
    t.insert(
        "Sessions_Validate",
        vec![answered(gx(json!({})), |r| {
            if r["UserID"] == 1 && r["AgentID"].is_null() && r["AgentNumber"].is_null() {
                Ok(())
            } else {
                Err("globex's user 1 has no agent (acme's user 1 is agent 500)".into())
            }
        })],
    );
    t.insert(
        "Sessions_Destroy",
        vec![
            refused(gx(json!({"SessionKey": a.session_key})), "S2004", &["no such session"]),
            refused(gx(json!({"SessionKey": a.live_key})), "S2004", &["no such session"]),
        ],
    );
    t.insert(
        "Impersonation_Authorize",
        vec![
            refused(gx(json!({"ToUserName": "viewer"})), "U2001", &["User viewer does not exist"]),
            refused(gx(json!({"ToUserID": 2})), "U2001", &["User 2 does not exist"]),
        ],
    );
    t.insert(
        "Products_Create",
        vec![
            refused(product(json!({"ID": a.product, "Name": "taken?"})), "S2010", &["ID: must be left out"]),
            refused(gx(json!({"CarrierID": 11, "ProductTypeID": 1})), "CA2014", &["Provider 11 does not exist"]),
            refused(gx(json!({"CarrierID": 10, "ProductTypeID": 2})), "PT2023", &["Product Type 2 does not exist"]),
            refused(product(json!({"BillProfileIDs": [1]})), "B2012", &["Bill Profile 1 does not exist"]),
            refused(product(json!({"LineTypeIDs": [3]})), "LT2001", &["Service type 3 does not exist"]),
            refused(product(json!({"ProductCategoryID": 7})), "S2010", &["no product category (G/L code) has id 7"]),
            refused(
                product(json!({"Fields": [{"FieldID": 31, "Value": "Gold"}]})),
                "S2010",
                &["no custom field has id 31"],
            ),
        ],
    );
    t.insert(
        "Products_Query",
        vec![
            refused(gx(json!({"ProductID": a.product})), "PR2023", &[&no_product]),
            refused(gx(json!({"ProductID": 101})), "PR2023", &["Product 101 does not exist"]),
            refused(gx(json!({"CarrierCode": "SIMWIRELESS"})), "CA2014", &["SIMWIRELESS does not exist"]),
            refused(gx(json!({"ProductTypeID": 2})), "PT2023", &["Product Type 2 does not exist"]),
            refused(gx(json!({"BillProfileID": 1})), "B2012", &["Bill Profile 1 does not exist"]),
            refused(gx(json!({"LineTypeID": 3})), "LT2001", &["Service type 3 does not exist"]),
            refused(gx(json!({"ProductCategoryID": 7})), "S2010", &["no product category (G/L code) has id 7"]),
            answered(gx(json!({"IncludeNonLineCarrierProducts": true})), expect_ids("Products", vec![100])),
            answered(gx(json!({"ProductID": 100})), |r| {
                if r["Products"][0]["Name"] == "Globex Fiber 1G" {
                    Ok(())
                } else {
                    Err("product 100 of globex is Globex Fiber 1G".into())
                }
            }),
        ],
    );
    t.insert(
        "Products_Update",
        vec![
            refused(product(json!({"ID": a.product, "Rate": "1.00"})), "PR2023", &[&no_product]),
            refused(product(json!({"ID": 104, "ActiveFlag": true})), "PR2023", &["Product 104 does not exist"]),
            // globex's own product 100 (acme's 100 stays as it was: see the state check).
            answered(product(json!({"ID": 100, "Rate": "71.00", "Name": "Globex Fiber 1G"})), |_| Ok(())),
        ],
    );
    t.insert(
        "Customers_Create",
        vec![
            refused(business(json!({"BillProfileID": 1})), "B2012", &["Bill Profile 1 does not exist"]),
            refused(
                business(json!({"Fields": [{"FieldID": 31, "Value": "Gold"}]})),
                "S2010",
                &["no custom field has id 31"],
            ),
        ],
    );
    let no_tn = format!("No customer has a service with TN {}", a.tn);
    t.insert(
        "Customers_Query",
        vec![
            refused(
                gx(json!({"CustomerID": a.customer})),
                "C2002",
                &[format!("Customer {} does not exist", a.customer)],
            ),
            refused(gx(json!({"TN": a.tn})), "C2002", &[&no_tn]),
            refused(gx(json!({"CustomerID": g.customer, "TN": a.tn})), "C2002", &[&no_tn]),
        ],
    );
    t.insert(
        "Inventory_Create",
        vec![
            refused(
                gx(json!({"Inventory": {"InventoryTypeID": a.sim_type, "Identifier": iccid(200)}})),
                "S2010",
                &[format!("InventoryTypeID: {}", no_type(a.sim_type))],
            ),
            refused(
                gx(json!({"Inventory": {"InventoryTypeID": a.empty_type, "Identifier": "R-1"}})),
                "S2010",
                &[no_type(a.empty_type)],
            ),
            // An identifier acme has is neither an obstacle nor a hint in globex's own type.
            answered(
                gx(json!({"Inventory": {"InventoryTypeID": g.sim_type, "Identifier": a.spare_iccid}})),
                move |r| match r["InventoryItemID"].as_i64() {
                    Some(i) if !acme_items.contains(&i) => Ok(()),
                    other => Err(format!("a new globex item id, not {other:?} (acme's ids are {acme_items:?})")),
                },
            ),
        ],
    );
    t.insert(
        "Inventory_Bulk_Create",
        vec![refused(
            gx(json!({"InventoryItems": [
                {"InventoryTypeID": a.sim_type, "Identifier": iccid(201)},
                {"InventoryTypeID": a.tn_type, "Identifier": "5125559100"}
            ]})),
            "S2010",
            &["2 item(s) refused".to_string(), no_type(a.sim_type), no_type(a.tn_type)],
        )],
    );
    let no_identifier = |s: &str| format!("no inventory item has identifier {s:?}");
    t.insert(
        "Inventory_Update",
        vec![
            refused(
                gx(json!({"Inventory": {"ID": a.sim_assigned.0, "Note": "globex"}})),
                "I2019",
                &[format!("inventory item {} does not exist", a.sim_assigned.0)],
            ),
            refused(
                gx(json!({"Inventory": {"ID": a.tn_free.0, "Status": "UNAVAILABLE"}})),
                "I2019",
                &[format!("inventory item {} does not exist", a.tn_free.0)],
            ),
            refused(
                gx(json!({"Inventory": {"Identifier": a.sim_assigned.1, "InventoryTypeID": a.sim_type, "Note": "globex"}})),
                "I2019",
                &[no_identifier(&a.sim_assigned.1)],
            ),
            refused(
                gx(json!({"Inventory": {"Identifier": a.sim_assigned.1, "InventoryType": "SIM_Card", "Note": "globex"}})),
                "I2019",
                &[no_identifier(&a.sim_assigned.1)],
            ),
            refused(
                gx(json!({"Inventory": {"Identifier": a.sim_free.1, "InventoryTypeID": g.sim_type, "Note": "globex"}})),
                "I2019",
                &[no_identifier(&a.sim_free.1)],
            ),
        ],
    );
    t.insert(
        "Inventory_Bulk_Update",
        vec![
            refused(
                gx(json!({"InventoryItems": [{"ID": a.sim_free.0, "Note": "globex"}]})),
                "I2019",
                &[format!("inventory item {} does not exist", a.sim_free.0)],
            ),
            refused(
                gx(json!({"InventoryItems": [
                    {"ID": a.sim_assigned.0, "Note": "globex"},
                    {"Identifier": a.tn_free.1, "InventoryType": "Telephone_Number", "Note": "globex"}
                ]})),
                "S2010",
                &[
                    "2 item(s) refused".to_string(),
                    format!("inventory item {} does not exist", a.sim_assigned.0),
                    no_identifier(&a.tn_free.1),
                ],
            ),
        ],
    );
    t.insert(
        "Inventory_Query",
        vec![
            refused(gx(json!({"InventoryID": a.sim_assigned.0})), "I2019", &[no_item(a.sim_assigned.0)]),
            refused(gx(json!({"InventoryID": a.tn_free.0})), "I2019", &[no_item(a.tn_free.0)]),
            refused(gx(json!({"MDN": a.mdn})), "I2019", &[format!("No inventory item has MDN {}", a.mdn)]),
            refused(
                gx(json!({"Inventory": {"Identifier": a.sim_assigned.1, "Type": "SIM_Card"}})),
                "I2019",
                &[format!("No SIM_Card inventory item has identifier {}", a.sim_assigned.1)],
            ),
        ],
    );
    t.insert(
        "Inventory_Assign",
        vec![
            refused(
                gx(json!({"InventoryItemID": a.sim_free.0, "CustomerID": a.customer})),
                "I2019",
                &[no_item(a.sim_free.0)],
            ),
            refused(
                gx(json!({"InventoryItemID": a.sim_free.0, "LineID": a.service, "CustomerProductID": a.cp})),
                "I2019",
                &[no_item(a.sim_free.0)],
            ),
            refused(
                gx(json!({"InventoryItemID": g.item, "CustomerID": a.customer})),
                "C2002",
                &[format!("Customer {} does not exist", a.customer)],
            ),
            refused(gx(json!({"InventoryItemID": g.item, "LineID": a.service})), "L2024", &[&no_service]),
            refused(gx(json!({"InventoryItemID": g.item, "CustomerProductID": a.cp})), "S2010", &[&no_cp]),
        ],
    );
    t.insert(
        "Inventory_Unassign",
        vec![
            refused(gx(json!({"InventoryItemID": a.sim_assigned.0})), "I2019", &[no_item(a.sim_assigned.0)]),
            refused(
                gx(json!({"InventoryItemID": a.tn_assigned.0, "Status": "UNAVAILABLE", "Note": "globex"})),
                "I2019",
                &[no_item(a.tn_assigned.0)],
            ),
            refused(
                gx(json!({"InventoryItemID": a.sim_assigned.0, "Status": "UNAVAILABLE", "UnavailableReasonID": 1})),
                "S2010",
                &["no unavailable reason has id 1"],
            ),
        ],
    );
    t.insert(
        "InventoryTypes_Create",
        vec![
            refused(
                gx(json!({"InventoryType": {"Type": "General", "Identifier": "Serial", "Name": "Globex", "ProductIDs": [a.product]}})),
                "PR2023",
                &[&no_product],
            ),
            refused(
                gx(json!({"InventoryType": {"Type": "General", "Identifier": "Serial", "Name": "Globex", "Fields": [{"FieldID": 31, "Value": "Gold"}]}})),
                "S2010",
                &["no custom field has id 31"],
            ),
        ],
    );
    t.insert(
        "InventoryTypes_Update",
        vec![
            refused(
                gx(json!({"InventoryType": {"ID": a.empty_type, "Name": "Globex"}})),
                "S2010",
                &[no_type(a.empty_type)],
            ),
            refused(
                gx(json!({"InventoryType": {"ID": a.sim_type, "Status": "INACTIVE"}})),
                "S2010",
                &[no_type(a.sim_type)],
            ),
        ],
    );
    t.insert(
        "InventoryTypes_Delete",
        vec![
            refused(gx(json!({"ID": a.empty_type})), "S2010", &[no_type(a.empty_type)]),
            refused(gx(json!({"ID": a.tn_type})), "S2010", &[no_type(a.tn_type)]),
        ],
    );
    let mut own_types = vec![g.sim_type, g.tn_type];
    own_types.sort_unstable();
    t.insert(
        "InventoryTypes_Query",
        vec![
            answered(gx(json!({"ID": a.sim_type})), expect_ids("InventoryTypes", vec![])),
            answered(gx(json!({"ID": a.empty_type})), expect_ids("InventoryTypes", vec![])),
            answered(gx(json!({})), expect_ids("InventoryTypes", own_types)),
            answered(gx(json!({"Type": "SIM_Card"})), expect_ids("InventoryTypes", vec![g.sim_type])),
            answered(
                gx(json!({"Field": {"Label": "Plan Tier", "Value": "Gold"}})),
                expect_ids("InventoryTypes", vec![]),
            ),
            refused(gx(json!({"ProductID": a.product})), "PR2023", &[&no_product]),
            refused(gx(json!({"PackageID": 1000})), "PK2013", &["Package 1000 does not exist"]),
        ],
    );
    t.insert(
        "InventoryTypes_Assign",
        vec![
            refused(
                gx(json!({"Identifiers": [a.tn_free.1], "LineID": a.service, "CustomerProductID": a.cp})),
                "L2024",
                &[&no_service],
            ),
            refused(
                gx(json!({"Identifiers": [a.tn_free.1], "LineID": g.service, "CustomerProductID": a.cp})),
                "S2010",
                &[&no_cp],
            ),
            refused(
                gx(json!({"Identifiers": [a.tn_free.1, a.sim_free.1], "LineID": g.service, "CustomerProductID": g.cp})),
                "I2019",
                &[format!("No inventory item has identifier {}", a.tn_free.1)],
            ),
        ],
    );
    t.insert(
        "InventoryTypes_Unassign",
        vec![
            refused(gx(json!({"Identifiers": [a.tn_assigned.1], "LineID": a.service})), "L2024", &[&no_service]),
            refused(
                gx(json!({"Identifiers": [a.tn_assigned.1], "LineID": g.service})),
                "I2019",
                &[format!("No inventory item {} is assigned to service {}", a.tn_assigned.1, g.service)],
            ),
        ],
    );
    t.insert(
        "InventoryHistory_Query",
        vec![
            refused(gx(json!({"InventoryItemID": a.sim_assigned.0})), "I2019", &[no_item(a.sim_assigned.0)]),
            refused(gx(json!({"InventoryItemID": a.tn_free.0})), "I2019", &[no_item(a.tn_free.0)]),
        ],
    );

    // Orders.
    let no_customer = format!("Customer {} does not exist", a.order_customer);
    let no_line = |what: &str| format!("{what}/LineID: service {} does not exist", a.order_line);
    let no_order = |o: i64| format!("Order {o} does not exist");
    let order_ids = |want: Vec<i64>, services: Option<Vec<i64>>| {
        move |r: &Value| -> Result<(), String> {
            let orders = r["Orders"].as_array().cloned().unwrap_or_default();
            let got: Vec<i64> = orders.iter().filter_map(|o| o["OrderID"].as_i64()).collect();
            if got != want {
                return Err(format!("Orders should be globex's {want:?}, not {got:?}"));
            }
            if let Some(services) = &services {
                let shown: Vec<i64> = orders
                    .iter()
                    .flat_map(|o| o["Services"].as_array().cloned().unwrap_or_default())
                    .filter_map(|s| s["ID"].as_i64())
                    .collect();
                if &shown != services {
                    return Err(format!("Services should be globex's {services:?}, not {shown:?}"));
                }
            }
            Ok(())
        }
    };
    t.insert(
        "NewOrders_Create",
        vec![
            refused(gx(json!({"CustomerID": a.order_customer, "PackageID": 1000})), "C2002", &[&no_customer]),
            refused(
                gx(json!({"CustomerID": a.order_customer, "PackageID": 1000, "WirelessICCID": a.sim_free.1})),
                "C2002",
                &[&no_customer],
            ),
            // globex has no packages at all.
            refused(
                gx(json!({"CustomerID": g.customer, "PackageID": 1000})),
                "PK2013",
                &["Package 1000 does not exist"],
            ),
        ],
    );
    let line_products =
        |products: Value| json!({"AddLine": {"CustomerID": g.customer, "Lines": [merged_line(products)]}});
    t.insert(
        "Orders_Create",
        vec![
            refused(gx(json!({"Suspend": {"LineID": a.order_line}})), "L2024", &[no_line("Suspend")]),
            refused(
                gx(json!({"Suspend": {"TN": a.order_tn}})),
                "L2024",
                &[format!("Suspend/TN: no service has TN {}", a.order_tn)],
            ),
            refused(gx(json!({"Restore": {"LineID": a.order_line}})), "L2024", &[no_line("Restore")]),
            refused(gx(json!({"Disconnect": {"CustomerID": a.order_customer}})), "C2002", &[&no_customer]),
            refused(gx(json!({"Disconnect": {"LineID": a.service}})), "L2024", &[&format!("service {} does not exist", a.service)]),
            refused(gx(json!({"PackageChange": {"LineID": a.order_line, "PackageID": 1000}})), "L2024", &[no_line("PackageChange")]),
            refused(
                gx(json!({"Change": {"Lines": {"Disconnect": [{"TN": a.order_tn}]}}})),
                "L2024",
                &[format!("no service has TN {}", a.order_tn)],
            ),
            refused(
                gx(json!({"Change": {"Lines": {"Change": [{"LineID": g.service, "Products": {"Change": [{"CustomerProductID": a.cp, "Rate": "1.00"}]}}]}}})),
                "S2010",
                &[format!("customer product {} is not a product of service {}", a.cp, g.service)],
            ),
            refused(
                gx(json!({"AddLine": {"CustomerID": a.order_customer, "Lines": [{"PackageID": 0, "CarrierID": 10, "Products": [{"ProductID": 100}]}]}})),
                "C2002",
                &[&no_customer],
            ),
            refused(gx(line_products(json!({"Products": [{"ProductID": a.product}]}))), "PR2023", &[&no_product]),
            refused(
                gx(line_products(json!({"Products": [{"ProductID": 100}], "AltBTNID": a.order_line}))),
                "L2024",
                &[format!("AltBTNID: service {} does not exist", a.order_line)],
            ),
        ],
    );
    t.insert(
        "Orders_Query",
        vec![
            refused(gx(json!({"OrderID": a.order})), "O2002", &[no_order(a.order)]),
            refused(gx(json!({"OrderID": a.suspend})), "O2002", &[no_order(a.suspend)]),
            answered(gx(json!({"OrderID": g.order})), {
                let (customer, line) = (g.customer, g.order_line);
                move |r| {
                    let lines: Vec<i64> = r["AddLine"]["Lines"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|l| l["LineID"].as_i64())
                        .collect();
                    if r["Order"]["CustomerID"] == customer && lines == vec![line] {
                        Ok(())
                    } else {
                        Err(format!("globex's own order, of customer {customer}, adding line {line}"))
                    }
                }
            }),
        ],
    );
    t.insert(
        "Orders_Search",
        vec![
            answered(gx(json!({})), order_ids(vec![g.order], None)),
            answered(gx(json!({"ShowServiceDetails": true})), order_ids(vec![g.order], Some(vec![g.order_line]))),
            answered(gx(json!({"PageSize": 10})), order_ids(vec![g.order], None)),
            answered(gx(json!({"CustomerID": [a.order_customer]})), order_ids(vec![], None)),
            answered(gx(json!({"OrderID": [a.order, a.suspend]})), order_ids(vec![], None)),
            answered(gx(json!({"PON": [format!("PB{:08}", a.order)]})), order_ids(vec![], None)),
            answered(gx(json!({"TN": [a.order_tn]})), order_ids(vec![], None)),
            answered(gx(json!({"Identifier": [a.order_sim.1]})), order_ids(vec![], None)),
            answered(gx(json!({"BillProfileID": [1]})), order_ids(vec![], None)),
            answered(gx(json!({"CarrierID": [10], "Status": ["NEW"]})), order_ids(vec![g.order], None)),
        ],
    );
    t.insert(
        "Orders_Update",
        vec![
            refused(gx(json!({"OrderID": a.suspend, "Status": "CANCELED"})), "O2002", &[no_order(a.suspend)]),
            refused(gx(json!({"OrderID": a.order, "TrackingNumber": "1Z-GLOBEX"})), "O2002", &[no_order(a.order)]),
            refused(
                gx(json!({"OrderID": g.order, "Lines": [{"LineID": a.order_line, "Products": {"Add": [{"ProductID": 100}]}}]})),
                "L2024",
                &[format!("service {} does not exist", a.order_line)],
            ),
            refused(
                gx(json!({"OrderID": g.order, "Lines": [{"LineID": g.order_line, "Products": {"Remove": [{"CustomerProductID": a.cp}]}}]})),
                "S2010",
                &[format!("customer product {} is not a product of service {}", a.cp, g.order_line)],
            ),
            refused(gx(json!({"OrderID": g.order, "ProcessID": 2})), "PC2001", &["Process 2 does not exist"]),
        ],
    );

    // Events: globex sees its own, and none of acme's whatever it names.
    let globex_order = g.order;
    let only_globex_orders = move |r: &Value| -> Result<(), String> {
        let events = r["Events"].as_array().cloned().unwrap_or_default();
        if events.is_empty() {
            return Err("globex's own events are missing".into());
        }
        match events.iter().find(|e| e["OrderID"].as_i64().is_some_and(|o| o != globex_order)) {
            Some(e) => Err(format!("an event of another order: {e}")),
            None => Ok(()),
        }
    };
    let no_events = |r: &Value| -> Result<(), String> {
        match r["Events"].as_array() {
            Some(e) if !e.is_empty() => Err(format!("events of acme's: {e:?}")),
            _ => Ok(()),
        }
    };
    // Searches and counts: globex's own, none of acme's.
    t.insert(
        "Customers_Search",
        vec![
            // Both clients have a "Line Holder"; only globex's may be listed.
            answered(gx(json!({"Name": "holder"})), {
                let globex_customer = g.customer;
                move |r: &Value| {
                    let ids: Vec<i64> = r["Customers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["CustomerID"].as_i64())
                        .collect();
                    if !ids.is_empty() && ids.iter().all(|i| *i == globex_customer) {
                        Ok(())
                    } else {
                        Err(format!("Line Holder customers should be globex's {globex_customer}, not {ids:?}"))
                    }
                }
            }),
            answered(gx(json!({"Name": "acme"})), |r: &Value| match r["Customers"].as_array() {
                Some(c) if !c.is_empty() => Err(format!("acme's customers: {c:?}")),
                _ => Ok(()),
            }),
        ],
    );
    let globex_types = [g.sim_type, g.tn_type];
    t.insert(
        "InventoryCounts_Query",
        vec![answered(gx(json!({})), move |r: &Value| {
            let types: Vec<i64> =
                r["Counts"].as_array().into_iter().flatten().filter_map(|c| c["InventoryTypeID"].as_i64()).collect();
            if !types.is_empty() && types.iter().all(|t| globex_types.contains(t)) {
                Ok(())
            } else {
                Err(format!("counts of types not globex's: {r}"))
            }
        })],
    );
    // The catalog: globex's one product, defined in globex's part of the file, and no packages
    // (acme's two are acme's).
    let globex_origin = fixture_origin("[[clients.products]]", "name = \"Globex Fiber 1G\"");
    t.insert(
        "Catalog_Query",
        vec![answered(gx(json!({})), move |r: &Value| {
            let products: Vec<(i64, String)> = r["Products"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (p["ProductID"].as_i64().unwrap_or(-1), p["Origin"].as_str().unwrap_or_default().to_string()))
                .collect();
            if products != [(100, globex_origin.clone())] {
                return Err(format!("globex's catalog is its product 100 from {globex_origin}, not {products:?}"));
            }
            match r["Packages"].as_array() {
                Some(p) if !p.is_empty() => Err(format!("packages of acme's: {p:?}")),
                _ => Ok(()),
            }
        })],
    );
    // Stats: globex's one order, none of acme's.
    t.insert(
        "OrderStats_Query",
        vec![answered(gx(json!({"Days": 90})), |r: &Value| {
            let total: i64 = r["Days"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|d| d["Statuses"].as_array().cloned().unwrap_or_default())
                .filter_map(|s| s["Count"].as_i64())
                .sum();
            if total == 1 {
                Ok(())
            } else {
                Err(format!("globex has one order, not {total}: {r}"))
            }
        })],
    );
    t.insert(
        "Events_Query",
        vec![
            answered(gx(json!({})), only_globex_orders),
            answered(gx(json!({"OrderID": a.order})), no_events),
            answered(gx(json!({"OrderID": a.suspend})), no_events),
            answered(gx(json!({"InventoryItemID": a.sim_assigned.0})), no_events),
        ],
    );
    t
}

/// An AddLine line without a package, on globex's provider 10, with `extra` set on it.
fn merged_line(extra: Value) -> Value {
    let mut line = json!({"PackageID": 0, "CarrierID": 10});
    line.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    line
}

#[tokio::test]
async fn every_operation_is_confined_to_the_callers_client() {
    let operations: Vec<&'static str> = patchbay_api::operations().iter().map(|o| o.name).collect();
    for b in BINDINGS {
        let app = TestApp::new().await;
        let a = acme_creates_one_of_everything(&app).await;
        let g = globex_has_its_own(&app).await;
        // The probes name ids globex does not have.
        assert!(a.customer != g.customer && a.service != g.service && a.cp != g.cp && a.sim_assigned.0 != g.item);
        for t in [a.sim_type, a.tn_type, a.empty_type] {
            assert!(t != g.sim_type && t != g.tn_type, "acme's type {t} must not be an id globex has");
        }
        // globex makes one more item below (Inventory_Create).
        assert!(a.named_items().iter().all(|i| *i > g.item + 1), "acme's {:?}, globex's {}", a.named_items(), g.item);
        assert_ne!(a.product, 100);
        assert!(a.order != g.order && a.suspend != g.order, "the orders probed are not ids globex has");
        assert!(a.order_line != g.order_line && a.order_line != g.service);

        let before = acme_state(&app, &a).await;
        let mut table = probes(&a, &g);
        // Every operation has its row, and every row is an operation: a new operation cannot
        // skip this test.
        let missing: Vec<&str> = operations.iter().copied().filter(|op| !table.contains_key(op)).collect();
        assert!(missing.is_empty(), "operations without an isolation row: {missing:?}");
        let unknown: Vec<&str> = table.keys().copied().filter(|op| !operations.contains(op)).collect();
        assert!(unknown.is_empty(), "isolation rows for no operation: {unknown:?}");

        // Nothing globex gets back may show acme's data.
        let acme_only: Vec<String> = [
            "Acme Only Plan",
            "Acme SIMs",
            "Acme DIDs",
            "Acme routers",
            "Acme spare",
            "acme secret note",
            "Unlimited Talk",
            "Wireless Starter",
            "A-500",
            &a.session_key,
            &a.live_key,
            &a.grant_key,
            "Acme Orders",
            &format!("PB{:08}", a.order),
            &format!("PB{:08}", a.suspend),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();

        for op in &operations {
            let mut rows = table.remove(op).unwrap_or_default();
            assert!(!rows.is_empty(), "{op}: no probe");
            // Whatever the operation and the request: globex's user holding acme's
            // impersonation key is not let in.
            let mut forged = rows[0].request.clone();
            forged["Credentials"]["ImpersonationKey"] = json!(a.grant_key);
            rows.push(refused(forged, "S2005", &["ImpersonationKey"]));
            for probe in rows {
                let r = app.call(b, op, probe.request.clone()).await;
                let mut shown = probe.request.clone();
                shown["Credentials"]["Password"] = json!("…");
                let shown = format!("{b:?} {op} {shown}");
                match &probe.expect {
                    Expect::Refused(code, names) => {
                        assert_eq!(r["Header"]["Success"], false, "{shown}: expected {code}, got {r:#}");
                        assert_eq!(r["Header"]["Error_Code"], *code, "{shown}: {r:#}");
                        let m = message(&r);
                        for n in names {
                            assert!(m.contains(n.as_str()), "{shown}: the Message should say {n:?}: {m}");
                        }
                    }
                    Expect::Answered(check) => {
                        assert_eq!(r["Header"]["Success"], true, "{shown}: expected an answer, got {r:#}");
                        if let Err(why) = check(&r) {
                            panic!("{shown}: {why}: {r:#}");
                        }
                    }
                }
                let text = r.to_string();
                for marker in &acme_only {
                    assert!(!text.contains(marker.as_str()), "{shown}: the answer shows acme's {marker:?}: {r:#}");
                }
            }
        }

        // acme's data is exactly as it was.
        let after = acme_state(&app, &a).await;
        assert_eq!(before.len(), after.len());
        for ((what, was), (_, is)) in before.iter().zip(&after) {
            assert_eq!(was, is, "{b:?}: acme's {what} changed");
        }
    }
}
