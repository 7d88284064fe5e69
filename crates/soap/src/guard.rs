//! The hostile-XML policy, in one place.
//!
//! Every byte of a request passes through [`Xml`], which wraps quick-xml's streaming reader and
//! refuses, as soon as it sees them, the things that make XML parsers fall over: DTDs (and with
//! them entity expansion, "billion laughs"), undefined entities, documents nested deeper or
//! holding more elements than any real request needs. Nothing is buffered beyond the event at
//! hand, so the cost of a request is linear in its size and an oversized or malicious one is
//! refused after reading only as far as the offending construct.
//!
//! A request reaches [`Xml`] in UTF-8: [`request_text`] checks the body's size first, then
//! converts it from the encoding it declares, so these rules hold whatever encoding was sent.

use crate::DecodeError;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use std::borrow::Cow;

/// Bounds on what one request may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest body read at all.
    pub max_body_bytes: usize,
    /// The deepest element nesting, counting the envelope. Real requests stay under 15.
    pub max_depth: usize,
    /// The most elements in one request. Bulk imports of 100,000 items with a few dozen
    /// fields each are legitimate, so this is high; it bounds work, not memory, which
    /// `max_body_bytes` already bounds.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 64 * 1024 * 1024, max_depth: 64, max_elements: 5_000_000 }
    }
}

/// One event as the decoder needs it: comments, processing instructions and the declaration
/// are dropped, and text, CDATA and character/entity references all arrive as `Text`.
pub(crate) enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    Text(Cow<'a, str>),
    Eof,
}

/// A streaming XML reader that enforces [`Limits`] and the no-DTD rule.
pub(crate) struct Xml<'a> {
    reader: NsReader<&'a [u8]>,
    /// The whole document, for looking at the place of an error.
    text: &'a str,
    limits: &'a Limits,
    depth: usize,
    elements: usize,
}

impl<'a> Xml<'a> {
    /// Starts reading `text`, the request already in UTF-8 (see [`request_text`]). The size
    /// bound is checked again here, on the text that is actually parsed.
    pub(crate) fn new(text: &'a str, limits: &'a Limits) -> Result<Self, DecodeError> {
        if text.len() > limits.max_body_bytes {
            return Err(fault(format!("the request is larger than the limit of {} bytes", limits.max_body_bytes)));
        }
        let mut reader = NsReader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Ok(Xml { reader, text, limits, depth: 0, elements: 0 })
    }

    /// The next event, after the limits and the DTD rule have been applied to it.
    pub(crate) fn next(&mut self) -> Result<Ev<'a>, DecodeError> {
        loop {
            let event = self.reader.read_event().map_err(|e| self.not_well_formed(e))?;
            return Ok(match event {
                Event::Start(e) => {
                    self.count_element()?;
                    self.depth += 1;
                    if self.depth > self.limits.max_depth {
                        return Err(fault(format!(
                            "elements are nested deeper than the limit of {}",
                            self.limits.max_depth
                        )));
                    }
                    Ev::Start(e)
                }
                Event::Empty(e) => {
                    self.count_element()?;
                    Ev::Empty(e)
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Ev::End
                }
                Event::Text(t) => Ev::Text(t.xml10_content().map_err(|e| fault(e.to_string()))?),
                Event::CData(t) => Ev::Text(t.xml10_content().map_err(|e| fault(e.to_string()))?),
                Event::GeneralRef(r) => Ev::Text(Cow::Owned(resolve_reference(&r)?.to_string())),
                Event::DocType(_) => return Err(fault("DTDs are not allowed".into())),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::Eof if self.depth > 0 => {
                    return Err(fault("the document ends before its elements are closed".into()))
                }
                Event::Eof => Ev::Eof,
            });
        }
    }

    /// Reads past the rest of the element whose start was just returned.
    pub(crate) fn skip(&mut self) -> Result<(), DecodeError> {
        let mut open = 1usize;
        while open > 0 {
            match self.next()? {
                Ev::Start(_) => open += 1,
                Ev::End => open -= 1,
                Ev::Empty(_) | Ev::Text(_) => {}
                Ev::Eof => unreachable_eof()?,
            }
        }
        Ok(())
    }

    /// Whether the element just read is in `namespace`, following the `xmlns` declarations in
    /// scope. Only the few elements whose namespace matters (envelope, operation) ask.
    pub(crate) fn in_namespace(&self, e: &BytesStart<'_>, namespace: &str) -> bool {
        self.namespace_of(e).as_deref() == Some(namespace)
    }

    /// The namespace of the element just read, if it has one.
    pub(crate) fn namespace_of(&self, e: &BytesStart<'_>) -> Option<String> {
        match self.reader.resolve_element(e.name()).0 {
            ResolveResult::Bound(Namespace(ns)) => Some(String::from_utf8_lossy(ns).into_owned()),
            _ => None,
        }
    }

    fn count_element(&mut self) -> Result<(), DecodeError> {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(fault(format!(
                "the request holds more than the limit of {} elements",
                self.limits.max_elements
            )));
        }
        Ok(())
    }

    fn not_well_formed(&self, e: quick_xml::Error) -> DecodeError {
        let at = self.reader.error_position();
        // quick-xml reports a stray `<!ENTITY` as unknown markup; name the real reason.
        let rest = usize::try_from(at).ok().and_then(|at| self.text.get(at..));
        if rest.is_some_and(|rest| rest.starts_with("<!ENTITY")) {
            return fault("DTDs are not allowed".into());
        }
        fault(format!("the request is not well-formed XML (at byte {at}): {e}"))
    }
}

/// The text of a request in UTF-8, ready for [`Xml::new`]: the body's size is checked before
/// anything else, then it is read in the encoding it declares ([`crate::charset`]). A UTF-8
/// body is borrowed; a converted one is held to the same size limit as the body.
pub(crate) fn request_text<'b>(
    body: &'b [u8],
    content_type: Option<&str>,
    limits: &Limits,
) -> Result<Cow<'b, str>, DecodeError> {
    if body.len() > limits.max_body_bytes {
        return Err(fault(format!("the request is larger than the limit of {} bytes", limits.max_body_bytes)));
    }
    crate::charset::to_utf8(body, content_type, limits.max_body_bytes)
}

/// `Eof` cannot arrive inside an element ([`Xml::next`] refuses it); this keeps loops honest
/// without a panic should that ever change.
pub(crate) fn unreachable_eof() -> Result<(), DecodeError> {
    Err(fault("the document ends before its elements are closed".into()))
}

/// Whether an element carries `xsi:nil="true"`. Matched by local name so that any prefix
/// bound to the schema-instance namespace works.
pub(crate) fn is_nil(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .with_checks(false)
        .flatten()
        .any(|a| a.key.local_name().as_ref() == b"nil" && matches!(a.value.as_ref(), b"true" | b"1"))
}

/// The five predefined entities and character references; anything else would need a DTD,
/// which is refused, so it is an error.
fn resolve_reference(r: &BytesRef<'_>) -> Result<char, DecodeError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(fault(format!("invalid character reference &{};", String::from_utf8_lossy(r)))),
        };
    }
    match r.as_ref() {
        b"amp" => Ok('&'),
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"apos" => Ok('\''),
        b"quot" => Ok('"'),
        other => Err(fault(format!("undefined entity &{};", String::from_utf8_lossy(other)))),
    }
}

pub(crate) fn fault(message: String) -> DecodeError {
    DecodeError::Fault(message)
}
