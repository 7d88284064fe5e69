//! The command line contract that scripts outside the repo rely on: `serve`, `apply`, `migrate`,
//! run as a real process on a fresh database (SQLite, or PostgreSQL when
//! PATCHBAY_TEST_DATABASE_URL is set).

use std::time::Duration;

mod common;
use common::{call_as_acme, http, patchbay, serve, SETTINGS};

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
