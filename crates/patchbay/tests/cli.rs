//! The command line contract that scripts outside the repo rely on: `serve`, `apply`, `migrate`,
//! run as a real process on a fresh database (SQLite, or PostgreSQL when
//! PATCHBAY_TEST_DATABASE_URL is set).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;
use common::{patchbay, SETTINGS};

#[tokio::test]
async fn migrate_then_apply_is_idempotent() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let (ok, _, err) = patchbay(&url, &["migrate"]);
    assert!(ok, "migrate failed: {err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.toml");
    std::fs::write(&file, SETTINGS).unwrap();
    let file = file.to_str().unwrap();

    let (ok, first, err) = patchbay(&url, &["apply", file]);
    assert!(ok, "apply failed: {err}");
    assert!(first.contains("applied client acme") && first.contains("applied client globex"), "{first}");
    let (ok, second, err) = patchbay(&url, &["apply", file]);
    assert!(ok, "second apply failed: {err}");
    assert!(second.contains("client acme already up to date"), "{second}");
    assert!(second.contains("client globex already up to date"), "{second}");
}

#[tokio::test]
async fn a_bad_settings_file_stops_with_one_line_and_writes_nothing() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // A package naming a product that does not exist names both, and the line.
        (SETTINGS.replace("products = [100, 101]", "products = [100, 999]"), &["package 1000", "product 999"][..]),
        // A misspelt key is an error, not silently ignored.
        (SETTINGS.replace("session_idle_minutes = 20", "session_idle_minuets = 20"), &["session_idle_minuets"][..]),
    ];
    for (i, (text, wanted)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&file, text).unwrap();
        let (ok, _, err) = patchbay(&url, &["apply", file.to_str().unwrap()]);
        assert!(!ok, "a bad file was accepted");
        let lines: Vec<&str> = err.trim().lines().collect();
        assert_eq!(lines.len(), 1, "expected one line, got: {err}");
        let line = lines[0];
        assert!(line.contains(&format!("bad{i}.toml:")), "the file and line are named: {line}");
        assert!(line.split(':').nth(2).is_some_and(|n| n.trim().parse::<u32>().is_ok()), "a line number: {line}");
        for w in *wanted {
            assert!(line.contains(w), "{w:?} is named: {line}");
        }
    }
    // Nothing was written: the good file is new to this database.
    let good = dir.path().join("good.toml");
    std::fs::write(&good, SETTINGS).unwrap();
    let (ok, out, err) = patchbay(&url, &["apply", good.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("applied client acme"), "{out}");
}

/// A running `patchbay serve`, killed if a test fails before stopping it.
struct Server {
    child: Child,
    addr: String,
    stdout: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(url: &str, args: &[&str]) -> (Server, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env("PATCHBAY_DATABASE_URL", url)
        .env("PATCHBAY_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("patchbay serve starts");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let addr = loop {
        let line =
            rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("no 'listening on' line: {seen:?}"));
        if let Some(addr) = line.strip_prefix("listening on http://") {
            break addr.trim().to_string();
        }
        seen.push(line);
    };
    (Server { child, addr, stdout: rx }, seen)
}

/// One HTTP/1.1 exchange on a fresh connection: (status, body).
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// The README's curl call: a JSON operation with HTTP Basic `api@acme:correct horse battery`.
fn call_as_acme(addr: &str, operation: &str, body: &str) -> (u16, Value) {
    let basic = "Basic YXBpQGFjbWU6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5";
    let (status, body) = http(
        addr,
        "POST",
        &format!("/api/v20/{operation}"),
        &[("Authorization", basic), ("Content-Type", "application/json")],
        body,
    );
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{operation}: not JSON ({e}): {body}"));
    (status, value)
}

#[tokio::test]
async fn serve_demo_answers_the_readme_call_and_stops_cleanly_on_sigterm() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let (mut server, before) = serve(&url, &["--demo"]);
    let welcome = before.join("\n");
    assert!(welcome.contains("correct horse battery"), "demo credentials are printed: {welcome}");
    assert!(welcome.contains("curl -s -u 'api@acme:correct horse battery'"), "a curl example is printed: {welcome}");
    assert!(!server.addr.ends_with(":0"), "the real port is printed: {}", server.addr);

    let (status, v) = call_as_acme(&server.addr, "Products_Query", r#"{"ProductID": 100}"#);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["Header"]["Success"], true, "{v}");
    assert_eq!(v["Products"][0]["Name"], "Unlimited Talk & Text");
    // The demo's customers and inventory are there.
    let (_, v) = call_as_acme(&server.addr, "Customers_Query", r#"{"CustomerID": 1}"#);
    assert_eq!(v["Customer"]["FirstName"], "Dana", "{v}");
    let line = &v["Customer"]["Services"][0];
    assert_eq!(line["TN"], "5125550100", "the demo customer has a line: {v}");
    assert_eq!(line["Products"].as_array().map(Vec::len), Some(2), "{line}");
    let on_line: Vec<&str> =
        line["Inventory"].as_array().unwrap().iter().filter_map(|i| i["InventoryType"].as_str()).collect();
    assert_eq!(on_line, ["SIM_Card", "Telephone_Number"], "{line}");
    let (_, v) = call_as_acme(&server.addr, "InventoryTypes_Query", "{}");
    assert!(v["InventoryTypes"].as_array().is_some_and(|t| t.len() >= 3), "{v}");
    assert_eq!(http(&server.addr, "GET", "/healthz", &[], "").0, 200);
    assert_eq!(http(&server.addr, "GET", "/readyz", &[], "").0, 200);

    // SIGTERM: stop accepting, finish, close the database, exit 0.
    let pid = server.child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = server.child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = status.expect("the server stops within 10 s of SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    drop(server.stdout.try_recv());

    // A second start on the same database keeps the demo data as it is (no duplicates).
    let (server, _) = serve(&url, &["--demo"]);
    let (_, v) = call_as_acme(&server.addr, "Customers_Query", r#"{"CustomerID": 5}"#);
    assert_eq!(v["Header"]["Error_Code"], "C2002", "the demo customers were not created twice: {v}");
}

#[tokio::test]
async fn an_unusable_listen_address_is_one_clear_line() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let (ok, _, err) = patchbay(&url, &["serve", "--listen", "bogus"]);
    assert!(!ok);
    let lines: Vec<&str> = err.trim().lines().filter(|l| l.starts_with("patchbay:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("\"bogus\"") && lines[0].contains("address and port"), "{err}");
}
