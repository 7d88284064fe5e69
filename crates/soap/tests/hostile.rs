//! Hostile XML is refused quickly, without expanding or recursing through it.

mod common;

use common::*;
use patchbay_soap::{decode_request, DecodeError, Limits};
use std::time::{Duration, Instant};

/// Decodes with `limits` and returns the fault message, failing if it took over a second
/// (every case here is refused after a linear scan at most).
fn fault_with(body: &str, limits: &Limits) -> String {
    let start = Instant::now();
    let result = decode_request(body.as_bytes(), Some("text/xml"), None, limits);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    match result {
        Err(DecodeError::Fault(msg)) => msg,
        other => panic!("expected a fault, got {other:?}"),
    }
}

fn fault(body: &str) -> String {
    fault_with(body, &Limits::default())
}

#[test]
fn doctype_is_refused() {
    let body = format!("<?xml version=\"1.0\"?><!DOCTYPE x [<!ELEMENT x ANY>]>{}", envelope("Products_Query", ""));
    assert_eq!(fault(&body), "DTDs are not allowed");
}

#[test]
fn billion_laughs_is_refused_before_expansion() {
    let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
    }
    dtd.push_str("]>");
    let body = format!("{dtd}{}", envelope("Products_Query", "<State>&lol9;</State>"));
    assert_eq!(fault(&body), "DTDs are not allowed");
}

#[test]
fn stray_entity_declaration_is_refused() {
    let body = envelope("Products_Query", "<!ENTITY x \"y\"><State>a</State>");
    assert_eq!(fault(&body), "DTDs are not allowed");
}

#[test]
fn undefined_entities_are_refused() {
    let msg = fault(&envelope("Products_Query", "<State>&nope;</State>"));
    assert!(msg.contains("undefined entity &nope;"), "{msg}");
    let msg = fault(&envelope("Products_Query", "<State>&#0;</State>"));
    assert!(msg.contains("character reference"), "{msg}");
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let inner = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let msg = fault(&envelope("Products_Query", &inner));
    assert!(msg.contains("nested deeper than the limit of 64"), "{msg}");
    // Also where the reader skips without looking (a SOAP Header block).
    let msg = fault(&format!("<soap:Envelope xmlns:soap=\"{SOAP11}\"><soap:Header>{}", "<a>".repeat(depth)));
    assert!(msg.contains("nested deeper"), "{msg}");
    // Legitimate nesting well under the limit is fine.
    let ok = envelope("Products_Query", &format!("{}{}", "<a>".repeat(40), "</a>".repeat(40)));
    assert!(decode(&ok).is_ok());
}

#[test]
fn oversize_bodies_are_refused() {
    let limits = Limits { max_body_bytes: 1_000, ..Limits::default() };
    let body = envelope("Products_Query", &"<State>TX</State>".repeat(100));
    let msg = fault_with(&body, &limits);
    assert!(msg.contains("larger than the limit of 1000 bytes"), "{msg}");
}

#[test]
fn element_counts_are_limited() {
    let limits = Limits { max_elements: 1_000, ..Limits::default() };
    let body = envelope("Products_Query", &"<x/>".repeat(2_000));
    let msg = fault_with(&body, &limits);
    assert!(msg.contains("more than the limit of 1000 elements"), "{msg}");
    let fine = envelope("Products_Query", &"<x/>".repeat(500));
    assert!(decode_request(fine.as_bytes(), None, None, &limits).is_ok());
}

#[test]
fn wide_elements_are_linear() {
    // Many attributes and namespace declarations on one element: quick-xml's duplicate
    // check would be quadratic, the reader does not use it.
    let attrs: String = (0..50_000).map(|i| format!(" a{i}=\"1\" xmlns:p{i}=\"urn:{i}\"")).collect();
    let body = envelope("Products_Query", &format!("<State{attrs}>TX</State>"));
    let start = Instant::now();
    let call = decode(&body).unwrap();
    assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
    assert_eq!(call.request["State"], "TX");
}

#[test]
fn garbage_never_panics() {
    // A cheap deterministic fuzz: every prefix of a valid request, and byte flips in it.
    let valid = envelope(
        "Products_Create",
        "<Debug>1</Debug><Fields><Field><FieldID>1</FieldID><Value>&amp;</Value></Field></Fields>",
    );
    let bytes = valid.as_bytes();
    for end in 0..bytes.len() {
        let _ = decode_request(&bytes[..end], None, None, &Limits::default());
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..5_000 {
        let b = with_three_bytes_flipped(&mut seed, bytes);
        let _ = decode_request(&b, None, None, &Limits::default());
    }
}
