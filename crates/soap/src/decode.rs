//! Reading a request envelope into a [`SoapCall`], guided by the compiled schema model.
//!
//! The reader follows asmx's tolerance, because existing clients rely on it: elements are
//! matched by local name (qualified in the v20 namespace or not), unknown elements are
//! ignored, and fields may come in any order. What it does not tolerate is a value that does
//! not fit its xsd type; that is reported with the element path so a client can find it.
//!
//! The JSON produced distinguishes three states the update operations depend on: an element
//! absent or `xsi:nil` leaves the key out ("not given"), an empty string element gives `""`
//! ("make it empty"), and an empty list wrapper gives `[]`.

use crate::envelope;
use crate::guard::{fault, is_nil, request_text, unreachable_eof, Ev, Limits, Xml};
use crate::model::{Kind, Model, StructNode};
use crate::{DecodeError, SoapCall, SoapVersion};
use patchbay_api::{OpInfo, NAMESPACE};
use patchbay_schema::{DateTime, ListStyle, Scalar};
use quick_xml::events::BytesStart;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::str::FromStr;

/// Reads a SOAP request.
///
/// The version comes from the envelope's namespace. `soap_action` (the SOAP 1.1 header) or
/// an `action` parameter of `content_type` (SOAP 1.2), when given and not empty, must name
/// the same operation as the body, as asmx requires.
///
/// The body may be in any encoding a client declares: by a byte order mark, the `charset` of
/// `content_type` (which wins over the XML declaration, as RFC 7303 says), or the XML
/// declaration's `encoding`; UTF-8 when none is named. It is converted to UTF-8 before the
/// hostile-XML guard reads it, so every bound applies to the converted text; a charset this
/// server does not know, or bytes not valid in the named encoding, are a Fault.
pub fn decode_request(
    body: &[u8],
    content_type: Option<&str>,
    soap_action: Option<&str>,
    limits: &Limits,
) -> Result<SoapCall, DecodeError> {
    let text = request_text(body, content_type, limits)?;
    let mut xml = Xml::new(&text, limits)?;
    let (version, op_element, op_empty) = envelope::read_to_operation(&mut xml)?;

    let local = op_element.local_name();
    let name = std::str::from_utf8(local.as_ref()).unwrap_or_default();
    if !xml.in_namespace(&op_element, NAMESPACE) {
        return Err(fault(format!(
            "the operation element {name} must be in the namespace {NAMESPACE}, not {}",
            xml.namespace_of(&op_element).as_deref().unwrap_or("none")
        )));
    }
    let model = Model::get();
    let Some(op) = model.op(name) else {
        return Err(DecodeError::UnknownOperation(name.to_string()));
    };
    let action = soap_action.map(str::to_string).or_else(|| content_type.and_then(action_param));
    if let Some(action) = action {
        let action = action.trim().trim_matches('"');
        let named = action.rsplit('/').next().unwrap_or_default();
        if !action.is_empty() && named != op.info.name {
            return Err(fault(format!(
                "the SOAP action {action} does not match the body's operation {}",
                op.info.name
            )));
        }
    }

    let mut decoder = Decoder { xml, model, path: Vec::new(), version, operation: op.info.name };
    let mut request = Map::new();
    if !op_empty {
        loop {
            match decoder.xml.next()? {
                Ev::Start(e) if e.local_name().as_ref() == b"Request" && !is_nil(&e) => {
                    decoder.path.push(Seg::Name("Request"));
                    request = decoder.read_struct(op.request)?;
                    decoder.path.pop();
                }
                Ev::Start(_) => decoder.xml.skip()?,
                Ev::Empty(_) | Ev::Text(_) => {}
                Ev::End => break,
                Ev::Eof => unreachable_eof()?,
            }
        }
    }
    envelope::read_to_end(&mut decoder.xml)?;
    Ok(SoapCall { version, op: op.info, request: Value::Object(request) })
}

/// Reads a result envelope of `op` back into the JSON object the server encoded it from:
/// the inverse of [`crate::encode_result`], for clients written in Rust (the tests and the
/// benchmark harness).
pub fn decode_result(body: &[u8], op: &OpInfo) -> Result<Value, DecodeError> {
    let limits = Limits::default();
    let text = request_text(body, None, &limits)?;
    let mut xml = Xml::new(&text, &limits)?;
    let (version, element, empty) = envelope::read_to_operation(&mut xml)?;
    let model = Model::get();
    let node = model.op(op.name).ok_or_else(|| DecodeError::UnknownOperation(op.name.to_string()))?;
    let local = element.local_name();
    let name = std::str::from_utf8(local.as_ref()).unwrap_or_default();
    if name == "Fault" {
        return Err(fault("the response is a SOAP Fault".into()));
    }
    if name != format!("{}Response", op.name) {
        return Err(fault(format!("expected {}Response, found {name}", op.name)));
    }
    let mut decoder = Decoder { xml, model, path: Vec::new(), version, operation: node.info.name };
    let mut result = Map::new();
    if !empty {
        loop {
            match decoder.xml.next()? {
                Ev::Start(e) if e.local_name().as_ref().ends_with(b"Result") => {
                    result = decoder.read_struct(node.result)?;
                }
                Ev::Start(_) => decoder.xml.skip()?,
                Ev::Empty(_) | Ev::Text(_) => {}
                Ev::End => break,
                Ev::Eof => unreachable_eof()?,
            }
        }
    }
    envelope::read_to_end(&mut decoder.xml)?;
    Ok(Value::Object(result))
}

/// The `action` parameter of a SOAP 1.2 Content-Type.
fn action_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim().eq_ignore_ascii_case("action").then(|| value.trim().to_string())
    })
}

/// One step of the path named in [`DecodeError::Invalid`].
enum Seg {
    Name(&'static str),
    /// A list item, numbered from 1.
    Item(&'static str, usize),
}

struct Decoder<'a> {
    xml: Xml<'a>,
    model: &'static Model,
    path: Vec<Seg>,
    version: SoapVersion,
    operation: &'static str,
}

impl<'a> Decoder<'a> {
    /// Reads the children of a struct element whose start was just read, up to its end.
    fn read_struct(&mut self, id: usize) -> Result<Map<String, Value>, DecodeError> {
        let node: &'static StructNode = &self.model.structs[id];
        let mut map = Map::new();
        let mut hint = 0;
        loop {
            let (e, empty) = match self.xml.next()? {
                Ev::Start(e) => (e, false),
                Ev::Empty(e) => (e, true),
                Ev::Text(_) => continue,
                Ev::End => return Ok(map),
                Ev::Eof => return unreachable_eof().map(|_| map),
            };
            let Some(i) = node.find(e.local_name().as_ref(), hint) else {
                if !empty {
                    self.xml.skip()?;
                }
                continue;
            };
            hint = i + 1;
            let field = &node.fields[i];
            match &field.list {
                None => {
                    self.path.push(Seg::Name(field.name));
                    let value = self.read_value(field.kind, &e, empty)?;
                    self.path.pop();
                    match value {
                        Some(v) => map.insert(field.name.to_string(), v),
                        None => map.remove(field.name),
                    };
                }
                Some(ListStyle::Repeated) => {
                    let at = map.get(field.name).and_then(Value::as_array).map_or(0, Vec::len);
                    self.path.push(Seg::Item(field.name, at + 1));
                    let value = self.read_value(field.kind, &e, empty)?;
                    self.path.pop();
                    if let Some(v) = value {
                        let entry = map.entry(field.name).or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(items) = entry {
                            items.push(v);
                        }
                    }
                }
                Some(ListStyle::Wrapped { item }) => {
                    if is_nil(&e) {
                        if !empty {
                            self.xml.skip()?;
                        }
                        map.remove(field.name);
                        continue;
                    }
                    self.path.push(Seg::Name(field.name));
                    let items = if empty { Vec::new() } else { self.read_items(item, field.kind)? };
                    self.path.pop();
                    map.insert(field.name.to_string(), Value::Array(items));
                }
            }
        }
    }

    /// Reads the items of a list wrapper whose start was just read. Children with another
    /// name are ignored, as are nil items (a list holds values, not gaps).
    fn read_items(&mut self, item: &'static str, kind: Kind) -> Result<Vec<Value>, DecodeError> {
        let mut items = Vec::new();
        loop {
            let (e, empty) = match self.xml.next()? {
                Ev::Start(e) => (e, false),
                Ev::Empty(e) => (e, true),
                Ev::Text(_) => continue,
                Ev::End => return Ok(items),
                Ev::Eof => return unreachable_eof().map(|_| items),
            };
            if e.local_name().as_ref() != item.as_bytes() {
                if !empty {
                    self.xml.skip()?;
                }
                continue;
            }
            self.path.push(Seg::Item(item, items.len() + 1));
            let value = self.read_value(kind, &e, empty)?;
            self.path.pop();
            items.extend(value);
        }
    }

    /// Reads one value of `kind` from the element `e`; `None` means "not given".
    fn read_value(&mut self, kind: Kind, e: &BytesStart<'_>, empty: bool) -> Result<Option<Value>, DecodeError> {
        if is_nil(e) {
            if !empty {
                self.xml.skip()?;
            }
            return Ok(None);
        }
        match kind {
            Kind::Struct(id) => {
                let map = if empty { Map::new() } else { self.read_struct(id)? };
                Ok(Some(Value::Object(map)))
            }
            Kind::Scalar(scalar) => {
                let text = if empty { Cow::Borrowed("") } else { self.read_text()? };
                scalar_value(scalar, text).map_err(|rule| self.invalid(rule))
            }
            Kind::Enum(id) => {
                let text = if empty { Cow::Borrowed("") } else { self.read_text()? };
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                let def = &self.model.enums[id];
                let members = &def.members;
                if let Some((_, member)) = def.aliases.iter().find(|(alias, _)| *alias == text) {
                    // An accepted spelling of a member (the seeds' INACITVE): passed on as
                    // the member itself, which is also what is written back.
                    Ok(Some(Value::String((*member).to_string())))
                } else if members.contains(&text) {
                    Ok(Some(Value::String(text.to_string())))
                } else {
                    Err(self.invalid(format!("must be one of {}", members.join(", "))))
                }
            }
        }
    }

    /// The text content of an element whose start was just read, up to its end. Child
    /// elements inside a simple value are skipped, as asmx does.
    fn read_text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.xml.next()? {
                Ev::Text(t) if text.is_empty() => text = t,
                Ev::Text(t) => text.to_mut().push_str(&t),
                Ev::Start(_) => self.xml.skip()?,
                Ev::Empty(_) => {}
                Ev::End => return Ok(text),
                Ev::Eof => unreachable_eof()?,
            }
        }
    }

    fn invalid(&self, rule: String) -> DecodeError {
        let mut field = String::new();
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                field.push('/');
            }
            match seg {
                Seg::Name(n) => field.push_str(n),
                Seg::Item(n, at) => field.push_str(&format!("{n}[{at}]")),
            }
        }
        DecodeError::Invalid { version: self.version, operation: self.operation, field, rule }
    }
}

/// Converts the text of a simple element. Strings keep their text exactly (an empty element
/// is the empty string); the other types ignore surrounding whitespace, as xsd does, and an
/// empty element of those types means "not given".
fn scalar_value(scalar: Scalar, text: Cow<'_, str>) -> Result<Option<Value>, String> {
    let t = text.trim();
    if t.is_empty() && scalar != Scalar::String {
        return Ok(None);
    }
    let value = match scalar {
        Scalar::String => Value::String(text.into_owned()),
        Scalar::Int => i32::from_str(t).map(Value::from).map_err(|_| WHOLE_NUMBER)?,
        Scalar::Long => i64::from_str(t).map(Value::from).map_err(|_| WHOLE_NUMBER)?,
        Scalar::Decimal => {
            if !is_decimal_lexical(t) || rust_decimal::Decimal::from_str(t).is_err() {
                return Err("must be a decimal number such as 9.99".into());
            }
            // The exact text: 9.90 must not become 9.9, nor a binary float.
            Value::String(t.to_string())
        }
        Scalar::Boolean => match t {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return Err("must be true or false".into()),
        },
        Scalar::DateTime => {
            DateTime::from_str(t).map_err(|e| e.to_string())?;
            Value::String(t.to_string())
        }
    };
    Ok(Some(value))
}

/// The rule for `int` and `long`; also given for numbers out of range, which are just as
/// unusable.
const WHOLE_NUMBER: &str = "must be a whole number";

/// The `xsd:decimal` lexical form: an optional sign, digits, an optional point and digits,
/// no exponent.
fn is_decimal_lexical(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    (!int.is_empty() || !frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}
