//! The WSDL 1.1 document, laid out as asmx lays out its own.
//!
//! Existing clients generate proxies from this document (or from the hosted one it replaces),
//! so it follows asmx's conventions: document/literal wrapped messages (element `{Op}` holding
//! `Request`, element `{Op}Response` holding `{Op}Result`), one complex type per struct name,
//! `ArrayOf{Item}` types for wrapped lists, one port type shared by a SOAP 1.1 and a SOAP 1.2
//! binding, and a service `H2OAPIv20` with a port for each.

use crate::encode::{escape_attr, escape_text};
use crate::model::{FieldNode, Kind, Model};
use patchbay_api::{NAMESPACE, SERVICE_NAME};
use patchbay_schema::ListStyle;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The WSDL for every operation, with both ports at `endpoint_url`.
pub fn wsdl(endpoint_url: &str) -> String {
    let model = Model::get();
    let arrays = ArrayTypes::new(model);
    let mut out = String::with_capacity(128 * 1024);
    let w = &mut out;

    w.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        w,
        "<wsdl:definitions xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" \
         xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\" \
         xmlns:s=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" \
         xmlns:tns=\"{NAMESPACE}\" targetNamespace=\"{NAMESPACE}\">"
    );
    w.push_str("  <wsdl:types>\n");
    let _ = writeln!(w, "    <s:schema elementFormDefault=\"qualified\" targetNamespace=\"{NAMESPACE}\">");
    for op in &model.ops {
        let name = op.info.name;
        let _ = write!(
            w,
            "      <s:element name=\"{name}\">\n        <s:complexType>\n          <s:sequence>\n            \
             <s:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Request\" type=\"tns:{}\" />\n          \
             </s:sequence>\n        </s:complexType>\n      </s:element>\n",
            model.structs[op.request].name
        );
        let _ = write!(
            w,
            "      <s:element name=\"{name}Response\">\n        <s:complexType>\n          <s:sequence>\n            \
             <s:element minOccurs=\"0\" maxOccurs=\"1\" name=\"{name}Result\" type=\"tns:{}\" />\n          \
             </s:sequence>\n        </s:complexType>\n      </s:element>\n",
            model.structs[op.result].name
        );
    }
    for s in &model.structs {
        let _ = writeln!(w, "      <s:complexType name=\"{}\">", s.name);
        annotation(w, "        ", s.doc);
        if s.fields.is_empty() {
            w.push_str("        <s:sequence />\n");
        } else {
            w.push_str("        <s:sequence>\n");
            for f in &s.fields {
                field_element(w, model, &arrays, f);
            }
            w.push_str("        </s:sequence>\n");
        }
        w.push_str("      </s:complexType>\n");
    }
    for a in &arrays.list {
        let _ = write!(
            w,
            "      <s:complexType name=\"{}\">\n        <s:sequence>\n          \
             <s:element minOccurs=\"0\" maxOccurs=\"unbounded\" name=\"{}\" type=\"{}\" />\n        \
             </s:sequence>\n      </s:complexType>\n",
            a.name, a.item, a.item_type
        );
    }
    for e in &model.enums {
        let _ = writeln!(w, "      <s:simpleType name=\"{}\">", e.name);
        annotation(w, "        ", e.doc);
        w.push_str("        <s:restriction base=\"s:string\">\n");
        for m in &e.members {
            let _ = writeln!(w, "          <s:enumeration value=\"{m}\" />");
        }
        w.push_str("        </s:restriction>\n      </s:simpleType>\n");
    }
    w.push_str("    </s:schema>\n  </wsdl:types>\n");

    for op in &model.ops {
        let name = op.info.name;
        let _ = write!(
            w,
            "  <wsdl:message name=\"{name}SoapIn\">\n    <wsdl:part name=\"parameters\" element=\"tns:{name}\" />\n  </wsdl:message>\n\
             \x20 <wsdl:message name=\"{name}SoapOut\">\n    <wsdl:part name=\"parameters\" element=\"tns:{name}Response\" />\n  </wsdl:message>\n"
        );
    }

    let _ = writeln!(w, "  <wsdl:portType name=\"{SERVICE_NAME}Soap\">");
    for op in &model.ops {
        let name = op.info.name;
        let _ = writeln!(w, "    <wsdl:operation name=\"{name}\">");
        if !op.info.doc.trim().is_empty() {
            w.push_str("      <wsdl:documentation xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">");
            escape_text(w, op.info.doc.trim());
            w.push_str("</wsdl:documentation>\n");
        }
        let _ = write!(
            w,
            "      <wsdl:input message=\"tns:{name}SoapIn\" />\n      <wsdl:output message=\"tns:{name}SoapOut\" />\n    </wsdl:operation>\n"
        );
    }
    w.push_str("  </wsdl:portType>\n");

    for (binding, prefix) in [("Soap", "soap"), ("Soap12", "soap12")] {
        let _ = write!(
            w,
            "  <wsdl:binding name=\"{SERVICE_NAME}{binding}\" type=\"tns:{SERVICE_NAME}Soap\">\n    \
             <{prefix}:binding transport=\"http://schemas.xmlsoap.org/soap/http\" />\n"
        );
        for op in &model.ops {
            let name = op.info.name;
            let _ = write!(
                w,
                "    <wsdl:operation name=\"{name}\">\n      \
                 <{prefix}:operation soapAction=\"{NAMESPACE}/{name}\" style=\"document\" />\n      \
                 <wsdl:input>\n        <{prefix}:body use=\"literal\" />\n      </wsdl:input>\n      \
                 <wsdl:output>\n        <{prefix}:body use=\"literal\" />\n      </wsdl:output>\n    \
                 </wsdl:operation>\n"
            );
        }
        w.push_str("  </wsdl:binding>\n");
    }

    let _ = writeln!(w, "  <wsdl:service name=\"{SERVICE_NAME}\">");
    for (binding, prefix) in [("Soap", "soap"), ("Soap12", "soap12")] {
        let _ = write!(
            w,
            "    <wsdl:port name=\"{SERVICE_NAME}{binding}\" binding=\"tns:{SERVICE_NAME}{binding}\">\n      \
             <{prefix}:address location=\""
        );
        escape_attr(w, endpoint_url);
        w.push_str("\" />\n    </wsdl:port>\n");
    }
    w.push_str("  </wsdl:service>\n</wsdl:definitions>\n");
    out
}

/// One `<s:element>` of a complex type's sequence.
fn field_element(w: &mut String, model: &Model, arrays: &ArrayTypes, f: &FieldNode) {
    let min = if f.optional { "0" } else { "1" };
    let (min, max, ty, nillable) = match &f.list {
        None => {
            let simple = !matches!(f.kind, Kind::Struct(_));
            (min, "1", type_ref(model, f.kind), f.optional && simple)
        }
        // Zero occurrences is how an empty repeated list travels.
        Some(ListStyle::Repeated) => ("0", "unbounded", type_ref(model, f.kind), false),
        Some(ListStyle::Wrapped { item }) => {
            (min, "1", format!("tns:{}", arrays.name(item, &type_ref(model, f.kind))), false)
        }
    };
    let _ = write!(
        w,
        "          <s:element minOccurs=\"{min}\" maxOccurs=\"{max}\" name=\"{}\"{} type=\"{ty}\"",
        f.name,
        if nillable { " nillable=\"true\"" } else { "" }
    );
    if f.doc.trim().is_empty() {
        w.push_str(" />\n");
    } else {
        w.push_str(">\n");
        annotation(w, "            ", f.doc);
        w.push_str("          </s:element>\n");
    }
}

fn annotation(w: &mut String, indent: &str, doc: &str) {
    let doc = doc.trim();
    if doc.is_empty() {
        return;
    }
    let _ = write!(w, "{indent}<s:annotation>\n{indent}  <s:documentation>");
    escape_text(w, doc);
    let _ = writeln!(w, "</s:documentation>\n{indent}</s:annotation>");
}

/// The qualified xsd type of a value: `s:int`, `tns:CustomField`.
fn type_ref(model: &Model, kind: Kind) -> String {
    match kind {
        Kind::Scalar(s) => format!("s:{}", s.xsd_name()),
        Kind::Enum(id) => format!("tns:{}", model.enums[id].name),
        Kind::Struct(id) => format!("tns:{}", model.structs[id].name),
    }
}

struct ArrayType {
    name: String,
    item: &'static str,
    item_type: String,
}

/// The `ArrayOf…` complex types of wrapped lists, named as asmx's XmlSerializer names them:
/// `ArrayOf` and the item element's name in Pascal case (`ArrayOfInt`, `ArrayOfField`), with
/// a number appended when that name is taken by a list of something else.
struct ArrayTypes {
    list: Vec<ArrayType>,
    by_key: HashMap<(&'static str, String), usize>,
}

impl ArrayTypes {
    fn new(model: &Model) -> Self {
        let mut taken: HashSet<String> = model.structs.iter().map(|s| s.name.clone()).collect();
        taken.extend(model.enums.iter().map(|e| e.name.to_string()));
        let mut types = ArrayTypes { list: Vec::new(), by_key: HashMap::new() };
        for f in model.structs.iter().flat_map(|s| &s.fields) {
            let Some(ListStyle::Wrapped { item }) = &f.list else {
                continue;
            };
            let item_type = type_ref(model, f.kind);
            let key = (*item, item_type.clone());
            if types.by_key.contains_key(&key) {
                continue;
            }
            let base = format!("ArrayOf{}", pascal(item));
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            taken.insert(name.clone());
            types.by_key.insert(key, types.list.len());
            types.list.push(ArrayType { name, item, item_type });
        }
        types
    }

    fn name(&self, item: &'static str, item_type: &str) -> &str {
        self.by_key.get(&(item, item_type.to_string())).map_or("", |&i| self.list[i].name.as_str())
    }
}

fn pascal(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_names_follow_the_item_and_stay_unique() {
        let model = Model::get();
        let arrays = ArrayTypes::new(model);
        let names: HashSet<_> = arrays.list.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), arrays.list.len(), "array type names must be unique");
        assert_eq!(arrays.name("Field", "tns:CustomField"), "ArrayOfField");
        assert_eq!(arrays.name("int", "s:int"), "ArrayOfInt");
        // Products_Query's Product (ProductItem) and a service's Product (CustomerProduct)
        // are different lists with the same item name.
        let product = arrays.name("Product", "tns:ProductItem");
        let customer_product = arrays.name("Product", "tns:CustomerProduct");
        assert!(!product.is_empty() && !customer_product.is_empty());
        assert_ne!(product, customer_product);
    }
}
