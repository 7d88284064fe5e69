//! The operator console at /console, through the server's router: signing in and out, every
//! page, every action (each the API operation it stands for), forged forms, a viewer who may
//! not act, and another client's ids.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

/// A browser: the cookies it was given.
#[derive(Default, Clone)]
struct Browser {
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn take(&mut self, headers: &axum::http::HeaderMap) -> Vec<String> {
        let mut raw = Vec::new();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap().to_string();
            let (kv, _) = v.split_once(';').unwrap_or((&v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !val.is_empty() {
                self.cookies.push((k.to_string(), val.to_string()));
            }
            raw.push(v);
        }
        raw
    }

    fn get(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    async fn open(&mut self, app: &TestApp, path: &str) -> (StatusCode, String, Option<String>) {
        let req = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        let (status, headers, body) = app.send(req).await;
        self.take(&headers);
        let location = headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        (status, String::from_utf8(body).unwrap(), location)
    }

    async fn post(&mut self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
        let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        let (status, headers, body) = app.send(req).await;
        self.take(&headers);
        let location = headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_string());
        (status, String::from_utf8(body).unwrap(), location)
    }

    /// As htmx asks for a part of a page: the answer's status, headers and body.
    async fn htmx_get(&mut self, app: &TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .header("HX-Request", "true")
            .header("HX-Target", "main")
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = app.send(req).await;
        self.take(&headers);
        (status, headers, String::from_utf8(body).unwrap())
    }

    /// Follows a redirect answer.
    async fn follow(&mut self, app: &TestApp, answer: (StatusCode, String, Option<String>)) -> (StatusCode, String) {
        assert_eq!(answer.0, StatusCode::SEE_OTHER, "expected a redirect: {}", answer.1);
        let (s, b, _) = self.open(app, &answer.2.unwrap()).await;
        (s, b)
    }

    fn csrf(&self) -> String {
        self.get("pb_csrf").expect("a CSRF cookie")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn signed_in(app: &TestApp, client: &str, user: &str, password: &str) -> Browser {
    let mut b = Browser::default();
    let (s, _, _) = b.open(app, "/console/login").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = b.csrf();
    let answer = b
        .post(app, "/console/login", &[("client", client), ("username", user), ("password", password), ("csrf", &csrf)])
        .await;
    assert_eq!(answer.0, StatusCode::SEE_OTHER, "{}", answer.1);
    assert!(b.get("pb_session").is_some());
    b
}

async fn ok(app: &TestApp, op: &str, req: Value) -> Value {
    let r = app.call(Binding::Json, op, with(acme(), req)).await;
    assert_ok(&r);
    r
}

async fn status(app: &TestApp, order: i64) -> String {
    let r = ok(app, "Orders_Search", json!({"OrderID": [order]})).await;
    r["Orders"][0]["Status"].as_str().unwrap().to_string()
}

/// A customer with an order of each kind the queue shows: one in ERROR, one waiting for a route.
async fn fixture(app: &TestApp) -> (i64, i64, i64) {
    let c = ok(
        app,
        "Customers_Create",
        json!({"CustomerClass": "Business", "CompanyName": "Console Co", "BillProfileID": 1}),
    )
    .await["CustomerID"]
        .as_i64()
        .unwrap();
    let failed =
        ok(app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1001})).await["Orders"][0].as_i64().unwrap();
    ok(
        app,
        "Orders_Update",
        json!({"OrderID": failed, "Status": "ERROR", "StatusNote": "no port capacity <b>today</b>"}),
    )
    .await;
    let routed = ok(app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000, "ProcessID": 2})).await
        ["Orders"][0]
        .as_i64()
        .unwrap();
    (c, failed, routed)
}

#[tokio::test]
async fn signing_in_gives_strict_http_only_cookies_and_out_ends_the_session() {
    let app = TestApp::new().await;
    let mut b = Browser::default();
    // Not signed in: every page leads to the sign-in form.
    for path in ["/console", "/console/queue", "/console/orders", "/console/customers/1"] {
        let (s, _, location) = b.open(&app, path).await;
        assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/console/login")), "{path}");
    }
    let (_, form, _) = b.open(&app, "/console/login").await;
    assert!(form.contains(r#"<label for="password">Password</label>"#), "{form}");
    let csrf = b.csrf();

    let wrong = b
        .post(&app, "/console/login", &[("client", "acme"), ("username", "api"), ("password", "nope"), ("csrf", &csrf)])
        .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert!(wrong.1.contains("S2005"), "{}", wrong.1);
    let forged = b
        .post(
            &app,
            "/console/login",
            &[("client", "acme"), ("username", "api"), ("password", "correct horse battery"), ("csrf", "guess")],
        )
        .await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);

    let req = Request::post("/console/login")
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("client=acme&username=api&password=correct%20horse%20battery&csrf={csrf}")))
        .unwrap();
    let (s, headers, _) = app.send(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let set = b.take(&headers);
    let session = set.iter().find(|c| c.starts_with("pb_session=")).expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/console"),
        "{session}"
    );
    assert_ne!(b.csrf(), csrf, "a new token once signed in");
    let key = b.get("pb_session").unwrap();
    let v = app.call(Binding::Json, "Sessions_Validate", json!({"Session": {"SessionKey": key}})).await;
    assert_ok(&v);

    let (s, page, _) = b.open(&app, "/console/queue").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("api@acme"), "{page}");

    let csrf = b.csrf();
    let out = b.post(&app, "/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.0, StatusCode::SEE_OTHER);
    let v = app.call(Binding::Json, "Sessions_Validate", json!({"Session": {"SessionKey": key}})).await;
    assert_error(&v, "S2004");
    // The old cookie is worth nothing now.
    let mut old = Browser { cookies: vec![("pb_session".into(), key), ("pb_csrf".into(), csrf)] };
    let (s, _, location) = old.open(&app, "/console/queue").await;
    assert_eq!((s, location.as_deref()), (StatusCode::SEE_OTHER, Some("/console/login")));
}

#[tokio::test]
async fn the_queue_shows_failed_and_routing_orders_and_its_buttons_do_what_the_api_does() {
    let app = TestApp::new().await;
    let (c, failed, routed) = fixture(&app).await;
    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    let (s, page, _) = b.open(&app, "/console/queue").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!(r#"href="/console/orders/{failed}""#)), "{page}");
    assert!(page.contains("no port capacity &lt;b&gt;today&lt;/b&gt;"), "the provider's reason, escaped: {page}");
    assert!(page.contains(&format!(r#"href="/console/orders/{routed}""#)) && page.contains("Approve port"), "{page}");

    // Resend: FlowThroughFlag true, so the order is queued again.
    let csrf = b.csrf();
    let id = failed.to_string();
    let answer = b
        .post(
            &app,
            &format!("/console/orders/{id}/action"),
            &[("csrf", &csrf), ("action", "resend"), ("back", "queue")],
        )
        .await;
    let (_, page) = b.follow(&app, answer).await;
    assert!(page.contains(&format!("Order {failed} is queued to be sent again.")), "{page}");
    let (_, _, ready) = app.get("/readyz").await;
    assert!(ready.contains(r#""orders_queued":1"#), "{ready}");

    // Choose a route: the order is no longer waiting for one.
    let answer = b
        .post(
            &app,
            &format!("/console/orders/{routed}/action"),
            &[("csrf", &csrf), ("action", "route"), ("route", "21"), ("back", "queue")],
        )
        .await;
    b.follow(&app, answer).await;
    let waiting = ok(&app, "Orders_Search", json!({"RequiresRouteDecision": true})).await;
    assert_eq!(waiting["Orders"], json!([]));

    // Complete by hand, then the order page tells the history.
    let answer =
        b.post(&app, &format!("/console/orders/{routed}/action"), &[("csrf", &csrf), ("action", "complete")]).await;
    let (s, page) = b.follow(&app, answer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(status(&app, routed).await, "COMPLETE");
    assert!(page.contains("Completed in the console") && page.contains("order.completed"), "{page}");

    // Cancel the failed one.
    let answer =
        b.post(&app, &format!("/console/orders/{failed}/action"), &[("csrf", &csrf), ("action", "cancel")]).await;
    b.follow(&app, answer).await;
    assert_eq!(status(&app, failed).await, "CANCELED");
    // A completed order cannot be canceled: the refusal is shown, nothing changes.
    let answer =
        b.post(&app, &format!("/console/orders/{routed}/action"), &[("csrf", &csrf), ("action", "cancel")]).await;
    let (_, page) = b.follow(&app, answer).await;
    assert!(page.contains("S2010") && page.contains("final"), "{page}");
    assert_eq!(status(&app, routed).await, "COMPLETE");

    // The order search pages, with filters.
    let (s, page, _) = b.open(&app, &format!("/console/orders?customer={c}&status=COMPLETE")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!(r#"href="/console/orders/{routed}""#))
            && !page.contains(&format!(r#"href="/console/orders/{failed}""#)),
        "{page}"
    );
    let (_, page, _) = b.open(&app, "/console/orders?customer=abc").await;
    assert!(page.contains("Customer must be a number"), "{page}");
}

#[tokio::test]
async fn a_customer_page_shows_lines_and_starts_a_suspend() {
    let app = TestApp::new().await;
    let c = ok(
        &app,
        "Customers_Create",
        json!({"CustomerClass": "Business", "CompanyName": "Line Co", "BillProfileID": 1}),
    )
    .await["CustomerID"]
        .as_i64()
        .unwrap();
    let r = ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1000})).await;
    let (order, line) = (r["Orders"][0].as_i64().unwrap(), r["Lines"][0].as_i64().unwrap());
    ok(&app, "Orders_Update", json!({"OrderID": order, "Status": "COMPLETE"})).await;

    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    // By name: a list to choose from (Customers_Search); too short a name is refused.
    let (_, page, _) = b.open(&app, "/console/customers?q=line+co").await;
    assert!(page.contains(&format!(r#"href="/console/customers/{c}""#)) && page.contains("Line Co"), "{page}");
    let (_, page, _) = b.open(&app, "/console/customers?q=x").await;
    assert!(page.contains("S2010") && page.contains("Name"), "{page}");
    let (_, page, _) = b.open(&app, "/console/customers?q=nobody").await;
    assert!(page.contains("No customer"), "{page}");
    let (_, _, location) = b.open(&app, &format!("/console/customers?q={c}")).await;
    assert_eq!(location, Some(format!("/console/customers/{c}")));
    let (s, page, _) = b.open(&app, &format!("/console/customers/{c}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Line Co") && page.contains(&format!("Line {line}")) && page.contains("ACTIVE"), "{page}");

    let csrf = b.csrf();
    let line_id = line.to_string();
    let answer = b
        .post(
            &app,
            &format!("/console/customers/{c}/order"),
            &[("csrf", &csrf), ("kind", "suspend"), ("line", &line_id)],
        )
        .await;
    let (_, page) = b.follow(&app, answer).await;
    assert!(page.contains("Suspend order") && page.contains("created"), "{page}");
    let found = ok(&app, "Orders_Search", json!({"CustomerID": [c], "OrderType": ["DENY"]})).await;
    assert_eq!(found["Orders"].as_array().map(Vec::len), Some(1), "{found}");
    // The open order is on the customer's page.
    let (_, page, _) = b.open(&app, &format!("/console/customers/{c}")).await;
    assert!(page.contains("DENY"), "{page}");
}

#[tokio::test]
async fn forged_forms_a_viewer_and_another_clients_ids_change_nothing() {
    let app = TestApp::new().await;
    let (c, failed, _) = fixture(&app).await;
    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    // No token, or another one: refused before anything is done.
    for form in [vec![("action", "complete")], vec![("action", "complete"), ("csrf", "forged")]] {
        let (s, _, _) = b.post(&app, &format!("/console/orders/{failed}/action"), &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    assert_eq!(status(&app, failed).await, "ERROR");

    // A viewer sees the queue but may not act: the role check of Orders_Update refuses.
    let mut viewer = signed_in(&app, "acme", "viewer", "viewer pass 123").await;
    let (s, page, _) = viewer.open(&app, "/console/queue").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!(r#"href="/console/orders/{failed}""#)), "{page}");
    let csrf = viewer.csrf();
    let answer = viewer
        .post(&app, &format!("/console/orders/{failed}/action"), &[("csrf", &csrf), ("action", "complete")])
        .await;
    let (_, page) = viewer.follow(&app, answer).await;
    assert!(page.contains("S2017"), "{page}");
    assert_eq!(status(&app, failed).await, "ERROR");

    // globex sees none of acme's data, whatever it names.
    let mut g = signed_in(&app, "globex", "api", "another strong pass").await;
    let (s, _, _) = g.open(&app, &format!("/console/orders/{failed}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = g.open(&app, &format!("/console/customers/{c}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, page, _) = g.open(&app, "/console/queue").await;
    assert!(!page.contains(&format!(r#"href="/console/orders/{failed}""#)), "{page}");
    let csrf = g.csrf();
    let answer = g
        .post(
            &app,
            &format!("/console/orders/{failed}/action"),
            &[("csrf", &csrf), ("action", "cancel"), ("back", "queue")],
        )
        .await;
    let (_, page) = g.follow(&app, answer).await;
    assert!(page.contains("O2002"), "{page}");
    assert_eq!(status(&app, failed).await, "ERROR");
}

#[tokio::test]
async fn inventory_and_catalog_pages_read_through_the_api() {
    let app = TestApp::new().await;
    let t = ok(&app, "InventoryTypes_Create", json!({"InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Console SIMs",
                                                    "RequiresProduct": true, "Format": "ICCID_DECIMAL", "ProductIDs": [100]}}))
        .await["ID"]
        .as_i64()
        .unwrap();
    let sim = iccid(42);
    ok(&app, "Inventory_Create", json!({"Inventory": {"InventoryTypeID": t, "Identifier": sim}})).await;
    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    let (s, page, _) = b.open(&app, &format!("/console/inventory?identifier={sim}&kind=SIM_Card")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Console SIMs") && page.contains(&sim) && page.contains("AVAILABLE"), "{page}");
    let (_, page, _) = b.open(&app, "/console/inventory?identifier=89014100000000000000&kind=SIM_Card").await;
    assert!(page.contains("I2019"), "{page}");
    // Counts by type and status.
    let counts = ok(&app, "InventoryCounts_Query", json!({})).await;
    assert_eq!(counts["Counts"], json!([{"InventoryTypeID": t, "Status": "AVAILABLE", "Count": 1}]));
    let (_, page, _) = b.open(&app, "/console/inventory").await;
    assert!(page.contains("Items by type and status") && page.contains("<td>1</td>"), "{page}");
    let (s, page, _) = b.open(&app, "/console/catalog").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Unlimited Talk &amp; Text") && page.contains("Read-only"), "{page}");
}

/// "settings file fixture, line N": how the catalog page names a fixture item's origin.
fn named_origin(header: &str, needle: &str) -> String {
    let origin = fixture_origin(header, needle);
    let (file, line) = origin.rsplit_once(':').unwrap();
    format!("settings file {file}, line {line}")
}

#[tokio::test]
async fn catalog_page_lists_products_and_packages_and_names_each_origin() {
    let app = TestApp::new().await;
    ok(&app, "Products_Create", json!({"CarrierID": 10, "ProductTypeID": 1, "Name": "Console-made plan"})).await;
    // A viewer may read the catalog: Catalog_Query is a *_Query.
    let mut b = signed_in(&app, "acme", "viewer", "viewer pass 123").await;
    let (s, page, _) = b.open(&app, "/console/catalog").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Read-only"), "{page}");
    assert!(page.contains("<h2 id=\"catalog-products\">Products</h2>"), "{page}");
    assert!(page.contains("<h2 id=\"catalog-packages\">Packages</h2>"), "{page}");
    assert!(page.contains("aria-labelledby=\"catalog-packages\""), "{page}");
    // The packages, each with its products and the file and line that define it.
    let starter = named_origin("[[clients.packages]]", "name = \"Wireless Starter\"");
    let row = page.split("<tr>").find(|r| r.contains("Wireless Starter")).unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains("<li>100 Unlimited Talk &amp; Text</li>") && row.contains("<li>101 Voicemail</li>"), "{row}");
    assert!(row.contains(&starter), "{row} should name {starter}");
    assert!(row.contains("<td>Wireless Voice (3)</td>"), "{row} should name its service type");
    let seat = named_origin("[[clients.packages]]", "name = \"Hosted Voice Seat\"");
    let row = page.split("<tr>").find(|r| r.contains("Hosted Voice Seat")).unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains("<li>104 Hosted Seat</li>") && row.contains(&seat), "{row} should name {seat}");
    // The products: from the file, or made through the API.
    let plan = named_origin("[[clients.products]]", "name = \"Unlimited Talk & Text\"");
    let row = page.split("<tr>").find(|r| r.contains("<td>UTT5</td>")).unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains(&plan), "{row} should name {plan}");
    let row = page.split("<tr>").find(|r| r.contains("Console-made plan")).unwrap_or_else(|| panic!("{page}"));
    assert!(row.contains("created through the API (Products_Create)"), "{row}");
}

async fn upload(b: &mut Browser, app: &TestApp, type_id: i64, csv: &str, csrf: &str) -> (StatusCode, String) {
    let boundary = "XPATCHBAYX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n{type_id}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"items.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
         --{boundary}--\r\n"
    );
    let req = Request::post("/console/inventory/import")
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn a_csv_import_creates_every_item_or_shows_every_refused_row() {
    let app = TestApp::new().await;
    let t = ok(&app, "InventoryTypes_Create", json!({"InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Import SIMs",
                                                    "RequiresProduct": true, "Format": "ICCID_DECIMAL", "ProductIDs": [100]}}))
        .await["ID"]
        .as_i64()
        .unwrap();
    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    let (s, page, _) = b.open(&app, "/console/inventory/import").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Import SIMs") && page.contains(r#"<label for="file">CSV file</label>"#), "{page}");
    let csrf = b.csrf();

    // Unreadable rows are all named, and nothing is created.
    let (_, page) = upload(
        &mut b,
        &app,
        t,
        &format!("Identifier,Status\n{},LOST\n{},\n{},GONE\n", iccid(1), iccid(2), iccid(3)),
        &csrf,
    )
    .await;
    assert!(
        page.contains("2 row(s) could not be read") && page.contains("line 2") && page.contains("line 4"),
        "{page}"
    );
    // A row the rules refuse (not an ICCID): nothing is created either.
    let (_, page) = upload(&mut b, &app, t, &format!("Identifier\n{}\n12345\n", iccid(4)), &csrf).await;
    assert!(page.contains("S2010: 1 row(s) refused; nothing was imported."), "{page}");
    assert!(page.contains("<li>line 3 (12345): Identifier: "), "named by its line of the file: {page}");
    // Every refused row is shown, not only the first few the API's Message names.
    let mut many = format!("Identifier\n{}\n", iccid(9));
    for i in 0..45 {
        many.push_str(&format!("bad{i}\n"));
    }
    let (_, page) = upload(&mut b, &app, t, &many, &csrf).await;
    assert!(page.contains("S2010: 45 row(s) refused"), "{page}");
    assert_eq!(page.matches("<li>line ").count(), 45, "{page}");
    assert!(page.contains("<li>line 3 (bad0): ") && page.contains("<li>line 47 (bad44): "), "{page}");
    assert!(!page.contains("; and ") && !page.contains("more row"), "no row is left out: {page}");
    let q = app
        .call(
            Binding::Json,
            "Inventory_Query",
            with(acme(), json!({"Inventory": {"Identifier": iccid(4), "Type": "SIM_Card"}})),
        )
        .await;
    assert_error(&q, "I2019");

    let (_, page) =
        upload(&mut b, &app, t, &format!("Identifier,Note\n{},first\n{},second\n", iccid(5), iccid(6)), &csrf).await;
    assert!(page.contains("2 item(s) imported"), "{page}");
    let q = ok(&app, "Inventory_Query", json!({"Inventory": {"Identifier": iccid(6), "Type": "SIM_Card"}})).await;
    assert_eq!(q["Inventory"]["Note"], "second");

    // Without the form's token: refused, nothing created.
    let (s, _) = upload(&mut b, &app, t, &format!("Identifier\n{}\n", iccid(7)), "forged").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A viewer's import is refused by Inventory_Bulk_Create's role check.
    let mut viewer = signed_in(&app, "acme", "viewer", "viewer pass 123").await;
    let token = viewer.csrf();
    let (_, page) = upload(&mut viewer, &app, t, &format!("Identifier\n{}\n", iccid(8)), &token).await;
    assert!(page.contains("S2017"), "{page}");
}

#[tokio::test]
async fn the_dashboard_draws_orders_by_day_and_flow_through_latency() {
    let app = TestApp::new().await;
    let c = ok(
        &app,
        "Customers_Create",
        json!({"CustomerClass": "Business", "CompanyName": "Stats Co", "BillProfileID": 1}),
    )
    .await["CustomerID"]
        .as_i64()
        .unwrap();
    let a =
        ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1001})).await["Orders"][0].as_i64().unwrap();
    ok(&app, "NewOrders_Create", json!({"CustomerID": c, "PackageID": 1001})).await;
    ok(&app, "Orders_Update", json!({"OrderID": a, "Status": "SENT"})).await;

    // The operation: today holds both orders, one SENT and one NEW; one latency sample.
    let stats = ok(&app, "OrderStats_Query", json!({"Days": 3})).await;
    let days = stats["Days"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    let today: Vec<(String, i64)> = days[2]["Statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["Status"].as_str().unwrap().to_string(), s["Count"].as_i64().unwrap()))
        .collect();
    assert_eq!(today, vec![("NEW".to_string(), 1), ("SENT".to_string(), 1)], "{stats}");
    assert_eq!(days[0]["Statuses"], json!([]));
    assert_eq!(stats["FlowThroughSamples"], 1, "{stats}");
    assert!(stats["FlowThroughP50Ms"].as_i64().is_some(), "{stats}");
    assert_eq!(stats["OrdersQueued"], 1, "the NEW one waits to be sent: {stats}");
    let r = app.call(Binding::Json, "OrderStats_Query", with(acme(), json!({"Days": 0}))).await;
    assert_error(&r, "S2010");
    assert!(message(&r).starts_with("Days: "), "{r}");

    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;
    let (s, page, _) = b.open(&app, "/console/dashboard?days=3").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("NEW: 1") && page.contains("SENT: 1"), "{page}");
    assert!(page.contains("Orders in the flow-through queue now"), "{page}");
    assert!(page.contains("most recent orders sent: orders per latency bucket"), "{page}");

    // The latency histogram holds the one sample, and /metrics shows the same figures.
    let buckets = stats["FlowThroughBuckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 13, "{stats}");
    assert!(buckets.last().unwrap().get("LeMs").is_none(), "the last bucket is unbounded: {stats}");
    assert_eq!(buckets.iter().map(|b| b["Count"].as_i64().unwrap()).sum::<i64>(), 1, "{stats}");
    let (s, _, body) = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let metrics = String::from_utf8(body).unwrap();
    let line = |name: &str| metrics.lines().find(|l| l.starts_with(name)).map(str::to_string);
    assert_eq!(
        line(r#"patchbay_client_orders_today{client="acme",status="NEW"}"#).as_deref(),
        Some(r#"patchbay_client_orders_today{client="acme",status="NEW"} 1"#),
        "{metrics}"
    );
    assert_eq!(
        line(r#"patchbay_client_flow_through_recent_orders{client="acme",le="+Inf"}"#).as_deref(),
        Some(r#"patchbay_client_flow_through_recent_orders{client="acme",le="+Inf"} 1"#),
        "{metrics}"
    );
    let p50 = stats["FlowThroughP50Ms"].as_i64().unwrap();
    assert_eq!(
        line(r#"patchbay_client_flow_through_milliseconds{client="acme",quantile="0.5"}"#),
        Some(format!(r#"patchbay_client_flow_through_milliseconds{{client="acme",quantile="0.5"}} {p50}"#)),
        "{metrics}"
    );
    assert_eq!(
        line(r#"patchbay_client_flow_queue_depth{client="acme"}"#).as_deref(),
        Some(r#"patchbay_client_flow_queue_depth{client="acme"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn metrics_show_the_other_clients_when_one_clients_figures_cannot_be_read() {
    let app = TestApp::new().await;
    let (s, _, body) = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let before = String::from_utf8(body).unwrap();
    assert!(before.contains(r#"patchbay_client_flow_queue_depth{client="globex"} 0"#), "{before}");

    // globex's database loses a table its figures read: its series go, acme's stay.
    patchbay_store::testing::execute_in_client(&app.url, "globex", "DROP TABLE event_deliveries").await;
    for scrape in 1..=2 {
        let (s, _, body) = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        let metrics = String::from_utf8(body).unwrap();
        assert!(metrics.contains(r#"patchbay_client_flow_queue_depth{client="acme"} 0"#), "{metrics}");
        let globex_series = |l: &&str| l.starts_with("patchbay_client_") && l.contains(r#"client="globex""#);
        let left: Vec<&str> = metrics.lines().filter(globex_series).collect();
        // Only the count of failed reads, one per scrape.
        assert_eq!(left, [format!(r#"patchbay_client_figures_failures_total{{client="globex"}} {scrape}"#)]);
        assert!(metrics.lines().any(|l| l == "patchbay_flow_queue_depth 0"), "{metrics}");
    }
}

#[tokio::test]
async fn with_htmx_a_page_answers_with_its_part_and_without_it_with_the_whole() {
    let app = TestApp::new().await;
    let (failed, _, _) = fixture(&app).await;
    let mut b = signed_in(&app, "acme", "api", "correct horse battery").await;

    // A whole page loads the bundled htmx, which is served from here.
    let (s, page, _) = b.open(&app, "/console/orders?status=ERROR").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<header>"), "{page}");
    assert!(page.contains(r#"<script src="/console/assets/htmx-2.0.11.min.js" defer>"#), "{page}");
    let (s, headers, script) = b.htmx_get(&app, "/console/assets/htmx-2.0.11.min.js").await;
    assert_eq!(s, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert!(headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    assert!(script.contains("htmx") && script.len() > 40_000);

    // htmx's request for the search results: the page without its frame, and its address.
    let (s, headers, part) = b.htmx_get(&app, "/console/orders?status=ERROR&page=1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!part.contains("<html") && !part.contains("<header>") && !part.contains("<script"), "{part}");
    assert!(part.contains(r#"<div id="results""#), "{part}");
    assert!(part.contains(&format!(r#"href="/console/orders/{failed}""#)), "{part}");
    assert_eq!(headers["hx-push-url"], "/console/orders?status=ERROR&page=1");
    assert!(headers.get_all(header::VARY).iter().any(|v| v == "HX-Request"));

    // An action through htmx: the same Orders_Update; the page it leads to comes as a part.
    let csrf = b.csrf();
    let req = Request::post(format!("/console/orders/{failed}/action"))
        .header(header::COOKIE, b.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("HX-Request", "true")
        .body(Body::from(format!("csrf={csrf}&action=resend&back=queue")))
        .unwrap();
    let (s, headers, _) = app.send(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_string();
    let (s, _, part) = b.htmx_get(&app, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(part.contains(&format!("Order {failed} is queued to be sent again.")), "{part}");
    assert!(part.contains("<h1>Work queue</h1>") && !part.contains("<header>"), "{part}");
    let (_, _, ready) = app.get("/readyz").await;
    assert!(ready.contains(r#""orders_queued":1"#), "the resent order is queued: {ready}");

    // Signed out, htmx is told to move the whole page to the sign-in page.
    let mut stranger = Browser::default();
    let (s, headers, body) = stranger.htmx_get(&app, "/console/queue").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(headers["hx-redirect"], "/console/login");
    assert!(body.is_empty());
}
