//! The console's HTML: one function per page, over the operations' JSON answers. maud escapes
//! every value written into the page.

use crate::Signed;
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

/// Rows per page of a list.
pub const PAGE_SIZE: u32 = 50;

/// Where the bundled htmx is served (versioned, so a browser may keep it).
pub(crate) const HTMX_PATH: &str = "/assets/htmx-2.0.11.min.js";

/// htmx's settings: no inline styles or eval (nothing here needs them); refusals (4xx) are
/// shown like answers; history is not cached in the browser (a page holds a form token), so
/// going back reloads the page.
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,"responseHandling":[{"code":"204","swap":false},{"code":"[2345]..","swap":true}]}"#;

/// After htmx replaces a part of the page, a keyboard or screen-reader user whose focus was on
/// a replaced button would be left at the top of the document: focus moves to what the answer
/// says (its status or alert), or else to the start of the new part.
const FOCUS_AFTER_SWAP: &str = r#"document.addEventListener("htmx:afterSettle",function(e){var a=document.activeElement;if(a&&a!==document.body)return;var t=e.detail.target,f=t.querySelector("[role=alert],[role=status]")||t.querySelector("h1,p,table");if(f){f.setAttribute("tabindex","-1");f.focus();}});"#;

tokio::task_local! {
    /// Set while answering htmx's request for a part of a page: `layout` then writes only
    /// what goes into `main`, which htmx swaps in (or picks a part of, with `hx-select`).
    pub(crate) static FRAGMENT: bool;
}

fn fragment() -> bool {
    FRAGMENT.try_with(|f| *f).unwrap_or(false)
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}header a:focus,header a:hover{text-decoration:underline}
header .who{margin-left:auto;font-size:.9rem}
header nav a{margin-right:1.1rem}
main{padding:1rem 1.5rem;max-width:80rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d8dde3;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#eef1f5}
form.inline{display:inline}
button{font:inherit;padding:.2rem .6rem;border:1px solid #1d3557;background:#fff;color:#1d3557;border-radius:3px;cursor:pointer}
button:focus,button:hover{background:#1d3557;color:#fff}
.flash{padding:.5rem .8rem;border-radius:3px;margin:.5rem 0}
.done{background:#e3f4e8;border:1px solid #8fd19e}.refused{background:#fdecea;border:1px solid #f5a3a3}
label{display:block;margin:.4rem 0 .1rem;font-weight:600}
input,select{font:inherit;padding:.25rem}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:end}
.muted{color:#5b6570}
";

pub(crate) fn cookie_safe(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-')).collect()
}

/// Percent-encodes a query value.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

fn layout(title: &str, who: Option<&Signed>, body: Markup) -> Markup {
    if fragment() {
        return html! { title { (title) " · Patchbay console" } h1 { (title) } (body) };
    }
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Patchbay console" }
                style { (maud::PreEscaped(STYLE)) }
                meta name="htmx-config" content=(HTMX_CONFIG);
                script src={ "/console" (HTMX_PATH) } defer {}
                script { (maud::PreEscaped(FOCUS_AFTER_SWAP)) }
            }
            body {
                header {
                    strong { "Patchbay" }
                    @if let Some(s) = who {
                        nav aria-label="Main" {
                            a href="/console/dashboard" { "Dashboard" } " "
                            a href="/console/queue" { "Work queue" } " "
                            a href="/console/orders" { "Orders" } " "
                            a href="/console/customers" { "Customers" } " "
                            a href="/console/inventory" { "Inventory" } " "
                            a href="/console/catalog" { "Catalog" }
                        }
                        span class="who" {
                            (s.who) " "
                            form class="inline" method="post" action="/console/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" { h1 { (title) } (body) }
            }
        }
    }
}

fn flash(done: &Option<String>, refused: &Option<String>) -> Markup {
    html! {
        @if let Some(d) = done { p class="flash done" role="status" { (d) } }
        @if let Some(r) = refused { p class="flash refused" role="alert" { (r) } }
    }
}

pub(crate) fn message(title: &str, text: &str) -> Markup {
    layout(title, None, html! { p { (text) } p { a href="/console/queue" { "Back to the console" } } })
}

pub(crate) fn login(csrf: &str, refused: Option<&str>) -> Markup {
    layout(
        "Sign in",
        None,
        html! {
            @if let Some(r) = refused { p class="flash refused" role="alert" { (r) } }
            form method="post" action="/console/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="client" { "Client" }
                input id="client" name="client" required autocomplete="organization";
                label for="username" { "Username" }
                input id="username" name="username" required autocomplete="username";
                label for="password" { "Password" }
                input id="password" name="password" type="password" required autocomplete="current-password";
                p { button type="submit" { "Sign in" } }
            }
        },
    )
}

/// One button posting an order action.
fn action(s: &Signed, order: &Value, name: &str, label: &str, back: &str) -> Markup {
    let id = text(&order["OrderID"]);
    html! {
        form class="inline" method="post" action={ "/console/orders/" (id) "/action" }
            hx-post={ "/console/orders/" (id) "/action" } hx-target="main" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="action" value=(name);
            input type="hidden" name="back" value=(back);
            button type="submit" aria-label={ (label) " order " (id) } { (label) }
        }
    }
}

fn route_choice(s: &Signed, order: &Value, back: &str) -> Markup {
    let id = text(&order["OrderID"]);
    let field = format!("route-{id}");
    html! {
        form class="inline" method="post" action={ "/console/orders/" (id) "/action" }
            hx-post={ "/console/orders/" (id) "/action" } hx-target="main" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="action" value="route";
            input type="hidden" name="back" value=(back);
            label for=(field) class="muted" style="display:inline" { "Route " }
            select id=(field) name="route" {
                @for r in list(&order["Routes"]) {
                    option value=(text(&r["ID"])) { (text(&r["Description"])) " (" (text(&r["ID"])) ")" }
                }
            }
            " "
            button type="submit" { "Choose route" }
        }
    }
}

fn orders_table(s: &Signed, orders: &[Value], actions: bool, back: &str) -> Markup {
    html! {
        table {
            thead { tr {
                th scope="col" { "Order" } th scope="col" { "PON" } th scope="col" { "Customer" }
                th scope="col" { "Type" } th scope="col" { "Status" } th scope="col" { "Provider" }
                th scope="col" { "Reason / note" } th scope="col" { "Created" }
                @if actions { th scope="col" { "Actions" } }
            } }
            tbody {
                @for o in orders {
                    tr {
                        td { a href={ "/console/orders/" (text(&o["OrderID"])) } { (text(&o["OrderID"])) } }
                        td { (text(&o["PON"])) }
                        td { a href={ "/console/customers/" (text(&o["CustomerID"])) } { (text(&o["CustomerID"])) } }
                        td { (text(&o["Order_Type"])) }
                        td { (text(&o["Status"])) }
                        td { (text(&o["Carrier"])) }
                        td { (text(&o["StatusNote"])) }
                        td { (text(&o["Created_Date"])) }
                        @if actions { td { (order_actions(s, o, back)) } }
                    }
                }
            }
        }
    }
}

/// The buttons that fit an order's status.
fn order_actions(s: &Signed, o: &Value, back: &str) -> Markup {
    let status = text(&o["Status"]);
    let open = !matches!(status.as_str(), "COMPLETE" | "CANCELED");
    let waits_for_route = open && o["ProcessRouteID"].is_null() && !list(&o["Routes"]).is_empty();
    html! {
        @if matches!(status.as_str(), "ERROR" | "FLOW_ERROR") { (action(s, o, "resend", "Resend", back)) " " }
        @if waits_for_route { (route_choice(s, o, back)) " " }
        @if open {
            (action(s, o, "complete", "Complete", back)) " "
            (action(s, o, "cancel", "Cancel", back))
        }
    }
}

pub(crate) fn queue(
    s: &Signed,
    failed: &Value,
    routes: &Value,
    done: &Option<String>,
    refused: &Option<String>,
) -> Markup {
    let failed_orders = list(&failed["Orders"]);
    let waiting = list(&routes["Orders"]);
    layout(
        "Work queue",
        Some(s),
        html! {
            (flash(done, refused))
            @if let Some(r) = crate::refusal(failed) { p class="flash refused" role="alert" { (r) } }
            h2 { "Failed orders (" (failed_orders.len()) ")" }
            p class="muted" { "Orders the provider refused (ERROR) or that could not reach it (FLOW_ERROR), with the provider's reason." }
            @if failed_orders.is_empty() { p { "Nothing has failed." } } @else { (orders_table(s, &failed_orders, true, "queue")) }
            h2 { "Waiting for a route decision (" (waiting.len()) ")" }
            @if waiting.is_empty() { p { "No order waits for a route." } } @else { (orders_table(s, &waiting, true, "queue")) }
        },
    )
}

/// A link to another page of the search results: with htmx, only the results are replaced.
fn page_link(href: &str, label: &str) -> Markup {
    html! { a href=(href) hx-get=(href) hx-target="#results" hx-select="#results" hx-swap="outerHTML" { (label) } }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn orders(
    s: &Signed,
    pon: &str,
    tn: &str,
    customer: &str,
    status: &str,
    provider: &str,
    page: u32,
    found: &Value,
) -> Markup {
    const STATUSES: [&str; 12] = [
        "NEW",
        "SENT",
        "CONFIRMED",
        "COMPLETE",
        "CANCELED",
        "ERROR",
        "FLOW_ERROR",
        "HOLD",
        "PAYMENT_HOLD",
        "LIFELINE_HOLD",
        "JEOPARDY",
        "PROVISIONED",
    ];
    let rows = list(&found["Orders"]);
    let more = found["HasMore"] == true;
    let link = |p: u32| {
        format!(
            "/console/orders?pon={}&tn={}&customer={}&status={}&provider={}&page={p}",
            query_escape(pon),
            query_escape(tn),
            query_escape(customer),
            query_escape(status),
            query_escape(provider)
        )
    };
    layout(
        "Orders",
        Some(s),
        html! {
            form method="get" action="/console/orders" class="filters"
                hx-get="/console/orders" hx-target="#results" hx-select="#results" hx-swap="outerHTML" {
                div { label for="pon" { "PON" } input id="pon" name="pon" value=(pon); }
                div { label for="tn" { "TN" } input id="tn" name="tn" value=(tn) inputmode="numeric"; }
                div { label for="customer" { "Customer id" } input id="customer" name="customer" value=(customer) inputmode="numeric"; }
                div {
                    label for="status" { "Status" }
                    select id="status" name="status" {
                        option value="" { "any" }
                        @for st in STATUSES { option value=(st) selected[st == status] { (st) } }
                    }
                }
                div { label for="provider" { "Provider id" } input id="provider" name="provider" value=(provider) inputmode="numeric"; }
                div { button type="submit" { "Search" } }
            }
            div id="results" aria-live="polite" {
                @if let Some(r) = crate::refusal(found) { p class="flash refused" role="alert" { (r) } }
                @else {
                    p class="muted" { (text(&found["RecordCount"])) " orders match; page " (page) "." }
                    (orders_table(s, &rows, false, ""))
                    nav aria-label="Pages" {
                        @if page > 1 { (page_link(&link(page - 1), "← Previous")) " " }
                        @if more { (page_link(&link(page + 1), "Next →")) }
                    }
                }
            }
        },
    )
}

pub(crate) fn order(s: &Signed, o: &Value, events: &Value, done: &Option<String>, refused: &Option<String>) -> Markup {
    let id = text(&o["OrderID"]);
    let mut events = list(&events["Events"]);
    events.reverse();
    let history: Vec<Value> = events
        .iter()
        .filter(|e| e["Name"] == "order.status_changed")
        .filter_map(|e| serde_json::from_str::<Value>(e["Data"].as_str()?).ok().map(|d| (e, d)))
        .map(|(e, d)| serde_json::json!({"at": e["CreatedDate"], "from": d["from"], "to": d["to"], "note": d["note"]}))
        .collect();
    layout(
        &format!("Order {id}"),
        Some(s),
        html! {
            (flash(done, refused))
            table {
                tbody {
                    tr { th scope="row" { "PON" } td { (text(&o["PON"])) } }
                    tr { th scope="row" { "Customer" } td { a href={ "/console/customers/" (text(&o["CustomerID"])) } { (text(&o["CustomerID"])) } } }
                    tr { th scope="row" { "Type" } td { (text(&o["Order_Type"])) } }
                    tr { th scope="row" { "Status" } td { (text(&o["Status"])) } }
                    tr { th scope="row" { "Note" } td { (text(&o["StatusNote"])) } }
                    tr { th scope="row" { "Provider" } td { (text(&o["Carrier"])) } }
                    tr { th scope="row" { "Flow-through" } td { (text(&o["FlowThroughFlag"])) } }
                    tr { th scope="row" { "Created" } td { (text(&o["Created_Date"])) } }
                    tr { th scope="row" { "Completed" } td { (text(&o["CompletionDate"])) } }
                }
            }
            p { (order_actions(s, o, "order")) }
            h2 { "Lines and products" }
            table {
                thead { tr { th scope="col" { "Line" } th scope="col" { "TN" } th scope="col" { "Package" } th scope="col" { "Products" } } }
                tbody {
                    @for svc in list(&o["Services"]) {
                        tr {
                            td { (text(&svc["ID"])) }
                            td { (text(&svc["TN"])) }
                            td { (text(&svc["PackageDescription"])) }
                            td { ul { @for p in list(&svc["Products"]) {
                                li { (text(&p["Description"])) " — " (text(&p["Status"])) " — " (text(&p["Rate"])) }
                            } } }
                        }
                    }
                }
            }
            h2 { "Status history" }
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Note" } } }
                tbody { @for h in &history { tr { td { (text(&h["at"])) } td { (text(&h["from"])) } td { (text(&h["to"])) } td { (text(&h["note"])) } } } }
            }
            h2 { "Events" }
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Event" } th scope="col" { "Deliveries" } } }
                tbody {
                    @for e in &events {
                        tr {
                            td { (text(&e["CreatedDate"])) }
                            td { (text(&e["Name"])) }
                            td {
                                @let deliveries = list(&e["Deliveries"]);
                                @if deliveries.is_empty() { span class="muted" { "no subscribers" } }
                                @for d in &deliveries {
                                    div {
                                        (text(&d["URL"])) ": "
                                        @if d["Delivered"] == true { "delivered" } @else { "pending, " (text(&d["Attempts"])) " attempts " (text(&d["LastError"])) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub(crate) fn customers(s: &Signed, q: &str, refused: Option<&str>) -> Markup {
    layout(
        "Customers",
        Some(s),
        html! {
            form method="get" action="/console/customers" class="filters" hx-get="/console/customers" hx-target="main" {
                div { label for="q" { "Customer id, TN or name" } input id="q" name="q" value=(q) required; }
                div { button type="submit" { "Find" } }
            }
            @if let Some(r) = refused { p class="flash refused" role="alert" { (r) } }
        },
    )
}

pub(crate) fn customer(s: &Signed, c: &Value, open: &Value, done: &Option<String>, refused: &Option<String>) -> Markup {
    let id = text(&c["CustomerID"]);
    let name = {
        let person = format!("{} {}", text(&c["FirstName"]), text(&c["LastName"]));
        let company = text(&c["CompanyName"]);
        if company.is_empty() {
            person.trim().to_string()
        } else {
            company
        }
    };
    let line_button = |line: &Value, kind: &str, label: &str| {
        html! {
            form class="inline" method="post" action={ "/console/customers/" (id) "/order" }
                hx-post={ "/console/customers/" (id) "/order" } hx-target="main"
                hx-confirm=[(kind == "disconnect").then(|| format!("Disconnect line {}? Its products end and its inventory is released.", text(&line["ID"])))] {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="kind" value=(kind);
                input type="hidden" name="line" value=(text(&line["ID"]));
                button type="submit" aria-label={ (label) " line " (text(&line["ID"])) } { (label) }
            }
        }
    };
    layout(
        &format!("Customer {id}: {name}"),
        Some(s),
        html! {
            (flash(done, refused))
            p { "Status " strong { (text(&c["Status"])) } ", class " (text(&c["CustomerClass"])) }
            h2 { "Services" }
            @for svc in list(&c["Services"]) {
                section aria-label={ "Line " (text(&svc["ID"])) } {
                    h3 { "Line " (text(&svc["ID"])) " " (text(&svc["TN"])) " — " (text(&svc["PackageDescription"])) }
                    p {
                        (line_button(&svc, "suspend", "Suspend")) " "
                        (line_button(&svc, "restore", "Restore")) " "
                        (line_button(&svc, "disconnect", "Disconnect"))
                    }
                    table {
                        thead { tr { th scope="col" { "Product" } th scope="col" { "Status" } th scope="col" { "Rate" } th scope="col" { "Quantity" } th scope="col" { "Activated" } } }
                        tbody { @for p in list(&svc["Products"]) {
                            tr { td { (text(&p["Description"])) } td { (text(&p["Status"])) } td { (text(&p["Rate"])) } td { (text(&p["Quantity"])) } td { (text(&p["ActivatedDate"])) } }
                        } }
                    }
                    @let inventory = list(&svc["Inventory"]);
                    @if !inventory.is_empty() {
                        table {
                            thead { tr { th scope="col" { "Inventory" } th scope="col" { "Identifier" } th scope="col" { "Status" } th scope="col" { "MDN" } } }
                            tbody { @for i in &inventory {
                                tr { td { (text(&i["InventoryType"])) } td { (text(&i["Identifier"])) } td { (text(&i["Status"])) } td { (text(&i["Wireless"]["MDN"])) } }
                            } }
                        }
                    }
                }
            }
            h2 { "Open orders" }
            @let open_orders = list(&open["Orders"]);
            @if open_orders.is_empty() { p { "No open orders." } } @else { (orders_table(s, &open_orders, false, "")) }
        },
    )
}

pub(crate) fn inventory(
    s: &Signed,
    types: &Value,
    counts: &Value,
    identifier: &str,
    kind: &str,
    found: Option<&Value>,
) -> Markup {
    const STATUSES: [&str; 4] = ["AVAILABLE", "ASSIGNED", "UNAVAILABLE", "BATCHED"];
    let count_of = |type_id: &Value, status: &str| -> i64 {
        list(&counts["Counts"])
            .iter()
            .filter(|c| &c["InventoryTypeID"] == type_id && c["Status"] == status)
            .filter_map(|c| c["Count"].as_i64())
            .sum()
    };
    const KINDS: [&str; 5] = ["SIM_Card", "Mobile_Device", "Telephone_Number", "IP_Address", "General"];
    layout(
        "Inventory",
        Some(s),
        html! {
            form method="get" action="/console/inventory" class="filters" hx-get="/console/inventory" hx-target="main" {
                div { label for="identifier" { "Identifier" } input id="identifier" name="identifier" value=(identifier) required; }
                div {
                    label for="kind" { "Kind" }
                    select id="kind" name="kind" { @for k in KINDS { option value=(k) selected[k == kind] { (k) } } }
                }
                div { button type="submit" { "Find" } }
            }
            @if let Some(f) = found {
                @if let Some(r) = crate::refusal(f) { p class="flash refused" role="alert" { (r) } }
                @else {
                    @let i = &f["Inventory"];
                    table { tbody {
                        tr { th scope="row" { "Item" } td { (text(&i["ID"])) } }
                        tr { th scope="row" { "Identifier" } td { (text(&i["Identifier"])) } }
                        tr { th scope="row" { "Type" } td { (text(&i["InventoryDescription"])) " (" (text(&i["InventoryType"])) ")" } }
                        tr { th scope="row" { "Status" } td { (text(&i["Status"])) } }
                        tr { th scope="row" { "Customer" } td {
                            @if i["CustomerID"].is_null() { "—" } @else { a href={ "/console/customers/" (text(&i["CustomerID"])) } { (text(&i["CustomerID"])) } }
                        } }
                        tr { th scope="row" { "MDN" } td { (text(&i["Wireless"]["MDN"])) } }
                    } }
                }
            }
            p { a href="/console/inventory/import" { "Import items from a CSV file" } }
            h2 { "Items by type and status" }
            table {
                thead { tr {
                    th scope="col" { "ID" } th scope="col" { "Kind" } th scope="col" { "Name" } th scope="col" { "Identifier" }
                    @for st in STATUSES { th scope="col" { (st) } }
                } }
                tbody { @for t in list(&types["InventoryTypes"]) {
                    tr {
                        td { (text(&t["ID"])) } td { (text(&t["Type"])) } td { (text(&t["Name"])) } td { (text(&t["Identifier"])) }
                        @for st in STATUSES { td { (count_of(&t["ID"], st)) } }
                    }
                } }
            }
        },
    )
}

/// Where a catalog item was defined, from Catalog_Query's Origin (`"<file>:<line>"`).
fn origin(v: &Value, none: &str) -> String {
    match v.as_str() {
        None => none.to_string(),
        Some(o) => match o.rsplit_once(':') {
            Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                format!("settings file {file}, line {line}")
            }
            _ => format!("settings file {o}"),
        },
    }
}

pub(crate) fn catalog(s: &Signed, catalog: &Value) -> Markup {
    layout(
        "Catalog",
        Some(s),
        html! {
            p class="muted" { "Read-only: products and packages come from the settings files (settings as code). Change a file and apply it (patchbay apply FILE) to change the catalog; each row names the file and line that define it." }
            @if let Some(r) = crate::refusal(catalog) { p class="flash refused" role="alert" { (r) } }
            h2 id="catalog-products" { "Products" }
            table aria-labelledby="catalog-products" {
                thead { tr { th scope="col" { "ID" } th scope="col" { "Name" } th scope="col" { "Code" } th scope="col" { "Provider" } th scope="col" { "Type" } th scope="col" { "Rate" } th scope="col" { "Active" } th scope="col" { "Origin" } } }
                tbody { @for p in list(&catalog["Products"]) {
                    tr {
                        td { (text(&p["ProductID"])) } td { (text(&p["Name"])) } td { (text(&p["Code1"])) }
                        td { (text(&p["CarrierCode"])) } td { (text(&p["ProductTypeCode"])) } td { (text(&p["Rate"])) }
                        td { @if p["ActiveFlag"] == true { "yes" } @else { "no" } }
                        td { (origin(&p["Origin"], "created through the API (Products_Create)")) }
                    }
                } }
            }
            h2 id="catalog-packages" { "Packages" }
            @let packages = list(&catalog["Packages"]);
            @if packages.is_empty() { p { "No packages." } } @else {
                table aria-labelledby="catalog-packages" {
                    thead { tr { th scope="col" { "ID" } th scope="col" { "Name" } th scope="col" { "Provider" } th scope="col" { "Service type" } th scope="col" { "Products" } th scope="col" { "Origin" } } }
                    tbody { @for k in &packages {
                        tr {
                            td { (text(&k["PackageID"])) } td { (text(&k["Name"])) } td { (text(&k["CarrierCode"])) }
                            td { @if k["LineTypeName"].is_string() { (text(&k["LineTypeName"])) " (" (text(&k["LineTypeID"])) ")" } @else { (text(&k["LineTypeID"])) } }
                            td { ul { @for p in list(&k["Products"]) { li { (text(&p["ProductID"])) " " (text(&p["Name"])) } } } }
                            td { (origin(&k["Origin"], "not recorded (stored before origins were kept; apply its file again)")) }
                        }
                    } }
                }
            }
        },
    )
}

pub(crate) fn import(s: &Signed, types: &Value, done: Option<&str>, refused: Option<&str>, rows: &[String]) -> Markup {
    layout(
        "Import inventory",
        Some(s),
        html! {
            @if let Some(d) = done { p class="flash done" role="status" { (d) } }
            @if let Some(r) = refused {
                div class="flash refused" role="alert" {
                    p { (r) }
                    @if !rows.is_empty() { ul { @for row in rows { li { (row) } } } }
                }
            }
            p class="muted" { "A CSV file with a header line: Identifier (required), and Status, Note, MSID, MSL, MDN, UnavailableReasonID, or an item field's label. Every row is checked; if any is refused, nothing is imported." }
            form method="post" action="/console/inventory/import" enctype="multipart/form-data"
                hx-post="/console/inventory/import" hx-encoding="multipart/form-data" hx-target="main" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="type" { "Inventory type" }
                select id="type" name="type" required {
                    @for t in list(&types["InventoryTypes"]) { option value=(text(&t["ID"])) { (text(&t["Name"])) " (" (text(&t["Type"])) ")" } }
                }
                label for="file" { "CSV file" }
                input id="file" name="file" type="file" accept=".csv,text/csv" required;
                p { button type="submit" { "Import" } }
            }
        },
    )
}

/// Colours of the statuses in the dashboard's chart (and its legend).
const STATUS_COLOURS: [(&str, &str); 12] = [
    ("NEW", "#8ecae6"),
    ("SENT", "#219ebc"),
    ("CONFIRMED", "#126782"),
    ("PROVISIONED", "#2a9d8f"),
    ("COMPLETE", "#52b788"),
    ("CANCELED", "#adb5bd"),
    ("HOLD", "#ffb703"),
    ("PAYMENT_HOLD", "#fb8500"),
    ("LIFELINE_HOLD", "#e9c46a"),
    ("JEOPARDY", "#f4a261"),
    ("ERROR", "#d62828"),
    ("FLOW_ERROR", "#9d0208"),
];

fn colour(status: &str) -> &'static str {
    STATUS_COLOURS.iter().find(|(s, _)| *s == status).map_or("#6c757d", |(_, c)| c)
}

pub(crate) fn dashboard(s: &Signed, days: i32, stats: &Value) -> Markup {
    let day_rows = list(&stats["Days"]);
    let totals: Vec<i64> =
        day_rows.iter().map(|d| list(&d["Statuses"]).iter().filter_map(|x| x["Count"].as_i64()).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, bar_gap) = (760.0_f64, 220.0_f64, 4.0_f64);
    let n = day_rows.len().max(1) as f64;
    let bar_w = (w / n - bar_gap).max(2.0);
    layout(
        "Dashboard",
        Some(s),
        html! {
            @if let Some(r) = crate::refusal(stats) { p class="flash refused" role="alert" { (r) } }
            form method="get" action="/console/dashboard" class="filters" hx-get="/console/dashboard" hx-target="main" {
                div { label for="days" { "Days" } input id="days" name="days" type="number" min="1" max="90" value=(days); }
                div { button type="submit" { "Show" } }
            }
            h2 { "Orders created per day, by status now" }
            figure {
                svg role="img" aria-labelledby="orders-chart-title" width=(w) height=(h + 30.0) viewBox={ "0 0 " (w) " " (h + 30.0) } {
                    title id="orders-chart-title" { "Orders created per day over the last " (days) " days, by status" }
                    @for (i, d) in day_rows.iter().enumerate() {
                        @let x = i as f64 * (bar_w + bar_gap);
                        @let mut y = h;
                        @for st in list(&d["Statuses"]) {
                            @let count = st["Count"].as_i64().unwrap_or(0) as f64;
                            @let bar_h = count / max as f64 * (h - 10.0);
                            @let top = { y -= bar_h; y };
                            rect x=(x) y=(top) width=(bar_w) height=(bar_h) fill=(colour(st["Status"].as_str().unwrap_or(""))) {
                                title { (text(&st["Status"])) ": " (count) }
                            }
                        }
                        text x=(x + bar_w / 2.0) y=(h + 14.0) font-size="10" text-anchor="middle" { (text(&d["Date"]).get(5..10).unwrap_or("")) }
                    }
                }
                figcaption class="muted" {
                    @for (st, c) in STATUS_COLOURS {
                        span style={ "display:inline-block;width:.8em;height:.8em;background:" (c) ";margin:0 .25em 0 .8em" } {}
                        (st)
                    }
                }
            }
            table {
                thead { tr { th scope="col" { "Day" } th scope="col" { "Orders" } th scope="col" { "By status" } } }
                tbody { @for (d, total) in day_rows.iter().zip(&totals) {
                    tr {
                        td { (text(&d["Date"]).get(0..10).unwrap_or("")) }
                        td { (total) }
                        td { @for st in list(&d["Statuses"]) { (text(&st["Status"])) " " (text(&st["Count"])) "; " } }
                    }
                } }
            }
            h2 { "Flow-through" }
            (latency_chart(stats))
            table { tbody {
                tr { th scope="row" { "Latency to leave NEW, p50" } td { (text(&stats["FlowThroughP50Ms"])) " ms" } }
                tr { th scope="row" { "Latency to leave NEW, p95" } td { (text(&stats["FlowThroughP95Ms"])) " ms" } }
                tr { th scope="row" { "Orders measured (the most recent sent)" } td { (text(&stats["FlowThroughSamples"])) } }
                tr { th scope="row" { "Orders in the flow-through queue now" } td { (text(&stats["OrdersQueued"])) } }
                tr { th scope="row" { "Event deliveries pending" } td { (text(&stats["EventDeliveriesPending"])) } }
            } }
        },
    )
}

/// The flow-through latency histogram of OrderStats_Query (the buckets `/metrics` shows as
/// `patchbay_client_flow_through_recent_orders`), one bar per bucket.
fn latency_chart(stats: &Value) -> Markup {
    let buckets = list(&stats["FlowThroughBuckets"]);
    let max = buckets.iter().filter_map(|b| b["Count"].as_i64()).max().unwrap_or(0).max(1);
    let label = |b: &Value| match b["LeMs"].as_i64() {
        Some(ms) if ms >= 1000 => format!("≤{}s", ms as f64 / 1000.0),
        Some(ms) => format!("≤{ms}ms"),
        None => "slower".to_string(),
    };
    let (w, h, gap) = (760.0_f64, 160.0_f64, 6.0_f64);
    let bar_w = (w / buckets.len().max(1) as f64 - gap).max(2.0);
    html! {
        figure {
            svg role="img" aria-labelledby="latency-chart-title" width=(w) height=(h + 30.0) viewBox={ "0 0 " (w) " " (h + 30.0) } {
                title id="latency-chart-title" {
                    "Flow-through latency of the " (text(&stats["FlowThroughSamples"])) " most recent orders sent: orders per latency bucket"
                }
                @for (i, b) in buckets.iter().enumerate() {
                    @let count = b["Count"].as_i64().unwrap_or(0);
                    @let bar_h = count as f64 / max as f64 * (h - 16.0);
                    @let x = i as f64 * (bar_w + gap);
                    rect x=(x) y=(h - bar_h) width=(bar_w) height=(bar_h) fill="#1d3557" { title { (label(b)) ": " (count) } }
                    @if count > 0 { text x=(x + bar_w / 2.0) y=(h - bar_h - 3.0) font-size="10" text-anchor="middle" { (count) } }
                    text x=(x + bar_w / 2.0) y=(h + 14.0) font-size="10" text-anchor="middle" { (label(b)) }
                }
            }
            figcaption class="muted" { "Time from an order's creation to its first status change from NEW, the most recent orders sent (at most 1,000)." }
        }
    }
}

pub(crate) fn customer_list(s: &Signed, q: &str, found: &Value) -> Markup {
    let customers = list(&found["Customers"]);
    layout(
        "Customers",
        Some(s),
        html! {
            form method="get" action="/console/customers" class="filters" hx-get="/console/customers" hx-target="main" {
                div { label for="q" { "Customer id, TN or name" } input id="q" name="q" value=(q) required; }
                div { button type="submit" { "Find" } }
            }
            @if let Some(r) = crate::refusal(found) { p class="flash refused" role="alert" { (r) } }
            @else if customers.is_empty() { p { "No customer's name contains " strong { (q) } "." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Customer" } th scope="col" { "Name" } th scope="col" { "Class" } th scope="col" { "Status" } } }
                    tbody { @for c in &customers {
                        tr {
                            td { a href={ "/console/customers/" (text(&c["CustomerID"])) } { (text(&c["CustomerID"])) } }
                            td { (text(&c["Name"])) } td { (text(&c["CustomerClass"])) } td { (text(&c["Status"])) }
                        }
                    } }
                }
                @if found["HasMore"] == true { p class="muted" { "More customers match: narrow the name." } }
            }
        },
    )
}
