//! Writing a result envelope from JSON, in schema order.
//!
//! Generated proxies (and asmx's own XmlSerializer) read a sequence in its declared order, so
//! the order of elements comes from the compiled model, never from the JSON object. The whole
//! response is written into one `String`; there is no DOM.

use crate::envelope;
use crate::model::{Kind, Model};
use crate::SoapVersion;
use patchbay_api::{OpInfo, NAMESPACE};
use patchbay_schema::ListStyle;
use serde_json::{Map, Value};
use std::fmt::Write;

/// The response envelope for `op`. `result` is `{"Header": {…}, …the outputs…, "Debug":
/// {"Request": {…}}}`; keys that are missing or null are left out, keys the schema does not
/// know are ignored.
pub fn encode_result(version: SoapVersion, op: &OpInfo, result: &Value) -> String {
    encode_result_around(version, op, result, None).0
}

/// A result envelope whose top-level list output `field` is written later, item by item
/// ([`StreamedResult::items`]): the envelope up to the list's items and the rest after them.
pub struct StreamedResult {
    pub head: String,
    pub tail: String,
    item: &'static str,
    kind: Kind,
}

impl StreamedResult {
    /// `items` as the list's item elements.
    pub fn items(&self, items: &[Value]) -> String {
        let model = Model::get();
        let mut out = String::with_capacity(256 * items.len());
        let mut w = Writer { model, out: &mut out, split_at: None, split: None };
        for v in items {
            w.element(self.item, self.kind, v);
        }
        out
    }
}

/// Splits the envelope of `result` around the items of its list output `field`; `None` when
/// the operation has no such wrapped list.
pub fn encode_result_streamed(
    version: SoapVersion,
    op: &OpInfo,
    result: &Value,
    field: &'static str,
) -> Option<StreamedResult> {
    let model = Model::get();
    let node = model.op(op.name)?;
    let f = model.structs[node.result].fields.iter().find(|f| f.name == field)?;
    let (item, kind) = match &f.list {
        Some(ListStyle::Wrapped { item }) => (*item, f.kind),
        _ => return None,
    };
    let (out, split) = encode_result_around(version, op, result, Some(field));
    let split = split?;
    let (head, tail) = out.split_at(split);
    Some(StreamedResult { head: head.to_string(), tail: tail.to_string(), item, kind })
}

fn encode_result_around(
    version: SoapVersion,
    op: &OpInfo,
    result: &Value,
    split_at: Option<&'static str>,
) -> (String, Option<usize>) {
    let shared = Model::get();
    // An OpInfo outside `operations()` (a test's, say) gets a model of its own.
    let adhoc;
    let (model, node) = match shared.op(op.name) {
        Some(node) => (shared, node),
        None => {
            adhoc = Model::build(std::slice::from_ref(op));
            (&adhoc, &adhoc.ops[0])
        }
    };
    let empty = Map::new();
    let fields = result.as_object().unwrap_or(&empty);

    let mut out = String::with_capacity(1024);
    envelope::open(version, &mut out);
    let _ = write!(out, "<{0}Response xmlns=\"{NAMESPACE}\"><{0}Result>", op.name);
    let mut w = Writer { model, out: &mut out, split_at, split: None };
    w.struct_content(node.result, fields);
    let split = w.split;
    let _ = write!(out, "</{0}Result></{0}Response>", op.name);
    envelope::close(&mut out);
    (out, split)
}

/// The request envelope for `op`, from a request object (`{"Credentials": {…}, …the
/// operation's fields…}`): what a client sends. The server never calls this; Rust clients
/// (the tests and the benchmark harness) do.
pub fn encode_request(version: SoapVersion, op: &OpInfo, request: &Value) -> String {
    let model = Model::get();
    let node = model.op(op.name).unwrap_or_else(|| panic!("{} is not an operation of this server", op.name));
    let empty = Map::new();
    let fields = request.as_object().unwrap_or(&empty);
    let mut out = String::with_capacity(512);
    envelope::open(version, &mut out);
    let _ = write!(out, "<{0} xmlns=\"{NAMESPACE}\"><Request>", op.name);
    Writer { model, out: &mut out, split_at: None, split: None }.struct_content(node.request, fields);
    let _ = write!(out, "</Request></{0}>", op.name);
    envelope::close(&mut out);
    out
}

struct Writer<'m, 'o> {
    model: &'m Model,
    out: &'o mut String,
    /// A top-level list whose items are written later: its wrapper is written open and
    /// closed, and `split` is where the items go.
    split_at: Option<&'static str>,
    split: Option<usize>,
}

impl Writer<'_, '_> {
    fn struct_content(&mut self, id: usize, fields: &Map<String, Value>) {
        for field in &self.model.structs[id].fields {
            if self.split_at == Some(field.name) {
                self.split_at = None;
                self.start(field.name);
                self.split = Some(self.out.len());
                self.end(field.name);
                continue;
            }
            let value = match fields.get(field.name) {
                None | Some(Value::Null) => continue,
                Some(v) => v,
            };
            match &field.list {
                None => self.element(field.name, field.kind, value),
                Some(ListStyle::Repeated) => {
                    for item in items(value) {
                        self.element(field.name, field.kind, item);
                    }
                }
                Some(ListStyle::Wrapped { item }) => {
                    let mut items = items(value).peekable();
                    if items.peek().is_none() {
                        self.empty(field.name);
                        continue;
                    }
                    self.start(field.name);
                    for v in items {
                        self.element(item, field.kind, v);
                    }
                    self.end(field.name);
                }
            }
        }
    }

    fn element(&mut self, name: &str, kind: Kind, value: &Value) {
        match (kind, value) {
            (_, Value::Null) => {}
            (Kind::Struct(_), Value::Object(map)) if map.is_empty() => self.empty(name),
            (Kind::Struct(id), Value::Object(map)) => {
                self.start(name);
                self.struct_content(id, map);
                self.end(name);
            }
            // A value of the wrong kind is a bug elsewhere; leaving it out keeps the document
            // valid against the WSDL.
            (Kind::Struct(_), _) | (_, Value::Object(_) | Value::Array(_)) => {}
            (_, Value::String(s)) if s.is_empty() => self.empty(name),
            (_, Value::String(s)) => {
                self.start(name);
                escape_text(self.out, s);
                self.end(name);
            }
            (_, Value::Bool(b)) => {
                self.start(name);
                self.out.push_str(if *b { "true" } else { "false" });
                self.end(name);
            }
            (_, Value::Number(n)) => {
                self.start(name);
                let _ = write!(self.out, "{n}");
                self.end(name);
            }
        }
    }

    fn start(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn empty(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" />");
    }
}

/// The items of a list value; a lone value is a list of one, null items are skipped.
fn items(value: &Value) -> impl Iterator<Item = &Value> {
    let slice = match value {
        Value::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    slice.iter().filter(|v| !v.is_null())
}

/// Appends `s` escaped for element content. Carriage returns are written as references so
/// that they survive the reader's end-of-line normalization, and characters XML 1.0 cannot
/// carry at all are replaced with U+FFFD rather than producing a document no client can read.
pub(crate) fn escape_text(out: &mut String, s: &str) {
    escape(out, s, false);
}

/// Appends `s` escaped for a double-quoted attribute value.
pub(crate) fn escape_attr(out: &mut String, s: &str) {
    escape(out, s, true);
}

fn escape(out: &mut String, s: &str, attr: bool) {
    let needs =
        |c: char| matches!(c, '&' | '<' | '>' | '\r') || (attr && matches!(c, '"' | '\n' | '\t')) || !is_xml_char(c);
    let mut rest = s;
    while let Some(at) = rest.find(needs) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or('\u{FFFD}');
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            _ => out.push('\u{FFFD}'),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

/// The characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
