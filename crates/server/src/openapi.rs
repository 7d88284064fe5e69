//! The OpenAPI 3.1 document of the JSON binding, generated from the operation declarations.

use crate::AppState;
use axum::extract::State;
use axum::Json;
use patchbay_api::common::{Header, RequestFraming};
use patchbay_schema::{FieldDef, ListStyle, Scalar, Schema, Shape, StructDef};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub async fn document(State(_): State<AppState>) -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(build).clone())
}

pub fn build() -> Value {
    let mut schemas = BTreeMap::new();
    let mut paths = Map::new();
    let framing = struct_of(RequestFraming::shape());
    let header = Header::shape();
    for op in patchbay_api::operations() {
        let input = struct_of((op.input)());
        let output = struct_of((op.output)());
        let request = StructDef {
            name: "",
            doc: "",
            fields: framing.fields.iter().cloned().chain(input.fields.iter().cloned()).collect(),
        };
        let request_name = format!("{}Request", op.name);
        let result_name = format!("{}Result", op.name);
        let request_schema = object(&request, &mut schemas);
        schemas.insert(request_name.clone(), request_schema);
        let mut result_props = Map::new();
        result_props.insert("Header".into(), reference(&header, &mut schemas));
        let mut result_schema = object(&output, &mut schemas);
        if let Some(props) = result_schema.get_mut("properties").and_then(Value::as_object_mut) {
            result_props.extend(std::mem::take(props));
        }
        result_props.insert(
            "Debug".into(),
            json!({
                "type": "object",
                "description": "Present when the request set Debug, or after a fatal processing error.",
                "properties": { "Request": { "$ref": format!("#/components/schemas/{request_name}") } }
            }),
        );
        let mut required = vec![json!("Header")];
        if let Some(Value::Array(r)) = result_schema.get("required") {
            required.extend(r.iter().cloned());
        }
        schemas
            .insert(result_name.clone(), json!({ "type": "object", "properties": result_props, "required": required }));
        paths.insert(
            format!("/api/v20/{}", op.name),
            json!({
                "post": {
                    "operationId": op.name,
                    "summary": op.doc.lines().next().unwrap_or("").trim(),
                    "description": op.doc.lines().map(str::trim).collect::<Vec<_>>().join(" ").trim(),
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{request_name}") } } }
                    },
                    "responses": {
                        "200": {
                            "description": "The Result. Header/Success tells whether the request was carried out; a refused request carries Error_Code, Error_Description and Message.",
                            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{result_name}") } } }
                        },
                        "400": { "description": "The body is not a JSON object.", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{result_name}") } } } },
                        "404": { "description": "No such operation." }
                    }
                }
            }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Patchbay v20 JSON API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The v20 operations with the same field names as the SOAP API. Authenticate with Credentials or Session in the body, or with HTTP Basic as username@client:password. Decimal amounts are written as strings (\"9.99\") so no precision is lost; numbers are accepted too."
        },
        "servers": [{ "url": "/" }],
        "security": [{}, { "basicAuth": [] }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "basicAuth": { "type": "http", "scheme": "basic" } }
        }
    })
}

fn struct_of(shape: Shape) -> StructDef {
    match shape {
        Shape::Struct(s) => s,
        other => panic!("an operation's input and output are structs, not {}", other.type_name()),
    }
}

fn object(s: &StructDef, schemas: &mut BTreeMap<String, Value>) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in &s.fields {
        props.insert(f.name.to_string(), field(f, schemas));
        if !f.optional && f.list.is_none() {
            required.push(json!(f.name));
        }
    }
    let mut out = json!({ "type": "object", "properties": props });
    if !s.doc.is_empty() {
        out["description"] = json!(s.doc);
    }
    if !required.is_empty() {
        out["required"] = json!(required);
    }
    out
}

fn field(f: &FieldDef, schemas: &mut BTreeMap<String, Value>) -> Value {
    let item = reference(&f.item_shape(), schemas);
    let mut schema = match &f.list {
        Some(ListStyle::Wrapped { .. } | ListStyle::Repeated) => json!({ "type": "array", "items": item }),
        None => item,
    };
    if !f.doc.is_empty() {
        if schema.get("$ref").is_some() {
            schema = json!({ "allOf": [schema], "description": f.doc });
        } else {
            schema["description"] = json!(f.doc);
        }
    }
    schema
}

fn reference(shape: &Shape, schemas: &mut BTreeMap<String, Value>) -> Value {
    match shape {
        Shape::Scalar(s) => scalar(*s),
        Shape::Enum(e) => {
            schemas.entry(e.name.to_string()).or_insert_with(|| json!({ "type": "string", "enum": e.members }));
            json!({ "$ref": format!("#/components/schemas/{}", e.name) })
        }
        Shape::Struct(s) => {
            if !schemas.contains_key(s.name) {
                schemas.insert(s.name.to_string(), Value::Null);
                let body = object(s, schemas);
                schemas.insert(s.name.to_string(), body);
            }
            json!({ "$ref": format!("#/components/schemas/{}", s.name) })
        }
    }
}

fn scalar(s: Scalar) -> Value {
    match s {
        Scalar::Int => json!({ "type": "integer", "format": "int32" }),
        Scalar::Long => json!({ "type": "integer", "format": "int64" }),
        Scalar::Decimal => {
            json!({ "type": ["string", "number"], "format": "decimal", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" })
        }
        Scalar::String => json!({ "type": "string" }),
        Scalar::Boolean => json!({ "type": "boolean" }),
        Scalar::DateTime => json!({ "type": "string", "format": "date-time" }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_a_path_and_every_reference_resolves() {
        let doc = super::build();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for op in patchbay_api::operations() {
            assert!(doc["paths"][format!("/api/v20/{}", op.name)]["post"].is_object(), "{}", op.name);
        }
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| *c != '"').collect();
            assert!(schemas.contains_key(&name), "dangling reference {name}");
        }
        let product = &schemas["ProductItem"]["properties"];
        assert_eq!(product["Rate"]["format"], "decimal");
        assert_eq!(product["BillProfiles"]["type"], "array");
    }
}
