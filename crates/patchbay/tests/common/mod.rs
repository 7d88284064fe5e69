//! Shared by the command's tests: running `patchbay` as a process.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const SETTINGS: &str = include_str!("../../../../tests/fixtures/settings.toml");

/// Runs `patchbay ARGS` on the database `url`: (succeeded, stdout, stderr).
pub fn patchbay(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(args)
        .env("PATCHBAY_DATABASE_URL", url)
        .env("PATCHBAY_LOG", "error")
        .output()
        .expect("the command runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `patchbay serve`, killed if a test fails before stopping it.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub stdout: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(url: &str, args: &[&str]) -> (Server, Vec<String>) {
    serve_with(url, args, &[])
}

/// [`serve`] with more environment variables.
pub fn serve_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> (Server, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env("PATCHBAY_DATABASE_URL", url)
        .env("PATCHBAY_LOG", "error")
        .envs(env.iter().copied())
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
pub fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
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
pub fn call_as_acme(addr: &str, operation: &str, body: &str) -> (u16, Value) {
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
