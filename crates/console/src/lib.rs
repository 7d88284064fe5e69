//! The operator console: the back office in a browser, served at `/console`.
//!
//! Every page reads, and every button acts, through the same [`Engine`] operations an
//! integrator calls (Orders_Search, Orders_Update, Customers_Query, Orders_Create, …), with the
//! signed-in user's session: the same role checks, the same refusals, the same audit records.
//! Nothing here reaches the store. A refusal is shown as the Header's message.
//!
//! - Signing in is Sessions_Create; the session key lives in an HttpOnly, SameSite=Strict
//!   cookie (Secure when the request came over HTTPS), and signing out is Sessions_Destroy.
//! - Every form carries a token that must equal the `pb_csrf` cookie (double submit): a page
//!   of another site can neither read the cookie nor make the browser send it
//!   (SameSite=Strict), so it cannot post a form that passes.
//! - Pages are server-rendered HTML (maud), usable without JavaScript.

mod pages;

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use patchbay_core::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

pub use pages::PAGE_SIZE;

const SESSION_COOKIE: &str = "pb_session";
const CSRF_COOKIE: &str = "pb_csrf";
const USER_COOKIE: &str = "pb_user";
/// Where a visitor without a valid session is sent.
const LOGIN_PATH: &str = "/console/login";

/// The console's routes, relative to where it is mounted (`/console`).
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/queue", get(queue))
        .route("/dashboard", get(dashboard))
        .route("/orders", get(orders))
        .route("/orders/{id}", get(order))
        .route("/orders/{id}/action", post(order_action))
        .route("/customers", get(customers))
        .route("/customers/{id}", get(customer))
        .route("/customers/{id}/order", post(customer_order))
        .route("/inventory", get(inventory))
        .route("/inventory/import", get(import_page).post(import))
        .route("/catalog", get(catalog))
        .route(pages::HTMX_PATH, get(htmx_script))
        .layer(axum::middleware::from_fn(partial_pages))
        .with_state(engine)
}

/// The bundled htmx (2.0.11, Zero-Clause BSD: `assets/htmx-LICENSE`), so the console needs
/// nothing from elsewhere and no build step.
async fn htmx_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        include_str!("../assets/htmx-2.0.11.min.js"),
    )
        .into_response()
}

/// Pages work without JavaScript; with it, htmx asks for a part of a page (`HX-Request`) and
/// swaps it in. Such a request gets the page without its frame (`pages::FRAGMENT`), the
/// address it stands for (so the browser's address bar and history follow), and, when the
/// session is gone, a whole-page move to the sign-in page rather than a sign-in form inside
/// the page.
async fn partial_pages(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let h = request.headers();
    let partial =
        h.contains_key("hx-request") && !h.contains_key("hx-boosted") && !h.contains_key("hx-history-restore-request");
    let address = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| request.uri().to_string(), |u| u.0.to_string());
    let is_get = request.method() == axum::http::Method::GET;
    let mut r = pages::FRAGMENT.scope(partial, next.run(request)).await;
    r.headers_mut().append(header::VARY, header::HeaderValue::from_static("HX-Request"));
    if partial {
        let to_sign_in =
            r.status().is_redirection() && r.headers().get(header::LOCATION).is_some_and(|l| l == LOGIN_PATH);
        if to_sign_in {
            let mut moved = StatusCode::NO_CONTENT.into_response();
            moved.headers_mut().insert("hx-redirect", header::HeaderValue::from_static(LOGIN_PATH));
            return moved;
        }
        if is_get && r.status().is_success() {
            if let Ok(v) = header::HeaderValue::from_str(&address) {
                r.headers_mut().insert("hx-push-url", v);
            }
        }
    }
    r
}

/// A signed-in user, read from the cookies.
pub(crate) struct Signed {
    pub key: String,
    pub csrf: String,
    /// `user@client`, for the page header.
    pub who: String,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn signed(headers: &HeaderMap) -> Option<Signed> {
    Some(Signed {
        key: cookie(headers, SESSION_COOKIE)?.to_string(),
        csrf: cookie(headers, CSRF_COOKIE)?.to_string(),
        who: cookie(headers, USER_COOKIE).unwrap_or("").to_string(),
    })
}

/// Equal without telling how much of it matched by how long it took.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    if https {
        "; Secure"
    } else {
        ""
    }
}

fn set_cookie(name: &str, value: &str, headers: &HeaderMap, max_age: Option<i64>) -> String {
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    format!("{name}={value}; Path=/console; HttpOnly; SameSite=Strict{age}{}", secure(headers))
}

fn new_token() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

fn to_login() -> Response {
    Redirect::to(LOGIN_PATH).into_response()
}

/// The value of a `Result` whose error is the answer to send instead.
macro_rules! or_answer {
    ($result:expr) => {
        match $result {
            Ok(v) => v,
            Err(r) => return *r,
        }
    };
}

macro_rules! answer {
    ($call:expr) => {
        or_answer!($call.await)
    };
}

/// Calls an operation as the signed-in user. `Err` is a response to send instead: the sign-in
/// page when the session is no longer valid.
pub(crate) async fn call(engine: &Engine, s: &Signed, op: &str, request: Value) -> Result<Value, Box<Response>> {
    call_execution(engine, s, op, request).await.map(|done| done.result)
}

/// As [`call`], with the whole execution: a refused bulk request's every item besides the
/// Header that names the first few.
async fn call_execution(
    engine: &Engine,
    s: &Signed,
    op: &str,
    mut request: Value,
) -> Result<patchbay_core::Execution, Box<Response>> {
    request["Session"] = json!({ "SessionKey": s.key });
    let done = engine.execute(op, request).await.expect("the console calls declared operations");
    let header = &done.result["Header"];
    if header["Success"] != true && header["Error_Code"] == "S2004" {
        return Err(Box::new(to_login()));
    }
    Ok(done)
}

/// The Header's message of a refused answer, `None` on success.
pub(crate) fn refusal(result: &Value) -> Option<String> {
    let h = &result["Header"];
    if h["Success"] == true {
        return None;
    }
    let code = h["Error_Code"].as_str().unwrap_or("");
    let message = h["Message"].as_str().or(h["Error_Description"].as_str()).unwrap_or("refused");
    Some(if code.is_empty() { message.to_string() } else { format!("{code}: {message}") })
}

fn page(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

fn status_page(status: StatusCode, markup: maud::Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

async fn home(headers: HeaderMap) -> Response {
    match signed(&headers) {
        Some(_) => Redirect::to("/console/queue").into_response(),
        None => to_login(),
    }
}

async fn login_page(headers: HeaderMap) -> Response {
    let csrf = cookie(&headers, CSRF_COOKIE).map(str::to_string).unwrap_or_else(new_token);
    let mut r = page(pages::login(&csrf, None));
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &csrf, &headers, None).parse().expect("a cookie header"));
    r
}

#[derive(Deserialize)]
struct LoginForm {
    client: String,
    username: String,
    password: String,
    /// Missing is refused like a wrong one (403), not as an unreadable form.
    #[serde(default)]
    csrf: String,
}

async fn login(State(engine): State<Engine>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let Some(csrf) = cookie(&headers, CSRF_COOKIE).filter(|c| same(c, &f.csrf)) else {
        return forbidden();
    };
    let credentials = json!({"Username": f.username.trim(), "Password": f.password, "Client": f.client.trim()});
    let done = engine
        .execute("Sessions_Create", json!({ "Credentials": credentials }))
        .await
        .expect("Sessions_Create is declared");
    if let Some(why) = refusal(&done.result) {
        return status_page(StatusCode::UNAUTHORIZED, pages::login(csrf, Some(&why)));
    }
    let key = done.result["SessionKey"].as_str().unwrap_or_default().to_string();
    let who = format!("{}@{}", f.username.trim(), f.client.trim());
    // A fresh token for the session, so one seen before signing in is worth nothing after.
    let token = new_token();
    let mut r = Redirect::to("/console/queue").into_response();
    for c in [
        set_cookie(SESSION_COOKIE, &key, &headers, None),
        set_cookie(CSRF_COOKIE, &token, &headers, None),
        set_cookie(USER_COOKIE, &pages::cookie_safe(&who), &headers, None),
    ] {
        r.headers_mut().append(header::SET_COOKIE, c.parse().expect("a cookie header"));
    }
    r
}

fn forbidden() -> Response {
    status_page(
        StatusCode::FORBIDDEN,
        pages::message(
            "Refused",
            "The form's security token does not match this browser's session. Reload the page and try again.",
        ),
    )
}

#[derive(Deserialize)]
struct TokenForm {
    /// Missing is refused like a wrong one (403), not as an unreadable form.
    #[serde(default)]
    csrf: String,
}

/// The signed-in user of a form post, its token checked.
fn posted(headers: &HeaderMap, token: &str) -> Result<Signed, Box<Response>> {
    let s = signed(headers).ok_or_else(|| Box::new(to_login()))?;
    if !same(&s.csrf, token) {
        return Err(Box::new(forbidden()));
    }
    Ok(s)
}

async fn logout(State(engine): State<Engine>, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let s = or_answer!(posted(&headers, &f.csrf));
    let _ = call(&engine, &s, "Sessions_Destroy", json!({})).await;
    let mut r = to_login();
    for name in [SESSION_COOKIE, CSRF_COOKIE, USER_COOKIE] {
        r.headers_mut()
            .append(header::SET_COOKIE, set_cookie(name, "", &headers, Some(0)).parse().expect("a cookie header"));
    }
    r
}

macro_rules! signed_or_login {
    ($headers:expr) => {
        match signed(&$headers) {
            Some(s) => s,
            None => return to_login(),
        }
    };
}

#[derive(Deserialize, Default)]
struct Flash {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    refused: Option<String>,
}

async fn queue(State(engine): State<Engine>, headers: HeaderMap, Query(flash): Query<Flash>) -> Response {
    let s = signed_or_login!(headers);
    let failed = answer!(call(
        &engine,
        &s,
        "Orders_Search",
        json!({"Status": ["ERROR", "FLOW_ERROR"], "PageSize": PAGE_SIZE, "Page": 1})
    ));
    let routes = answer!(call(
        &engine,
        &s,
        "Orders_Search",
        json!({"RequiresRouteDecision": true, "PageSize": PAGE_SIZE, "Page": 1})
    ));
    page(pages::queue(&s, &failed, &routes, &flash.done, &flash.refused))
}

#[derive(Deserialize, Default)]
struct OrderFilters {
    #[serde(default)]
    pon: String,
    #[serde(default)]
    tn: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    page: Option<u32>,
}

async fn orders(State(engine): State<Engine>, headers: HeaderMap, Query(f): Query<OrderFilters>) -> Response {
    let s = signed_or_login!(headers);
    let mut request = json!({"PageSize": PAGE_SIZE, "Page": f.page.unwrap_or(1).max(1)});
    let mut problems = Vec::new();
    if !f.pon.trim().is_empty() {
        request["PON"] = json!([f.pon.trim()]);
    }
    if !f.tn.trim().is_empty() {
        request["TN"] = json!([f.tn.trim()]);
    }
    for (field, value, label) in [("CustomerID", &f.customer, "Customer"), ("CarrierID", &f.provider, "Provider")] {
        let v = value.trim();
        if !v.is_empty() {
            match v.parse::<i32>() {
                Ok(n) => request[field] = json!([n]),
                Err(_) => problems.push(format!("{label} must be a number")),
            }
        }
    }
    if !f.status.trim().is_empty() {
        request["Status"] = json!([f.status.trim()]);
    }
    let found = if problems.is_empty() {
        answer!(call(&engine, &s, "Orders_Search", request))
    } else {
        json!({"Header": {"Success": false, "Message": problems.join("; ")}})
    };
    page(pages::orders(&s, &f.pon, &f.tn, &f.customer, &f.status, &f.provider, f.page.unwrap_or(1).max(1), &found))
}

async fn order(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Query(flash): Query<Flash>,
) -> Response {
    let s = signed_or_login!(headers);
    let found = answer!(call(
        &engine,
        &s,
        "Orders_Search",
        json!({"OrderID": [id], "ShowServiceDetails": true, "PageSize": 1, "Page": 1})
    ));
    let Some(o) = found["Orders"].as_array().and_then(|a| a.first()).cloned() else {
        if let Some(why) = refusal(&found) {
            return status_page(StatusCode::FORBIDDEN, pages::message("Refused", &why));
        }
        return status_page(StatusCode::NOT_FOUND, pages::message("Not found", &format!("There is no order {id}.")));
    };
    let events = answer!(call(&engine, &s, "Events_Query", json!({"OrderID": id, "Limit": 200})));
    page(pages::order(&s, &o, &events, &flash.done, &flash.refused))
}

#[derive(Deserialize)]
struct ActionForm {
    /// Missing is refused like a wrong one (403), not as an unreadable form.
    #[serde(default)]
    csrf: String,
    action: String,
    #[serde(default)]
    route: Option<i32>,
    /// Where to go after: `queue` or the order's page.
    #[serde(default)]
    back: Option<String>,
}

/// An order's button: the matching Orders_Update.
async fn order_action(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Form(f): Form<ActionForm>,
) -> Response {
    let s = or_answer!(posted(&headers, &f.csrf));
    let (update, done) = match f.action.as_str() {
        "resend" => (json!({"FlowThroughFlag": true}), format!("Order {id} is queued to be sent again.")),
        "cancel" => {
            (json!({"Status": "CANCELED", "StatusNote": "Canceled in the console"}), format!("Order {id} is canceled."))
        }
        "complete" => (
            json!({"Status": "COMPLETE", "StatusNote": "Completed in the console"}),
            format!("Order {id} is complete."),
        ),
        "route" => match f.route {
            Some(r) => (json!({"ProcessRouteID": r}), format!("Order {id} takes route {r} and is on its way.")),
            None => return status_page(StatusCode::BAD_REQUEST, pages::message("Refused", "Choose a route.")),
        },
        other => {
            return status_page(
                StatusCode::BAD_REQUEST,
                pages::message("Refused", &format!("There is no action {other:?}.")),
            )
        }
    };
    let mut request = update;
    request["OrderID"] = json!(id);
    let result = answer!(call(&engine, &s, "Orders_Update", request));
    let base =
        if f.back.as_deref() == Some("queue") { "/console/queue".to_string() } else { format!("/console/orders/{id}") };
    let to = match refusal(&result) {
        None => format!("{base}?done={}", pages::query_escape(&done)),
        Some(why) => format!("{base}?refused={}", pages::query_escape(&why)),
    };
    Redirect::to(&to).into_response()
}

#[derive(Deserialize, Default)]
struct CustomerFind {
    #[serde(default)]
    q: String,
}

/// Finds a customer by id or TN (Customers_Query takes either), or by name (Customers_Search).
async fn customers(State(engine): State<Engine>, headers: HeaderMap, Query(f): Query<CustomerFind>) -> Response {
    let s = signed_or_login!(headers);
    let q = f.q.trim();
    if q.is_empty() {
        return page(pages::customers(&s, q, None));
    }
    let digits = q.bytes().all(|b| b.is_ascii_digit());
    let request = match (digits, q.len(), q.parse::<i32>()) {
        (true, 10, _) => json!({ "TN": q }),
        (true, _, Ok(id)) => json!({ "CustomerID": id }),
        _ => {
            // A name: Customers_Search, and a list to choose from.
            let found = answer!(call(&engine, &s, "Customers_Search", json!({ "Name": q })));
            return page(pages::customer_list(&s, q, &found));
        }
    };
    let found = answer!(call(&engine, &s, "Customers_Query", request));
    match found["Customer"]["CustomerID"].as_i64() {
        Some(id) => Redirect::to(&format!("/console/customers/{id}")).into_response(),
        None => page(pages::customers(&s, q, Some(&refusal(&found).unwrap_or_else(|| "No such customer.".into())))),
    }
}

async fn customer(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Query(flash): Query<Flash>,
) -> Response {
    let s = signed_or_login!(headers);
    let found = answer!(call(&engine, &s, "Customers_Query", json!({ "CustomerID": id })));
    if found["Header"]["Success"] != true {
        let why = refusal(&found).unwrap_or_default();
        let status = if why.starts_with("C2002") { StatusCode::NOT_FOUND } else { StatusCode::FORBIDDEN };
        return status_page(status, pages::message("Not found", &why));
    }
    let open = answer!(call(
        &engine,
        &s,
        "Orders_Search",
        json!({"CustomerID": [id], "Status": ["NEW", "SENT", "CONFIRMED", "ERROR", "FLOW_ERROR", "HOLD"], "PageSize": PAGE_SIZE, "Page": 1})
    ));
    page(pages::customer(&s, &found["Customer"], &open, &flash.done, &flash.refused))
}

#[derive(Deserialize)]
struct CustomerOrderForm {
    /// Missing is refused like a wrong one (403), not as an unreadable form.
    #[serde(default)]
    csrf: String,
    /// `suspend`, `restore` or `disconnect`.
    kind: String,
    line: i32,
}

/// A customer page's button: the matching Orders_Create for one line.
async fn customer_order(
    State(engine): State<Engine>,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Form(f): Form<CustomerOrderForm>,
) -> Response {
    let s = or_answer!(posted(&headers, &f.csrf));
    let body = json!({ "CustomerID": id, "LineID": f.line });
    let request = match f.kind.as_str() {
        "suspend" => json!({ "Suspend": body }),
        "restore" => json!({ "Restore": body }),
        "disconnect" => json!({ "Disconnect": body }),
        other => {
            return status_page(
                StatusCode::BAD_REQUEST,
                pages::message("Refused", &format!("There is no order kind {other:?}.")),
            )
        }
    };
    let result = answer!(call(&engine, &s, "Orders_Create", request));
    let to = match refusal(&result) {
        None => {
            let ids: Vec<String> = result["OrderIDs"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_i64).map(|i| i.to_string()).collect())
                .unwrap_or_default();
            let done = format!("{} order {} created for line {}.", pages::title_case(&f.kind), ids.join(", "), f.line);
            format!("/console/customers/{id}?done={}", pages::query_escape(&done))
        }
        Some(why) => format!("/console/customers/{id}?refused={}", pages::query_escape(&why)),
    };
    Redirect::to(&to).into_response()
}

#[derive(Deserialize, Default)]
struct InventoryFind {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    kind: String,
}

/// The inventory types, and one item found by identifier and kind (Inventory_Query).
async fn inventory(State(engine): State<Engine>, headers: HeaderMap, Query(f): Query<InventoryFind>) -> Response {
    let s = signed_or_login!(headers);
    let types = answer!(call(&engine, &s, "InventoryTypes_Query", json!({})));
    let counts = answer!(call(&engine, &s, "InventoryCounts_Query", json!({})));
    let identifier = f.identifier.trim();
    let found = if identifier.is_empty() {
        None
    } else {
        let request = json!({"Inventory": {"Identifier": identifier, "Type": f.kind.trim()}});
        Some(answer!(call(&engine, &s, "Inventory_Query", request)))
    };
    page(pages::inventory(&s, &types, &counts, identifier, f.kind.trim(), found.as_ref()))
}

/// The catalog, read-only: every product and package with where it was defined (Catalog_Query).
async fn catalog(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let s = signed_or_login!(headers);
    let catalog = answer!(call(&engine, &s, "Catalog_Query", json!({})));
    page(pages::catalog(&s, &catalog))
}

async fn import_page(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let s = signed_or_login!(headers);
    let types = answer!(call(&engine, &s, "InventoryTypes_Query", json!({})));
    page(pages::import(&s, &types, None, None, &[]))
}

/// A CSV file of items: read as `patchbay inventory import` reads it, then created with
/// Inventory_Bulk_Create as the user, all or none.
async fn import(State(engine): State<Engine>, headers: HeaderMap, mut form: Multipart) -> Response {
    let (mut csrf, mut type_id, mut file) = (String::new(), None, Vec::new());
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("type") => type_id = field.text().await.ok().and_then(|t| t.trim().parse::<i32>().ok()),
                Some("file") => match field.bytes().await {
                    Ok(b) => file = b.to_vec(),
                    Err(e) => {
                        return status_page(
                            StatusCode::BAD_REQUEST,
                            pages::message("Refused", &format!("The file could not be read: {e}")),
                        )
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                return status_page(
                    StatusCode::BAD_REQUEST,
                    pages::message("Refused", &format!("The form could not be read: {e}")),
                )
            }
        }
    }
    let s = or_answer!(posted(&headers, &csrf));
    let types = answer!(call(&engine, &s, "InventoryTypes_Query", json!({})));
    let Some(type_id) = type_id else {
        return page(pages::import(&s, &types, None, Some("Choose an inventory type."), &[]));
    };
    let items = match patchbay_inventory_csv::read_items(&file[..], type_id) {
        Ok(items) => items,
        Err(patchbay_inventory_csv::Unreadable::Header(why)) => {
            return page(pages::import(&s, &types, None, Some(&format!("{why}; nothing was imported")), &[]))
        }
        Err(patchbay_inventory_csv::Unreadable::Rows(rows)) => {
            let why = format!("{} row(s) could not be read; nothing was imported", rows.len());
            return page(pages::import(&s, &types, None, Some(&why), &rows));
        }
    };
    let n = items.len();
    let done = answer!(call_execution(&engine, &s, "Inventory_Bulk_Create", json!({ "InventoryItems": items })));
    match refusal(&done.result) {
        None => page(pages::import(&s, &types, Some(&format!("{n} item(s) imported into type {type_id}.")), None, &[])),
        Some(why) if done.refused_items.is_empty() => {
            // The request as a whole (a viewer's role, say): its Header says why.
            page(pages::import(&s, &types, None, Some(&why), &[]))
        }
        Some(_) => {
            let rows: Vec<String> = done.refused_items.iter().map(|f| f.as_file_row()).collect();
            let code = done.result["Header"]["Error_Code"].as_str().unwrap_or("S2010");
            let why = format!("{code}: {} row(s) refused; nothing was imported.", rows.len());
            page(pages::import(&s, &types, None, Some(&why), &rows))
        }
    }
}

#[derive(Deserialize, Default)]
struct DashboardQuery {
    #[serde(default)]
    days: Option<i32>,
}

/// Orders by day and status, flow-through latency and the backlog (OrderStats_Query).
async fn dashboard(State(engine): State<Engine>, headers: HeaderMap, Query(q): Query<DashboardQuery>) -> Response {
    let s = signed_or_login!(headers);
    let days = q.days.unwrap_or(14);
    let stats = answer!(call(&engine, &s, "OrderStats_Query", json!({ "Days": days })));
    page(pages::dashboard(&s, days, &stats))
}
