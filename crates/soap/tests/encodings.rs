//! Requests in the encodings real clients send: the encoding is taken from a byte order mark,
//! the Content-Type charset or the XML declaration, and the text is converted to UTF-8 before
//! the hostile-XML guard reads it.

mod common;

use common::*;
use patchbay_soap::{decode_request, DecodeError, Limits, SoapCall, SoapVersion};
use serde_json::json;

/// `envelope(op, request)` with `encoding` in its XML declaration instead of utf-8.
fn declaring(encoding: &str, op: &str, request: &str) -> String {
    envelope(op, request).replacen("encoding=\"utf-8\"", &format!("encoding=\"{encoding}\""), 1)
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character")).collect()
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

fn decode_as(body: &[u8], content_type: Option<&str>) -> Result<SoapCall, DecodeError> {
    decode_request(body, content_type, None, &Limits::default())
}

#[track_caller]
fn fault_of(result: Result<SoapCall, DecodeError>) -> String {
    match result {
        Err(DecodeError::Fault(msg)) => msg,
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn iso_8859_1_from_the_charset_or_the_declaration() {
    let xml = declaring("ISO-8859-1", "Products_Create", "<Description>Müller</Description>");
    let body = latin1(&xml);
    assert!(std::str::from_utf8(&body).is_err(), "the body really is Latin-1");

    let call = decode_as(&body, Some("text/xml; charset=ISO-8859-1")).unwrap();
    assert_eq!(call.request, json!({"Description": "Müller"}));
    // No charset: the XML declaration names it.
    let call = decode_as(&body, Some("text/xml")).unwrap();
    assert_eq!(call.request["Description"], "Müller");
    let call = decode_as(&body, None).unwrap();
    assert_eq!(call.request["Description"], "Müller");
    // SOAP 1.2's media type carries the charset too.
    let xml12 = envelope_in(SOAP12, "Products_Create", "<Description>Müller</Description>");
    let call = decode_as(&latin1(&xml12), Some("application/soap+xml; charset=iso-8859-1")).unwrap();
    assert_eq!((call.version, call.request["Description"].as_str()), (SoapVersion::V12, Some("Müller")));
}

#[test]
fn windows_1252_euro_sign() {
    let xml = declaring("windows-1252", "Products_Create", "<Description>5 € – “plan”</Description>");
    let (body, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&xml);
    assert!(!unmappable);
    assert!(body.contains(&0x80), "€ is 0x80 in windows-1252");
    for content_type in [Some("text/xml; charset=windows-1252"), Some("text/xml; charset=\"cp1252\""), None] {
        let call = decode_as(&body, content_type).unwrap();
        assert_eq!(call.request["Description"], "5 € – “plan”", "{content_type:?}");
    }
}

#[test]
fn utf16_with_a_byte_order_mark() {
    let xml =
        declaring("utf-16", "Products_Create", "<Description>Müller € 漢字 😀</Description><CarrierID>7</CarrierID>");
    let want = json!({"Description": "Müller € 漢字 😀", "CarrierID": 7});
    for body in [utf16le_with_bom(&xml), utf16be_with_bom(&xml)] {
        assert_eq!(decode_as(&body, Some("text/xml; charset=utf-16")).unwrap().request, want);
        assert_eq!(decode_as(&body, None).unwrap().request, want);
        // The byte order mark wins over a charset that names something else.
        assert_eq!(decode_as(&body, Some("text/xml; charset=utf-8")).unwrap().request, want);
    }
    // Without a BOM, a charset naming the byte order is enough…
    let bare: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(decode_as(&bare, Some("text/xml; charset=utf-16le")).unwrap().request, want);
    // …and so are the first bytes of the declaration (XML 1.0 Appendix F).
    assert_eq!(decode_as(&bare, None).unwrap().request, want);
    let bare_be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert_eq!(decode_as(&bare_be, None).unwrap().request, want);
}

#[test]
fn the_charset_parameter_wins_over_the_declaration() {
    // Declared ISO-8859-1, sent as UTF-8 with charset=utf-8: read as UTF-8 (RFC 7303).
    let xml = declaring("ISO-8859-1", "Products_Create", "<Description>Müller</Description>");
    let call = decode_as(xml.as_bytes(), Some("text/xml; charset=utf-8")).unwrap();
    assert_eq!(call.request["Description"], "Müller");
    // Declared utf-8, sent as Latin-1 with charset=ISO-8859-1: read as Latin-1.
    let xml = envelope("Products_Create", "<Description>Müller</Description>");
    let call = decode_as(&latin1(&xml), Some("text/xml; charset=ISO-8859-1")).unwrap();
    assert_eq!(call.request["Description"], "Müller");
    // The charset is believed even when the declaration was right: Latin-1 bytes labelled
    // utf-8 are not UTF-8.
    let xml = declaring("ISO-8859-1", "Products_Create", "<Description>Müller</Description>");
    let msg = fault_of(decode_as(&latin1(&xml), Some("text/xml; charset=utf-8")));
    assert!(msg.contains("not valid utf-8") && msg.contains("Content-Type"), "{msg}");
}

#[test]
fn unknown_charsets_are_faults_naming_them() {
    let xml = envelope("Products_Query", "");
    let msg = fault_of(decode_as(xml.as_bytes(), Some("text/xml; charset=x-martian")));
    assert_eq!(msg, "the charset \"x-martian\" of the Content-Type is not a supported encoding");
    let xml = declaring("EBCDIC-CP-US", "Products_Query", "");
    let msg = fault_of(decode_as(xml.as_bytes(), None));
    assert_eq!(msg, "the encoding \"EBCDIC-CP-US\" of the XML declaration is not a supported encoding");
    // A byte order mark is looked at first, so a charset it overrides is never looked up.
    assert!(decode_as(&utf16le_with_bom(&xml), Some("text/xml; charset=x-martian")).is_ok());
    let msg = fault_of(decode_as(xml.as_bytes(), Some("text/xml; charset=utf-32")));
    assert!(msg.contains("\"utf-32\""), "{msg}");
}

#[test]
fn bytes_invalid_in_the_named_encoding_are_faults() {
    // A lone high surrogate in UTF-16.
    let xml = envelope("Products_Create", "<Description>X</Description>");
    let mut body = utf16le_with_bom(&xml);
    let at = body.windows(2).position(|w| w == [b'X', 0]).unwrap();
    body[at..at + 2].copy_from_slice(&[0x00, 0xD8]);
    let msg = fault_of(decode_as(&body, None));
    assert_eq!(
        msg,
        format!("the request is not valid UTF-16LE (by its byte order mark): invalid bytes at offset {at}")
    );
    // An odd number of bytes is not UTF-16 either.
    let mut odd = utf16le_with_bom(&xml);
    odd.push(b'<');
    assert!(fault_of(decode_as(&odd, None)).contains("not valid UTF-16LE"));
    // A Shift_JIS lead byte followed by a byte that cannot trail it.
    let xml = declaring("Shift_JIS", "Products_Create", "<Description>\u{82}</Description>");
    let body = latin1(&xml);
    let msg = fault_of(decode_as(&body, None));
    assert!(msg.starts_with("the request is not valid Shift_JIS (the encoding of its XML declaration)"), "{msg}");
    // UTF-8, by default, as before.
    let msg = fault_of(decode_as(b"<a>\xff</a>", None));
    assert_eq!(msg, "the request is not UTF-8 (invalid byte at offset 3)");
}

#[test]
fn the_guard_reads_the_converted_text() {
    // A DOCTYPE in UTF-16 is as refused as one in UTF-8, and so is a billion laughs.
    let doctype = format!(
        "<?xml version=\"1.0\" encoding=\"utf-16\"?><!DOCTYPE x [<!ELEMENT x ANY>]>{}",
        envelope("Products_Query", "")
    );
    assert_eq!(fault_of(decode_as(&utf16le_with_bom(&doctype), None)), "DTDs are not allowed");
    assert_eq!(fault_of(decode_as(&utf16be_with_bom(&doctype), None)), "DTDs are not allowed");
    let bare: Vec<u8> = doctype.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(fault_of(decode_as(&bare, Some("text/xml; charset=utf-16le"))), "DTDs are not allowed");
    let laughs = format!(
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>{}",
        envelope("Products_Query", "<State>&lol2;</State>")
    );
    assert_eq!(fault_of(decode_as(&utf16le_with_bom(&laughs), None)), "DTDs are not allowed");
    assert_eq!(fault_of(decode_as(&latin1(&laughs), Some("text/xml; charset=latin1"))), "DTDs are not allowed");
    let entity = envelope("Products_Query", "<!ENTITY x \"y\"><State>a</State>");
    assert_eq!(fault_of(decode_as(&utf16le_with_bom(&entity), None)), "DTDs are not allowed");

    // Depth and element counts apply to the converted text.
    let deep = envelope("Products_Query", &format!("{}{}", "<a>".repeat(100), "</a>".repeat(100)));
    assert!(fault_of(decode_as(&utf16le_with_bom(&deep), None)).contains("nested deeper than the limit of 64"));
    let limits = Limits { max_elements: 100, ..Limits::default() };
    let many = envelope("Products_Query", &"<x/>".repeat(200));
    let msg = fault_of(decode_request(&utf16le_with_bom(&many), None, None, &limits));
    assert!(msg.contains("more than the limit of 100 elements"), "{msg}");
}

#[test]
fn the_size_limit_holds_for_the_body_and_for_its_converted_text() {
    let xml = declaring("utf-16", "Products_Create", &format!("<Description>{}</Description>", "漢".repeat(1000)));
    let body = utf16le_with_bom(&xml);
    // The body as received is bounded as before.
    let limits = Limits { max_body_bytes: body.len() - 1, ..Limits::default() };
    let msg = fault_of(decode_request(&body, None, None, &limits));
    assert_eq!(msg, format!("the request is larger than the limit of {} bytes", body.len() - 1));
    // UTF-16 shrinks ASCII and grows CJK by half; the converted text is held to the limit too.
    assert!(xml.len() > body.len(), "{} UTF-8 bytes from {} UTF-16 bytes", xml.len(), body.len());
    assert!(xml.len() * 2 <= (body.len() - 2) * 3, "UTF-16 grows at most 1.5x");
    let limits = Limits { max_body_bytes: xml.len(), ..Limits::default() };
    assert!(decode_request(&body, None, None, &limits).is_ok());
    let limits = Limits { max_body_bytes: xml.len() - 1, ..Limits::default() };
    let msg = fault_of(decode_request(&body, None, None, &limits));
    assert!(msg.ends_with("once converted to UTF-8"), "{msg}");
    // A single-byte encoding can triple (€ is three bytes in UTF-8): still held to the limit.
    let euros =
        declaring("windows-1252", "Products_Create", &format!("<Description>{}</Description>", "€".repeat(2000)));
    let (body, _, _) = encoding_rs::WINDOWS_1252.encode(&euros);
    let limits = Limits { max_body_bytes: body.len(), ..Limits::default() };
    let msg = fault_of(decode_request(&body, None, None, &limits));
    assert_eq!(msg, format!("the request is larger than the limit of {} bytes once converted to UTF-8", body.len()));
}

#[test]
fn garbage_in_other_encodings_never_panics() {
    let xml = declaring("utf-16", "Products_Create", "<Debug>1</Debug><Description>Müller €</Description>");
    let bodies =
        [utf16le_with_bom(&xml), utf16be_with_bom(&xml), encoding_rs::WINDOWS_1252.encode(&xml).0.into_owned()];
    let content_types = [None, Some("text/xml; charset=utf-16"), Some("text/xml; charset=windows-1252")];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for body in &bodies {
        for end in 0..body.len() {
            for ct in content_types {
                let _ = decode_as(&body[..end], ct);
            }
        }
        for _ in 0..2_000 {
            let b = with_three_bytes_flipped(&mut seed, body);
            let _ = decode_as(&b, content_types[(seed % 3) as usize]);
        }
    }
}
