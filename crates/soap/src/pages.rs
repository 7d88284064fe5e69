//! The human-readable pages asmx serves next to the endpoint: a list of operations, and for
//! each operation sample SOAP 1.1 and 1.2 requests and responses. Integrators use them to
//! write a request by hand, so the samples come from the same model as the codec.

use crate::encode::{escape_attr, escape_text};
use crate::envelope::content_type;
use crate::model::{FieldNode, Kind, Model, OpNode};
use crate::SoapVersion;
use patchbay_api::{NAMESPACE, SERVICE_NAME};
use patchbay_schema::ListStyle;
use std::fmt::Write;

/// The path of the SOAP endpoint, as the hosted service publishes it.
pub const ENDPOINT_PATH: &str = "/v20/default.asmx";

/// How many items the samples show for a list, so that a reader sees it repeat.
const SAMPLE_ITEMS: usize = 2;

const STYLE: &str = "body{font-family:Verdana,sans-serif;margin:2em;color:#000}\
    h1{font-size:1.6em;background:#036;color:#fff;padding:.4em}h2{font-size:1.2em}\
    h3{font-size:1em}pre{background:#e5e5cc;padding:.6em;overflow:auto}\
    li{margin-bottom:.6em}.doc{color:#444;font-size:.9em}";

/// The page listing every operation, each linking to `{base_path}?op={name}`.
pub fn operations_page(base_path: &str) -> String {
    let model = Model::get();
    let mut page = head(SERVICE_NAME);
    page.push_str("<p>The following operations are supported. For a formal definition, please review the <a href=\"");
    escape_attr(&mut page, base_path);
    page.push_str("?WSDL\">Service Description</a>.</p>\n<ul>\n");
    for op in &model.ops {
        page.push_str("<li><a href=\"");
        escape_attr(&mut page, base_path);
        let _ = write!(page, "?op={0}\">{0}</a>", op.info.name);
        let doc = op.info.doc.trim();
        if !doc.is_empty() {
            page.push_str("<br><span class=\"doc\">");
            escape_text(&mut page, doc);
            page.push_str("</span>");
        }
        page.push_str("</li>\n");
    }
    page.push_str("</ul>\n</body>\n</html>\n");
    page
}

/// The page of one operation, or `None` when there is no such operation.
pub fn operation_page(name: &str) -> Option<String> {
    let model = Model::get();
    let op = model.op(name)?;
    let mut page = head(&format!("{SERVICE_NAME}: {name}"));
    let _ = write!(
        page,
        "<p><a href=\"{ENDPOINT_PATH}\">Click here for a complete list of operations.</a></p>\n<h2>{name}</h2>\n"
    );
    let doc = op.info.doc.trim();
    if !doc.is_empty() {
        page.push_str("<p class=\"doc\">");
        escape_text(&mut page, doc);
        page.push_str("</p>\n");
    }
    for (version, title) in [(SoapVersion::V11, "SOAP 1.1"), (SoapVersion::V12, "SOAP 1.2")] {
        let _ = write!(
            page,
            "<h3>{title}</h3>\n<p>The following is a sample {title} request and response. The \
             placeholders shown need to be replaced with actual values.</p>\n"
        );
        for sample in [request_sample(model, op, version), response_sample(model, op, version)] {
            page.push_str("<pre>");
            escape_text(&mut page, &sample);
            page.push_str("</pre>\n");
        }
    }
    page.push_str("</body>\n</html>\n");
    Some(page)
}

fn head(title: &str) -> String {
    let mut page = String::with_capacity(16 * 1024);
    page.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
    escape_text(&mut page, title);
    let _ = write!(page, "</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>");
    escape_text(&mut page, title);
    page.push_str("</h1>\n");
    page
}

fn request_sample(model: &Model, op: &OpNode, version: SoapVersion) -> String {
    let name = op.info.name;
    let mut s = format!(
        "POST {ENDPOINT_PATH} HTTP/1.1\nHost: localhost\nContent-Type: {}\nContent-Length: length\n",
        match version {
            SoapVersion::V11 => content_type(version).to_string(),
            SoapVersion::V12 => format!("{}; action=\"{NAMESPACE}/{name}\"", content_type(version)),
        }
    );
    if version == SoapVersion::V11 {
        let _ = writeln!(s, "SOAPAction: \"{NAMESPACE}/{name}\"");
    }
    s.push('\n');
    envelope_sample(&mut s, version, |s| {
        let _ = writeln!(s, "    <{name} xmlns=\"{NAMESPACE}\">");
        Sample { model, out: s, stack: Vec::new() }.element(3, "Request", Kind::Struct(op.request));
        let _ = writeln!(s, "    </{name}>");
    });
    s
}

fn response_sample(model: &Model, op: &OpNode, version: SoapVersion) -> String {
    let name = op.info.name;
    let mut s = format!("HTTP/1.1 200 OK\nContent-Type: {}\nContent-Length: length\n\n", content_type(version));
    envelope_sample(&mut s, version, |s| {
        let _ = writeln!(s, "    <{name}Response xmlns=\"{NAMESPACE}\">");
        let mut sample = Sample { model, out: s, stack: Vec::new() };
        sample.element(3, &format!("{name}Result"), Kind::Struct(op.result));
        let _ = writeln!(s, "    </{name}Response>");
    });
    s
}

fn envelope_sample(s: &mut String, version: SoapVersion, body: impl FnOnce(&mut String)) {
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<soap:Envelope \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:soap=\"{}\">\n  <soap:Body>\n",
        version.envelope_namespace()
    );
    body(s);
    s.push_str("  </soap:Body>\n</soap:Envelope>\n");
}

/// Writes indented sample XML with placeholder values.
struct Sample<'m, 'o> {
    model: &'m Model,
    out: &'o mut String,
    /// The structs being written, so that a recursive type stops instead of looping.
    stack: Vec<usize>,
}

impl Sample<'_, '_> {
    fn field(&mut self, depth: usize, f: &FieldNode) {
        match &f.list {
            None => self.element(depth, f.name, f.kind),
            Some(ListStyle::Repeated) => {
                for _ in 0..SAMPLE_ITEMS {
                    self.element(depth, f.name, f.kind);
                }
            }
            Some(ListStyle::Wrapped { item }) => {
                self.line(depth, &format!("<{}>", f.name));
                for _ in 0..SAMPLE_ITEMS {
                    self.element(depth + 1, item, f.kind);
                }
                self.line(depth, &format!("</{}>", f.name));
            }
        }
    }

    fn element(&mut self, depth: usize, name: &str, kind: Kind) {
        match kind {
            Kind::Struct(id) if self.stack.contains(&id) || self.model.structs[id].fields.is_empty() => {
                self.line(depth, &format!("<{name} />"));
            }
            Kind::Struct(id) => {
                self.stack.push(id);
                self.line(depth, &format!("<{name}>"));
                for f in &self.model.structs[id].fields {
                    self.field(depth + 1, f);
                }
                self.line(depth, &format!("</{name}>"));
                self.stack.pop();
            }
            Kind::Scalar(s) => self.line(depth, &format!("<{name}>{}</{name}>", s.xsd_name())),
            Kind::Enum(id) => {
                let first = self.model.enums[id].members.first().copied().unwrap_or("string");
                self.line(depth, &format!("<{name}>{first}</{name}>"));
            }
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }
}
