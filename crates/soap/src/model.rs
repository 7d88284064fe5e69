//! The schema model of every operation, compiled once into flat tables.
//!
//! `Schema::shape()` builds its description on each call and nested types are behind function
//! pointers, which is right for a declaration but too slow to walk per request. [`Model`]
//! resolves every shape reachable from [`patchbay_api::operations()`] once, into structs and
//! enums addressed by index, and adds the types the SOAP binding synthesizes per operation:
//! `{Op}Request` (the framing fields, then the operation's inputs), `{Op}Result` (Header, then
//! the outputs, then Debug) and `{Op}Debug` (the request echoed back).
//!
//! Types are identified by name, as the WSDL identifies them. Two different shapes sharing a
//! name still get separate entries (so the codec stays correct) but are recorded in
//! [`Model::conflicts`], which a unit test keeps empty.

use patchbay_api::common::{Header, RequestFraming};
use patchbay_api::OpInfo;
use patchbay_schema::{EnumDef, FieldDef, ListStyle, Scalar, Schema, Shape};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a field or list item holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Scalar(Scalar),
    /// An index into [`Model::enums`].
    Enum(usize),
    /// An index into [`Model::structs`].
    Struct(usize),
}

#[derive(Debug)]
pub(crate) struct FieldNode {
    pub name: &'static str,
    pub doc: &'static str,
    pub optional: bool,
    pub list: Option<ListStyle>,
    pub kind: Kind,
}

#[derive(Debug)]
pub(crate) struct StructNode {
    pub name: String,
    pub doc: &'static str,
    pub fields: Vec<FieldNode>,
}

impl StructNode {
    /// The field named `name`, searching from `hint` onwards first: documents list fields in
    /// schema order, so the next field is almost always at or just after the previous one.
    pub fn find(&self, name: &[u8], hint: usize) -> Option<usize> {
        let n = self.fields.len();
        (0..n).map(|i| (hint + i) % n).find(|&i| self.fields[i].name.as_bytes() == name)
    }
}

pub(crate) struct OpNode {
    pub info: OpInfo,
    /// `{Op}Request`.
    pub request: usize,
    /// `{Op}Result`.
    pub result: usize,
}

pub(crate) struct Model {
    pub structs: Vec<StructNode>,
    pub enums: Vec<EnumDef>,
    pub ops: Vec<OpNode>,
    by_name: HashMap<&'static str, usize>,
    /// Descriptions of type names used for more than one shape; empty in a correct build
    /// (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub conflicts: Vec<String>,
}

impl Model {
    /// The model of every operation the server implements, built on first use.
    pub fn get() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::build(&patchbay_api::operations()))
    }

    /// Compiles the given operations.
    pub fn build(ops: &[OpInfo]) -> Model {
        let mut b = Builder::default();
        let framing = fields_of(RequestFraming::shape());
        let header = FieldDef { name: "Header", doc: "", optional: false, list: None, item: Header::shape };
        let mut nodes = Vec::with_capacity(ops.len());
        for op in ops {
            let mut request_fields = framing.clone();
            request_fields.extend(fields_of((op.input)()));
            let request = b.synthesized(format!("{}Request", op.name), op.doc, &request_fields, Vec::new());

            let debug = b.synthesized(
                format!("{}Debug", op.name),
                "The request as the server understood it.",
                &[],
                vec![FieldNode { name: "Request", doc: "", optional: true, list: None, kind: Kind::Struct(request) }],
            );

            let mut result_fields = vec![header.clone()];
            result_fields.extend(fields_of((op.output)()));
            let debug_field = FieldNode {
                name: "Debug",
                doc: "Present when the request asked for Debug.",
                optional: true,
                list: None,
                kind: Kind::Struct(debug),
            };
            let result = b.synthesized(format!("{}Result", op.name), "", &result_fields, vec![debug_field]);
            nodes.push(OpNode { info: *op, request, result });
        }
        b.check_shared_names();
        let mut by_name = HashMap::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            if by_name.insert(node.info.name, i).is_some() {
                b.conflicts.push(format!("operation {} is declared twice", node.info.name));
            }
        }
        Model { structs: b.structs, enums: b.enums, ops: nodes, by_name, conflicts: b.conflicts }
    }

    pub fn op(&self, name: &str) -> Option<&OpNode> {
        self.by_name.get(name).map(|&i| &self.ops[i])
    }
}

/// The fields of a shape that should be a struct; anything else contributes none (and is a
/// declaration mistake the type checker cannot catch, recorded by the caller's test).
fn fields_of(shape: Shape) -> Vec<FieldDef> {
    match shape {
        Shape::Struct(s) => s.fields,
        _ => Vec::new(),
    }
}

/// A shallow description of a struct for telling two same-named shapes apart: its fields'
/// names, optionality, list style and type names. Nested types are compared when they are
/// compiled themselves, which also makes recursive types terminate.
type Signature = Vec<(&'static str, bool, Option<ListStyle>, &'static str)>;

fn signature(fields: &[FieldDef]) -> Signature {
    fields.iter().map(|f| (f.name, f.optional, f.list.clone(), f.item_shape().type_name())).collect()
}

#[derive(Default)]
struct Builder {
    structs: Vec<StructNode>,
    enums: Vec<EnumDef>,
    /// Struct name → the entries compiled under it, with their signatures.
    struct_ids: HashMap<String, Vec<(usize, Signature)>>,
    enum_ids: HashMap<&'static str, Vec<usize>>,
    conflicts: Vec<String>,
}

impl Builder {
    fn kind(&mut self, shape: Shape) -> Kind {
        match shape {
            Shape::Scalar(s) => Kind::Scalar(s),
            Shape::Enum(e) => Kind::Enum(self.enum_def(e)),
            Shape::Struct(s) => Kind::Struct(self.declared(s.name, s.doc, &s.fields)),
        }
    }

    fn field(&mut self, f: &FieldDef) -> FieldNode {
        FieldNode {
            name: f.name,
            doc: f.doc,
            optional: f.optional,
            list: f.list.clone(),
            kind: self.kind(f.item_shape()),
        }
    }

    fn enum_def(&mut self, e: EnumDef) -> usize {
        let ids = self.enum_ids.entry(e.name).or_default();
        if let Some(&id) = ids.iter().find(|&&id| self.enums[id].members == e.members) {
            return id;
        }
        if !ids.is_empty() {
            self.conflicts.push(format!("enum {} is declared with different members", e.name));
        }
        ids.push(self.enums.len());
        self.enums.push(e);
        self.enums.len() - 1
    }

    /// A struct declared with `#[derive(Schema)]`: reused when a shape of that name and
    /// signature was compiled already.
    fn declared(&mut self, name: &'static str, doc: &'static str, fields: &[FieldDef]) -> usize {
        let sig = signature(fields);
        if let Some(ids) = self.struct_ids.get(name) {
            if let Some((id, _)) = ids.iter().find(|(_, s)| *s == sig) {
                return *id;
            }
            self.conflicts.push(format!("struct {name} is declared with different fields"));
        }
        self.compile(name.to_string(), doc, fields, sig, Vec::new())
    }

    /// A struct the binding makes up per operation; its name must be free.
    fn synthesized(&mut self, name: String, doc: &'static str, fields: &[FieldDef], extra: Vec<FieldNode>) -> usize {
        if self.struct_ids.contains_key(&name) {
            self.conflicts.push(format!("type {name} is both generated and declared"));
        }
        let sig = signature(fields);
        self.compile(name, doc, fields, sig, extra)
    }

    fn compile(
        &mut self,
        name: String,
        doc: &'static str,
        fields: &[FieldDef],
        sig: Signature,
        extra: Vec<FieldNode>,
    ) -> usize {
        let id = self.structs.len();
        // Registered before its fields compile so that a recursive reference finds it.
        self.structs.push(StructNode { name: name.clone(), doc, fields: Vec::new() });
        self.struct_ids.entry(name).or_default().push((id, sig));
        let mut nodes: Vec<FieldNode> = fields.iter().map(|f| self.field(f)).collect();
        nodes.extend(extra);
        let mut seen = std::collections::HashSet::new();
        for f in &nodes {
            if !seen.insert(f.name) {
                self.conflicts.push(format!("struct {} has two fields named {}", self.structs[id].name, f.name));
            }
        }
        self.structs[id].fields = nodes;
        id
    }

    /// Structs and enums share the schema's one namespace of type names.
    fn check_shared_names(&mut self) {
        for name in self.enum_ids.keys() {
            if self.struct_ids.contains_key(*name) {
                self.conflicts.push(format!("{name} names both a struct and an enum"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_compiles_without_type_name_conflicts() {
        let model = Model::get();
        assert!(model.conflicts.is_empty(), "conflicts: {:#?}", model.conflicts);
        assert_eq!(model.ops.len(), patchbay_api::operations().len());
    }

    #[test]
    fn same_name_different_shape_is_reported() {
        use patchbay_schema::StructDef;
        fn a() -> Shape {
            Shape::Struct(StructDef { name: "Dup", doc: "", fields: vec![] })
        }
        fn b() -> Shape {
            Shape::Struct(StructDef {
                name: "Dup",
                doc: "",
                fields: vec![FieldDef { name: "X", doc: "", optional: true, list: None, item: <i32 as Schema>::shape }],
            })
        }
        // Inputs and outputs are flattened into {Op}Request/{Op}Result, so the two shapes
        // are referenced through a field each.
        fn holder_a() -> Shape {
            Shape::Struct(StructDef {
                name: "HolderA",
                doc: "",
                fields: vec![FieldDef { name: "D", doc: "", optional: true, list: None, item: a }],
            })
        }
        fn holder_b() -> Shape {
            Shape::Struct(StructDef {
                name: "HolderB",
                doc: "",
                fields: vec![FieldDef { name: "D", doc: "", optional: true, list: None, item: b }],
            })
        }
        let op = OpInfo { name: "Op", doc: "", input: holder_a, output: holder_b };
        let model = Model::build(&[op]);
        assert_eq!(model.conflicts.len(), 1, "{:?}", model.conflicts);
        assert!(model.conflicts[0].contains("Dup"));
    }

    #[test]
    fn request_is_framing_then_input_and_result_is_header_outputs_debug() {
        let model = Model::get();
        let op = model.op("Products_Create").expect("Products_Create is declared");
        let req = &model.structs[op.request];
        assert_eq!(req.name, "Products_CreateRequest");
        let names: Vec<_> = req.fields.iter().map(|f| f.name).collect();
        assert_eq!(&names[..4], ["Credentials", "Session", "Debug", "ID"]);
        let res = &model.structs[op.result];
        let names: Vec<_> = res.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["Header", "ProductID", "Debug"]);
    }
}
