//! Helpers shared by the integration tests.
#![allow(dead_code)]

use patchbay_api::OpInfo;
use patchbay_soap::{decode_request, DecodeError, Limits, SoapCall};

pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// A SOAP 1.1 envelope whose body is `<{op} xmlns="…v20"><Request>{request}</Request></{op}>`.
pub fn envelope(op: &str, request: &str) -> String {
    envelope_in(SOAP11, op, request)
}

pub fn envelope_in(ns: &str, op: &str, request: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <soap:Envelope xmlns:soap=\"{ns}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <soap:Body><{op} xmlns=\"http://api.myh2o.com/v20\"><Request>{request}</Request></{op}>\
         </soap:Body></soap:Envelope>"
    )
}

pub fn decode(xml: &str) -> Result<SoapCall, DecodeError> {
    decode_request(xml.as_bytes(), Some("text/xml; charset=utf-8"), None, &Limits::default())
}

/// Decodes a SOAP 1.1 request for `op` and returns its Request as JSON.
pub fn request(op: &str, inner: &str) -> serde_json::Value {
    let call = decode(&envelope(op, inner)).unwrap_or_else(|e| panic!("decode failed: {e:?}"));
    assert_eq!(call.op.name, op);
    call.request
}

pub fn op(name: &str) -> OpInfo {
    patchbay_api::operations().into_iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no operation {name}"))
}

/// `bytes` with three bytes overwritten at pseudo-random places (xorshift on `seed`, which
/// moves on), for fuzzing a decoder with near-valid input, repeatably.
pub fn with_three_bytes_flipped(seed: &mut u64, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for _ in 0..3 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let at = (*seed as usize) % b.len();
        b[at] = (*seed >> 32) as u8;
    }
    b
}
