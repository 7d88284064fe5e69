//! The SOAP envelope: the two versions' namespaces and content types, reading down to the
//! Body, writing the envelope around a body, and faults.

use crate::encode::escape_text;
use crate::guard::{fault as decode_fault, Ev, Xml};
use crate::{DecodeError, SoapVersion};
use quick_xml::events::BytesStart;

pub(crate) const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The Content-Type of a response in `version`.
pub fn content_type(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

/// A SOAP Fault envelope. `sender` says whose fault it is: the client's (an envelope that
/// cannot be read: `soap:Client` / `soap:Sender`) or the server's (`soap:Server` /
/// `soap:Receiver`). Faults are only for requests that cannot be read at all; a refused but
/// understood request is a normal result with `Header/Success = false`.
pub fn fault(version: SoapVersion, sender: bool, message: &str) -> String {
    let mut out = String::with_capacity(512 + message.len());
    open(version, &mut out);
    out.push_str("<soap:Fault>");
    match version {
        SoapVersion::V11 => {
            out.push_str("<faultcode>");
            out.push_str(if sender { "soap:Client" } else { "soap:Server" });
            out.push_str("</faultcode><faultstring>");
            escape_text(&mut out, message);
            out.push_str("</faultstring><detail />");
        }
        SoapVersion::V12 => {
            out.push_str("<soap:Code><soap:Value>");
            out.push_str(if sender { "soap:Sender" } else { "soap:Receiver" });
            out.push_str("</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
            escape_text(&mut out, message);
            out.push_str("</soap:Text></soap:Reason><soap:Detail />");
        }
    }
    out.push_str("</soap:Fault>");
    close(&mut out);
    out
}

/// Writes the XML declaration and opens `soap:Envelope` and `soap:Body`, declaring the
/// prefixes asmx declares.
pub(crate) fn open(version: SoapVersion, out: &mut String) {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"");
    out.push_str(version.envelope_namespace());
    out.push_str(
        "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body>",
    );
}

pub(crate) fn close(out: &mut String) {
    out.push_str("</soap:Body></soap:Envelope>");
}

/// Reads from the start of the document to the first element inside `soap:Body` and returns
/// the envelope's version with that element (the operation) and whether it was empty.
///
/// The envelope namespace decides the version: it is what the client's SOAP stack actually
/// wrote, while Content-Type values vary between stacks and proxies. Header blocks are
/// skipped (nothing in v20 travels in them).
pub(crate) fn read_to_operation<'a>(xml: &mut Xml<'a>) -> Result<(SoapVersion, BytesStart<'a>, bool), DecodeError> {
    let envelope = loop {
        match xml.next()? {
            Ev::Start(e) => break e,
            Ev::Empty(_) => return Err(no_body()),
            Ev::Text(t) if t.trim().is_empty() => {}
            Ev::Text(_) => return Err(decode_fault("text before the SOAP envelope".into())),
            Ev::End | Ev::Eof => return Err(decode_fault("the request is empty".into())),
        }
    };
    if envelope.local_name().as_ref() != b"Envelope" {
        return Err(decode_fault(format!(
            "not a SOAP envelope: the document element is {}",
            String::from_utf8_lossy(envelope.name().as_ref())
        )));
    }
    let version = match xml.namespace_of(&envelope).as_deref() {
        Some(SOAP11_NS) => SoapVersion::V11,
        Some(SOAP12_NS) => SoapVersion::V12,
        other => {
            return Err(decode_fault(format!(
                "the envelope's namespace must be {SOAP11_NS} (SOAP 1.1) or {SOAP12_NS} \
                 (SOAP 1.2), not {}",
                other.unwrap_or("none")
            )))
        }
    };
    loop {
        match xml.next()? {
            Ev::Start(e) if e.local_name().as_ref() == b"Body" => break,
            Ev::Start(_) => xml.skip()?,
            Ev::Empty(e) if e.local_name().as_ref() == b"Body" => {
                return Err(decode_fault("the SOAP Body is empty".into()))
            }
            Ev::Empty(_) | Ev::Text(_) => {}
            Ev::End | Ev::Eof => return Err(no_body()),
        }
    }
    loop {
        match xml.next()? {
            Ev::Start(e) => return Ok((version, e, false)),
            Ev::Empty(e) => return Ok((version, e, true)),
            Ev::Text(_) => {}
            Ev::End | Ev::Eof => return Err(decode_fault("the SOAP Body is empty".into())),
        }
    }
}

/// Reads to the end of the document, so that a request whose envelope is not well-formed
/// after the operation is refused like any other malformed request.
pub(crate) fn read_to_end(xml: &mut Xml<'_>) -> Result<(), DecodeError> {
    while !matches!(xml.next()?, Ev::Eof) {}
    Ok(())
}

fn no_body() -> DecodeError {
    decode_fault("the SOAP envelope has no Body".into())
}
