//! `patchbay bench-data orders`: a small data set written by the command, then read back
//! through the JSON binding of a `patchbay serve` process (SQLite, or PostgreSQL when
//! PATCHBAY_TEST_DATABASE_URL is set).

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod common;
use common::{patchbay, SETTINGS};

/// A running `patchbay serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("PATCHBAY_DATABASE_URL", url)
        .env("PATCHBAY_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("patchbay serve starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines().map_while(Result::ok);
    let addr = lines
        .find_map(|l| l.strip_prefix("listening on http://").map(|a| a.trim().to_string()))
        .expect("a 'listening on' line");
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, addr }
}

/// One JSON operation as api@acme (HTTP Basic); the answer must be Success=true.
fn call(addr: &str, operation: &str, body: Value) -> Value {
    let request = body.to_string();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /api/v20/{operation} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Basic YXBpQGFjbWU6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{request}",
        request.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, mut text) = raw.split_once("\r\n\r\n").unwrap_or_default();
    let mut body = String::new();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        // Streamed answers come in chunks: a hex length line, the data, CRLF; then a 0 chunk.
        while let Some((size, rest)) = text.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or_else(|_| panic!("chunked: {raw}"));
            body.push_str(&rest[..size]);
            text = rest[size..].strip_prefix("\r\n").unwrap_or(&rest[size..]);
            if size == 0 {
                break;
            }
        }
    } else {
        body.push_str(text);
    }
    let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{operation}: not JSON ({e}): {raw}"));
    assert_eq!(value["Header"]["Success"], true, "{operation} {request}: {value}");
    value
}

/// `NAME (ids A-B)` in the command's summary line.
fn ids(summary: &str, name: &str) -> (i64, i64) {
    let (_, rest) = summary.split_once(&format!("{name} (ids ")).unwrap_or_else(|| panic!("{name} ids: {summary}"));
    let (a, b) = rest.split_once(')').unwrap().0.split_once('-').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[tokio::test]
async fn bench_data_orders_are_found_by_customer_through_the_json_binding() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, SETTINGS).unwrap();
    let (ok, _, err) = patchbay(&url, &["apply", settings.to_str().unwrap()]);
    assert!(ok, "apply failed: {err}");

    let load = ["bench-data", "orders", "--client", "acme", "--customers", "20", "--orders", "200", "--batch", "30"];
    let (ok, out, err) = patchbay(&url, &load);
    assert!(ok, "bench-data failed: {err}");
    assert!(out.contains("20 customers") && out.contains("200 orders"), "{out}");
    let (first_customer, last_customer) = ids(&out, "customers");
    let (first_order, last_order) = ids(&out, "orders");
    assert_eq!((last_customer - first_customer, last_order - first_order), (19, 199), "consecutive ids: {out}");

    let server = serve(&url);
    let addr = server.addr.as_str();
    // Every order is found by its customer, once; paged and streamed searches agree.
    let mut seen = BTreeMap::new();
    let mut types = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    for customer in first_customer..=last_customer {
        let all = call(addr, "Orders_Search", json!({"CustomerID": [customer]}));
        let page = call(addr, "Orders_Search", json!({"CustomerID": [customer], "PageSize": 100, "Page": 1}));
        let orders = all["Orders"].as_array().unwrap();
        assert_eq!(page["RecordCount"], orders.len(), "customer {customer}: {page}");
        assert_eq!(page["Orders"], all["Orders"], "customer {customer}");
        for o in orders {
            assert_eq!(o["CustomerID"], customer, "{o}");
            assert!(seen.insert(o["OrderID"].as_i64().unwrap(), customer).is_none(), "found twice: {o}");
            *types.entry(o["Order_Type"].as_str().unwrap().to_string()).or_insert(0) += 1;
            *statuses.entry(o["Status"].as_str().unwrap().to_string()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), 200, "all orders found");
    assert_eq!(seen.keys().next().copied(), Some(first_order));
    assert_eq!(seen.keys().last().copied(), Some(last_order));
    // A mix, not one kind: a NEW line for each customer that ordered, and others beside.
    assert!(types.len() >= 4 && types.contains_key("NEW") && types.contains_key("CHANGE_FEATURE"), "{types:?}");
    assert!(statuses.len() >= 3 && statuses.contains_key("COMPLETE"), "{statuses:?}");

    // Each order reads back whole. The first is its customer's first: a new line with the
    // package's products.
    for id in [first_order, (first_order + last_order) / 2, last_order] {
        let o = call(addr, "Orders_Query", json!({"OrderID": id}));
        assert_eq!(o["Order"]["OrderID"], id, "{o}");
    }
    let first = call(addr, "Orders_Query", json!({"OrderID": first_order}));
    assert!(matches!(first["Order"]["Order_Type"].as_str(), Some("NEW" | "CONVERSION")), "{first}");
    assert!(first["AddLine"]["Lines"][0]["Products"].as_array().is_some_and(|p| !p.is_empty()), "{first}");

    // Searching by status and provider pages through the same orders.
    let by_status =
        call(addr, "Orders_Search", json!({"Status": ["COMPLETE"], "CarrierID": [10], "PageSize": 100, "Page": 1}));
    assert!(by_status["RecordCount"].as_i64().unwrap() > 0, "{by_status}");
    for o in by_status["Orders"].as_array().unwrap() {
        assert_eq!((o["Status"].as_str(), o["Carrier_ID"].as_i64()), (Some("COMPLETE"), Some(10)), "{o}");
    }
}
