//! `#[derive(Schema)]` for patchbay-schema.
//!
//! Field names come from `#[serde(rename = "…")]` (the wire names live in one place, the serde
//! attributes), falling back to the Rust name. `Option<T>` makes a field optional, `Vec<T>` a
//! list. `#[serde(flatten)]` splices another struct's fields in. The `#[schema(…)]` attribute
//! adds what serde does not know: `item = "Field"` names a list's item element, `repeated`
//! makes a list a repeated element without a wrapper, and on the type `name = "…"` overrides
//! the complex type's name.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Expr, Fields, GenericArgument, Lit, PathArguments, Type};

#[proc_macro_derive(Schema, attributes(schema))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let ident = &input.ident;
    let type_name = schema_attr_str(&input.attrs, "name")?.unwrap_or_else(|| ident.to_string());
    let doc = doc_of(&input.attrs);
    let body = match &input.data {
        Data::Struct(s) => {
            let Fields::Named(named) = &s.fields else {
                return Err(syn::Error::new_spanned(ident, "Schema needs named fields"));
            };
            let mut pushes = Vec::new();
            for f in &named.named {
                if serde_flag(&f.attrs, "skip")? {
                    continue;
                }
                let ty = &f.ty;
                if serde_flag(&f.attrs, "flatten")? {
                    pushes.push(quote! {
                        match <#ty as ::patchbay_schema::Schema>::shape() {
                            ::patchbay_schema::Shape::Struct(inner) => fields.extend(inner.fields),
                            _ => panic!("#[serde(flatten)] needs a struct"),
                        }
                    });
                    continue;
                }
                let name = serde_rename(&f.attrs)?.unwrap_or_else(|| f.ident.as_ref().unwrap().to_string());
                let fdoc = doc_of(&f.attrs);
                let (optional, inner) = match unwrap_generic(ty, "Option") {
                    Some(t) => (true, t),
                    None => (false, ty),
                };
                let (list, item_ty) = match unwrap_generic(inner, "Vec") {
                    Some(item_ty) => {
                        let style = if schema_flag(&f.attrs, "repeated")? {
                            quote!(::patchbay_schema::ListStyle::Repeated)
                        } else if let Some(item) = schema_attr_str(&f.attrs, "item")? {
                            quote!(::patchbay_schema::ListStyle::Wrapped { item: #item })
                        } else {
                            quote!(::patchbay_schema::ListStyle::Wrapped {
                                item: <#item_ty as ::patchbay_schema::Schema>::item_name()
                            })
                        };
                        (quote!(Some(#style)), item_ty)
                    }
                    None => (quote!(None), inner),
                };
                pushes.push(quote! {
                    fields.push(::patchbay_schema::FieldDef {
                        name: #name,
                        doc: #fdoc,
                        optional: #optional,
                        list: #list,
                        item: <#item_ty as ::patchbay_schema::Schema>::shape,
                    });
                });
            }
            quote! {
                let mut fields: Vec<::patchbay_schema::FieldDef> = Vec::new();
                #(#pushes)*
                ::patchbay_schema::Shape::Struct(::patchbay_schema::StructDef {
                    name: #type_name,
                    doc: #doc,
                    fields,
                })
            }
        }
        Data::Enum(e) => {
            let mut members = Vec::new();
            let mut aliases = Vec::new();
            for v in &e.variants {
                if !matches!(v.fields, Fields::Unit) {
                    return Err(syn::Error::new_spanned(v, "Schema enums have unit variants only"));
                }
                let member = serde_rename(&v.attrs)?.unwrap_or_else(|| v.ident.to_string());
                for alias in serde_aliases(&v.attrs)? {
                    aliases.push(quote!((#alias, #member)));
                }
                members.push(member);
            }
            quote! {
                ::patchbay_schema::Shape::Enum(::patchbay_schema::EnumDef {
                    name: #type_name,
                    doc: #doc,
                    members: vec![#(#members),*],
                    aliases: vec![#(#aliases),*],
                })
            }
        }
        Data::Union(_) => return Err(syn::Error::new_spanned(ident, "Schema does not support unions")),
    };
    Ok(quote! {
        impl ::patchbay_schema::Schema for #ident {
            fn shape() -> ::patchbay_schema::Shape {
                #body
            }
        }
    })
}

fn unwrap_generic<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn doc_of(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for a in attrs {
        if !a.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) = &nv.value {
                lines.push(s.value().trim().to_string());
            }
        }
    }
    lines.join(" ").trim().to_string()
}

/// Walks the `key = "value"` and bare `key` items of `#[serde(…)]` or `#[schema(…)]`.
fn nested(attrs: &[Attribute], path: &str, mut visit: impl FnMut(&str, Option<String>)) -> syn::Result<()> {
    for a in attrs {
        if !a.path().is_ident(path) {
            continue;
        }
        a.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            if meta.input.peek(syn::Token![=]) {
                let value = meta.value()?;
                let expr: Expr = value.parse()?;
                let s = match expr {
                    Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                    _ => None,
                };
                visit(&key, s);
            } else if meta.input.peek(syn::token::Paren) {
                // e.g. serde(rename(serialize = "…")): not used for wire names.
                let content;
                syn::parenthesized!(content in meta.input);
                let _: TokenStream2 = content.parse()?;
            } else {
                visit(&key, None);
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn serde_rename(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut out = None;
    nested(attrs, "serde", |k, v| {
        if k == "rename" {
            out = v;
        }
    })?;
    Ok(out)
}

fn serde_aliases(attrs: &[Attribute]) -> syn::Result<Vec<String>> {
    let mut out = Vec::new();
    nested(attrs, "serde", |k, v| {
        if k == "alias" {
            out.extend(v);
        }
    })?;
    Ok(out)
}

fn serde_flag(attrs: &[Attribute], flag: &str) -> syn::Result<bool> {
    let mut out = false;
    nested(attrs, "serde", |k, _| out |= k == flag)?;
    Ok(out)
}

fn schema_flag(attrs: &[Attribute], flag: &str) -> syn::Result<bool> {
    let mut out = false;
    nested(attrs, "schema", |k, _| out |= k == flag)?;
    Ok(out)
}

fn schema_attr_str(attrs: &[Attribute], key: &str) -> syn::Result<Option<String>> {
    let mut out = None;
    nested(attrs, "schema", |k, v| {
        if k == key {
            out = v;
        }
    })?;
    Ok(out)
}
