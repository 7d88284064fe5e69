//! Every mutating operation leaves one audit record, in the transaction of its change: who
//! (and on whose behalf, when impersonating), which operation, which entities, when. A refused
//! change leaves none.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One stored audit record, read behind the API (the audit log has no operation of its own).
#[derive(Debug, PartialEq)]
struct Audited {
    operation: String,
    user_id: i64,
    on_behalf_of: Option<i64>,
    entity: String,
    ids: Vec<i64>,
    at: i64,
}

/// acme's audit trail: its own database's audit log, then the records the registry keeps of
/// its sessions and grants (written with them, in the registry's transaction).
async fn audit_log(app: &TestApp) -> Vec<Audited> {
    let sql =
        "SELECT operation || '|' || CAST(user_id AS TEXT) || '|' || COALESCE(CAST(on_behalf_of_user_id AS TEXT), '') \
               || '|' || entity || '|' || CAST(entity_ids AS TEXT) || '|' || CAST(at AS TEXT) FROM audit_log";
    let mut rows = patchbay_store::testing::client_texts(&app.url, "acme", &format!("{sql} ORDER BY id")).await;
    let registry = format!("{sql} WHERE client = 'acme' ORDER BY id");
    rows.extend(patchbay_store::testing::registry_texts(&app.url, &registry).await);
    rows.into_iter()
        .map(|row| {
            let f: Vec<&str> = row.split('|').collect();
            Audited {
                operation: f[0].to_string(),
                user_id: f[1].parse().unwrap(),
                on_behalf_of: f[2].parse().ok(),
                entity: f[3].to_string(),
                ids: serde_json::from_str(f[4]).unwrap(),
                at: f[5].parse().unwrap(),
            }
        })
        .collect()
}

/// The records of `after` that `before` does not hold (the trail is read from two tables, so
/// the new record is not always last).
fn added(before: &[Audited], mut after: Vec<Audited>) -> Vec<Audited> {
    for b in before {
        if let Some(i) = after.iter().position(|a| a == b) {
            after.remove(i);
        }
    }
    after
}

/// Runs one operation that must succeed and returns its result and the one audit record it left.
async fn audited(app: &TestApp, credentials: Value, op: &str, request: Value) -> (Value, Audited) {
    let before = audit_log(app).await;
    let r = app.call(Binding::Json, op, with(credentials, request)).await;
    assert_ok(&r);
    let mut new = added(&before, audit_log(app).await);
    assert_eq!(new.len(), 1, "{op} leaves exactly one audit record: {new:?}");
    (r, new.pop().unwrap())
}

fn id(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("an id: {v}"))
}

#[tokio::test]
async fn every_mutating_operation_leaves_one_audit_record() {
    let app = TestApp::new().await;
    let now = patchbay_schema::DateTime::now().unix();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // (operation, entity, ids) expected of acme's api user (id 1) acting for themself.
    let mut check = |a: &Audited, op: &str, entity: &str, ids: Vec<i64>| {
        assert_eq!((a.operation.as_str(), a.entity.as_str(), &a.ids), (op, entity, &ids), "{a:?}");
        assert!(a.at >= now - 5 && a.at <= now + 300, "{op}: recorded now: {a:?}");
        seen.insert(op.to_string());
    };
    let me = |a: &Audited| assert_eq!((a.user_id, a.on_behalf_of), (1, None), "{a:?}");

    let (created, a) = audited(&app, acme(), "Sessions_Create", json!({})).await;
    me(&a);
    check(&a, "Sessions_Create", "session", vec![1]);
    let session_key = created["SessionKey"].clone();

    let (grant, a) = audited(&app, acme(), "Impersonation_Authorize", json!({"ToUserID": 2})).await;
    me(&a);
    check(&a, "Impersonation_Authorize", "user", vec![2]);

    let (p, a) = audited(
        &app,
        acme(),
        "Products_Create",
        json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "audited"}),
    )
    .await;
    let product = id(&p["ProductID"]);
    me(&a);
    check(&a, "Products_Create", "product", vec![product]);
    let (_, a) = audited(
        &app,
        acme(),
        "Products_Update",
        json!({"ID": product, "CarrierID": 10, "ProductTypeID": 1, "Rate": "2.00"}),
    )
    .await;
    check(&a, "Products_Update", "product", vec![product]);

    let (c, a) =
        audited(&app, acme(), "Customers_Create", json!({"CustomerClass": "Business", "CompanyName": "Audited"})).await;
    let customer = id(&c["CustomerID"]);
    check(&a, "Customers_Create", "customer", vec![customer]);

    let sim_type = json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "SIMs", "RequiresProduct": true,
                          "Format": "ICCID_DECIMAL", "ProductIDs": [100]});
    let (t, a) = audited(&app, acme(), "InventoryTypes_Create", json!({"InventoryType": sim_type})).await;
    let sims = id(&t["ID"]);
    check(&a, "InventoryTypes_Create", "inventory_type", vec![sims]);
    let (_, a) =
        audited(&app, acme(), "InventoryTypes_Update", json!({"InventoryType": {"ID": sims, "Description": "Nano"}}))
            .await;
    check(&a, "InventoryTypes_Update", "inventory_type", vec![sims]);

    let (i, a) = audited(
        &app,
        acme(),
        "Inventory_Create",
        json!({"Inventory": {"InventoryTypeID": sims, "Identifier": iccid(1)}}),
    )
    .await;
    let first = id(&i["InventoryItemID"]);
    check(&a, "Inventory_Create", "inventory_item", vec![first]);
    let items =
        json!([{"InventoryTypeID": sims, "Identifier": iccid(2)}, {"InventoryTypeID": sims, "Identifier": iccid(3)}]);
    let (b, a) = audited(&app, acme(), "Inventory_Bulk_Create", json!({"InventoryItems": items})).await;
    let bulk: Vec<i64> = b["InventoryItemIDs"].as_array().unwrap().iter().map(id).collect();
    check(&a, "Inventory_Bulk_Create", "inventory_item", bulk.clone());
    let (_, a) =
        audited(&app, acme(), "Inventory_Update", json!({"Inventory": {"ID": first, "Note": "checked"}})).await;
    check(&a, "Inventory_Update", "inventory_item", vec![first]);
    let notes: Vec<Value> = bulk.iter().map(|i| json!({"ID": i, "Note": "bulk"})).collect();
    let (_, a) = audited(&app, acme(), "Inventory_Bulk_Update", json!({"InventoryItems": notes})).await;
    check(&a, "Inventory_Bulk_Update", "inventory_item", bulk);

    // Through the impersonation key: the viewer (user 2) acts as the api user (user 1), and the
    // record names both.
    let mut as_api = acme_viewer();
    as_api["ImpersonationKey"] = grant["ImpersonationKey"].clone();
    let (r, a) =
        audited(&app, as_api, "Inventory_Assign", json!({"InventoryItemID": first, "CustomerID": customer})).await;
    assert_eq!(r["Header"]["Impersonated"], true);
    assert_eq!((a.user_id, a.on_behalf_of), (2, Some(1)), "{a:?}");
    check(&a, "Inventory_Assign", "inventory_item", vec![first]);
    let (_, a) =
        audited(&app, acme(), "Inventory_Unassign", json!({"InventoryItemID": first, "Note": "returned"})).await;
    me(&a);
    check(&a, "Inventory_Unassign", "inventory_item", vec![first]);

    // Service inventory: a number on a line (the line itself comes from the store; orders,
    // which create lines, are not part of this API yet).
    let (_, line, customer_product) = customer_with_service(&app, "acme", 101).await;
    let dids = json!({"Type": "Telephone_Number", "Identifier": "DID", "Name": "DIDs", "ProductIDs": [101]});
    let (t, _) = audited(&app, acme(), "InventoryTypes_Create", json!({"InventoryType": dids})).await;
    let (d, _) = audited(
        &app,
        acme(),
        "Inventory_Create",
        json!({"Inventory": {"InventoryTypeID": t["ID"], "Identifier": "5125550199"}}),
    )
    .await;
    let did = id(&d["InventoryItemID"]);
    let on_line = json!({"Identifiers": ["5125550199"], "LineID": line, "CustomerProductID": customer_product});
    let (_, a) = audited(&app, acme(), "InventoryTypes_Assign", on_line).await;
    check(&a, "InventoryTypes_Assign", "inventory_item", vec![did]);
    let (_, a) =
        audited(&app, acme(), "InventoryTypes_Unassign", json!({"Identifiers": ["5125550199"], "LineID": line})).await;
    check(&a, "InventoryTypes_Unassign", "inventory_item", vec![did]);

    let (t, _) = audited(
        &app,
        acme(),
        "InventoryTypes_Create",
        json!({"InventoryType": {"Type": "General", "Identifier": "Serial", "Name": "Spare"}}),
    )
    .await;
    let spare = id(&t["ID"]);
    let (_, a) = audited(&app, acme(), "InventoryTypes_Delete", json!({"ID": spare})).await;
    check(&a, "InventoryTypes_Delete", "inventory_type", vec![spare]);

    // Orders: one record per request, naming every order it made or changed.
    let (n, a) = audited(
        &app,
        acme(),
        "NewOrders_Create",
        json!({"CustomerID": customer, "PackageID": 1000, "AdditionalProducts": [{"ProductID": 103}]}),
    )
    .await;
    let orders: Vec<i64> = n["Orders"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(orders.len(), 2, "provider 10's and provider 12's: {n}");
    me(&a);
    check(&a, "NewOrders_Create", "order", orders.clone());
    let new_line = id(&n["Lines"][0]);
    for o in &orders {
        let (_, a) = audited(&app, acme(), "Orders_Update", json!({"OrderID": o, "Status": "COMPLETE"})).await;
        check(&a, "Orders_Update", "order", vec![*o]);
    }
    // Repeating the COMPLETE changes nothing, so it records nothing; reads record nothing.
    let before = audit_log(&app).await.len();
    for (op, request) in [
        ("Orders_Update", json!({"OrderID": orders[0], "Status": "COMPLETE"})),
        ("Orders_Query", json!({"OrderID": orders[0]})),
        ("Orders_Search", json!({"CustomerID": [customer]})),
        ("Orders_Search", json!({"CustomerID": [customer], "PageSize": 1})),
    ] {
        assert_ok(&app.call(Binding::Json, op, with(acme(), request)).await);
    }
    // A refused update (COMPLETE is final) records nothing either.
    let r = app
        .call(Binding::Json, "Orders_Update", with(acme(), json!({"OrderID": orders[0], "Status": "CANCELED"})))
        .await;
    assert_error(&r, "S2010");
    assert_eq!(audit_log(&app).await.len(), before, "{:?}", &audit_log(&app).await[before..]);
    let (s, a) = audited(&app, acme(), "Orders_Create", json!({"Suspend": {"LineID": new_line}})).await;
    let suspend: Vec<i64> = s["OrderIDs"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(suspend.len(), 1, "{s}");
    check(&a, "Orders_Create", "order", suspend.clone());
    let (_, a) =
        audited(&app, acme(), "Orders_Update", json!({"OrderID": suspend[0], "TrackingNumber": "1Z999AA1"})).await;
    check(&a, "Orders_Update", "order", suspend);

    let (_, a) = audited(&app, acme(), "Sessions_Destroy", json!({"SessionKey": session_key})).await;
    me(&a);
    check(&a, "Sessions_Destroy", "session", vec![1]);

    // Every operation that can change anything is covered above.
    let mutating: BTreeSet<String> = patchbay_api::operations()
        .iter()
        .map(|op| op.name.to_string())
        .filter(|n| !n.ends_with("_Query") && !n.ends_with("_Search") && n != "Sessions_Validate")
        .collect();
    assert_eq!(seen, mutating, "every mutating operation has its audit check");
}

#[tokio::test]
async fn a_refused_change_leaves_no_audit_record() {
    let app = TestApp::new().await;
    let before = audit_log(&app).await.len();
    for (op, request) in [
        ("Products_Update", json!({"ID": 999, "CarrierID": 10, "ProductTypeID": 1})),
        ("Customers_Create", json!({"CustomerClass": "Business"})),
        ("Inventory_Assign", json!({"InventoryItemID": 999, "CustomerID": 1})),
        ("InventoryTypes_Delete", json!({"ID": 999})),
        ("NewOrders_Create", json!({"CustomerID": 999, "PackageID": 1000})),
        ("Orders_Create", json!({})),
        ("Orders_Create", json!({"Disconnect": {"CustomerID": 999}})),
        ("Orders_Update", json!({"OrderID": 999, "Status": "COMPLETE"})),
    ] {
        let r = app.call(Binding::Json, op, with(acme(), request)).await;
        assert_eq!(r["Header"]["Success"], false, "{op}: {r}");
    }
    // The readonly viewer may not change anything, and trying leaves no trace as a change.
    let r = app
        .call(Binding::Json, "Products_Create", with(acme_viewer(), json!({"CarrierID": 10, "ProductTypeID": 1})))
        .await;
    assert_error(&r, "S2017");
    assert_eq!(audit_log(&app).await.len(), before);
}

#[tokio::test]
async fn work_outside_a_request_is_audited_as_the_system() {
    let app = TestApp::new().await;
    let ctx = app.engine.system_ctx("acme", "patchbay test").await.unwrap();
    assert!(ctx.principal.is_system());
    let before = audit_log(&app).await;
    let mut tx = ctx.db().begin().await.unwrap();
    ctx.audit(&mut *tx, "settings", &[]).await.unwrap();
    tx.commit().await.unwrap();
    let a = added(&before, audit_log(&app).await).pop().unwrap();
    assert_eq!(
        (a.operation.as_str(), a.user_id, a.on_behalf_of, a.entity.as_str()),
        ("patchbay test", i64::from(patchbay_core::audit::SYSTEM_USER_ID), None, "settings")
    );

    // Acting as a named user (the command line's --user) records that user.
    let as_api = app.engine.system_ctx("acme", "patchbay test").await.unwrap().acting_as("api").unwrap();
    assert_eq!((as_api.author().user_id, as_api.author().operation.as_str()), (1, "patchbay test"));
    assert_eq!(as_api.acting_as("viewer").err().unwrap().code.code(), "S2017", "only the system acts as others");
    let unknown = app.engine.system_ctx("acme", "patchbay test").await.unwrap().acting_as("ghost");
    assert_eq!(unknown.err().unwrap().code.code(), "U2001");
    assert_eq!(app.engine.system_ctx("nobody", "patchbay test").await.err().unwrap().code.code(), "CN2001");
}

/// Sessions and grants live in the registry, and their audit records with them: a change whose
/// audit record cannot be written is not made (on SQLite and PostgreSQL alike).
#[tokio::test]
async fn a_session_change_whose_audit_record_fails_is_not_made() {
    use patchbay_store::testing::{execute_in_registry, registry_texts};
    let app = TestApp::new().await;
    let created = app.call(Binding::Json, "Sessions_Create", with(acme(), json!({}))).await;
    assert_ok(&created);
    // Authenticated by Session, so that a refusal opens no session of its own for its Header.
    let session = json!({"Session": {"SessionKey": created["SessionKey"]}});
    let count = |table: &'static str| {
        let url = app.url.clone();
        async move { registry_texts(&url, &format!("SELECT CAST(count(*) AS TEXT) FROM {table}")).await }
    };
    let before = (count("sessions").await, count("impersonation_grants").await);
    assert_eq!(before.0, ["1"]);

    // The registry's audit log can no longer be written.
    execute_in_registry(&app.url, "DROP TABLE audit_log").await;
    let with_session = |request: Value| {
        let mut r = session.clone();
        r.as_object_mut().unwrap().extend(request.as_object().unwrap().clone());
        r
    };
    for (op, request) in [
        ("Sessions_Create", json!({})),
        ("Impersonation_Authorize", json!({"ToUserID": 2})),
        ("Sessions_Destroy", json!({})),
    ] {
        let r = app.call(Binding::Json, op, with_session(request)).await;
        assert_eq!(r["Header"]["Success"], false, "{op}: {r}");
        assert!(r["Header"]["Error_Code"].is_null(), "{op}: a fatal error: {r}");
    }
    assert_eq!((count("sessions").await, count("impersonation_grants").await), before, "nothing was changed");
    // The session the failed Sessions_Destroy would have ended still works.
    app.engine.forget_cached_sessions();
    assert_ok(&app.call(Binding::Json, "Sessions_Validate", session.clone()).await);
}
