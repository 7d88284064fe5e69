//! The wire schema model.
//!
//! Every request and response type of the API implements [`Schema`] (normally through
//! `#[derive(Schema)]`), which describes its shape: the element names, their order, which are
//! optional, which are lists and what their items are called. The SOAP codec, the WSDL, the
//! JSON binding and the OpenAPI document are all generated from this one description, so an
//! operation never has hand-written wire code of its own.
//!
//! Values cross the bindings as `serde_json::Value`-shaped data: the Rust types carry serde
//! derives whose field names are the wire names, and this model tells a binding how to lay
//! those fields out in XML (order, list wrappers, item names, xsd types).

extern crate self as patchbay_schema;

mod datetime;

pub use datetime::DateTime;
pub use patchbay_schema_derive::Schema;

/// A type that can describe its own wire shape.
pub trait Schema {
    /// The shape of a value of this type.
    fn shape() -> Shape;

    /// The element name a list uses for one item of this type when the field does not say
    /// otherwise: the xsd type name for scalars (`int`, `string`), the type name for structs.
    fn item_name() -> &'static str {
        match Self::shape() {
            Shape::Scalar(s) => s.xsd_name(),
            Shape::Enum(e) => e.name,
            Shape::Struct(s) => s.name,
        }
    }
}

/// The shape of a value on the wire.
#[derive(Clone, Debug)]
pub enum Shape {
    Scalar(Scalar),
    Enum(EnumDef),
    Struct(StructDef),
}

impl Shape {
    /// The name a schema document uses for this shape (`xsd:int`'s `int`, a complex type's name).
    pub fn type_name(&self) -> &'static str {
        match self {
            Shape::Scalar(s) => s.xsd_name(),
            Shape::Enum(e) => e.name,
            Shape::Struct(s) => s.name,
        }
    }
}

/// The primitive value kinds, named after their XML Schema types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    Int,
    Long,
    Decimal,
    String,
    Boolean,
    DateTime,
}

impl Scalar {
    pub fn xsd_name(self) -> &'static str {
        match self {
            Scalar::Int => "int",
            Scalar::Long => "long",
            Scalar::Decimal => "decimal",
            Scalar::String => "string",
            Scalar::Boolean => "boolean",
            Scalar::DateTime => "dateTime",
        }
    }
}

/// An enumeration travels as one of its member names.
#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub members: Vec<&'static str>,
    /// Other spellings accepted on input, each with the member it means (`#[serde(alias)]`).
    pub aliases: Vec<(&'static str, &'static str)>,
}

/// A complex type: an ordered sequence of child elements.
#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: Vec<FieldDef>,
}

impl StructDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One child element of a complex type.
#[derive(Clone, Debug)]
pub struct FieldDef {
    /// The element (and JSON property) name.
    pub name: &'static str,
    pub doc: &'static str,
    /// Absent or nil is allowed (`Option<T>` in Rust, `minOccurs="0" nillable="true"`).
    pub optional: bool,
    /// `Some` when the field holds a list of items.
    pub list: Option<ListStyle>,
    /// The shape of the value, or of one item for a list. A function so that a type's
    /// description is only built when a binding walks into it.
    pub item: fn() -> Shape,
}

impl FieldDef {
    pub fn item_shape(&self) -> Shape {
        (self.item)()
    }
}

/// How a list travels in XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListStyle {
    /// A wrapper element named after the field holding one element per item:
    /// `<Fields><Field>…</Field></Fields>`.
    Wrapped { item: &'static str },
    /// The field's element repeated directly inside its parent, no wrapper:
    /// `<CustomerID>1</CustomerID><CustomerID>2</CustomerID>`.
    Repeated,
}

macro_rules! scalar {
    ($($t:ty => $s:ident),* $(,)?) => {
        $(impl Schema for $t {
            fn shape() -> Shape {
                Shape::Scalar(Scalar::$s)
            }
        })*
    };
}

scalar! {
    i32 => Int,
    i64 => Long,
    u32 => Long,
    rust_decimal::Decimal => Decimal,
    String => String,
    bool => Boolean,
    DateTime => DateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Schema, Serialize, Deserialize)]
    struct CustomField {
        #[serde(rename = "FieldID")]
        field_id: Option<i32>,
        #[serde(rename = "Label")]
        label: Option<String>,
    }

    /// A product's custom fields.
    #[derive(Schema, Serialize, Deserialize)]
    #[schema(name = "ProductThing")]
    struct Thing {
        #[serde(rename = "ID")]
        id: i32,
        #[serde(rename = "Fields")]
        #[schema(item = "Field")]
        fields: Option<Vec<CustomField>>,
        #[serde(rename = "IDs")]
        ids: Vec<i32>,
        #[serde(rename = "CustomerID")]
        #[schema(repeated)]
        customer_ids: Vec<i32>,
        #[serde(flatten)]
        extra: Extra,
    }

    #[derive(Schema, Serialize, Deserialize)]
    struct Extra {
        #[serde(rename = "Debug")]
        debug: Option<bool>,
    }

    #[derive(Schema, Serialize, Deserialize)]
    enum Status {
        #[serde(rename = "ACTIVE")]
        Active,
        #[serde(rename = "INACTIVE", alias = "INACITVE")]
        Inactive,
    }

    #[test]
    fn derive_reads_names_order_lists_and_flatten() {
        let Shape::Struct(s) = Thing::shape() else { panic!("not a struct") };
        assert_eq!(s.name, "ProductThing");
        assert_eq!(s.doc, "A product's custom fields.");
        let names: Vec<_> = s.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["ID", "Fields", "IDs", "CustomerID", "Debug"]);
        assert!(!s.fields[0].optional);
        assert_eq!(s.fields[1].list, Some(ListStyle::Wrapped { item: "Field" }));
        assert!(s.fields[1].optional);
        assert_eq!(s.fields[2].list, Some(ListStyle::Wrapped { item: "int" }));
        assert_eq!(s.fields[3].list, Some(ListStyle::Repeated));
        assert!(s.fields[4].optional);
        let Shape::Struct(inner) = s.fields[1].item_shape() else { panic!() };
        assert_eq!(inner.name, "CustomField");
    }

    #[test]
    fn derive_reads_enum_members() {
        let Shape::Enum(e) = Status::shape() else { panic!("not an enum") };
        assert_eq!(e.members, ["ACTIVE", "INACTIVE"]);
        assert_eq!(e.aliases, [("INACITVE", "INACTIVE")]);
    }
}
