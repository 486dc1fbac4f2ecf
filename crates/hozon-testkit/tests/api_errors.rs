//! Library APIs return typed errors (COMMON rules: thiserror in every public API).
//!
//! Parses every library crate's source and fails when a public signature mentions
//! `Result<_, String>`: a `pub fn` (free, inherent or in a `pub trait`) returning it or taking a
//! callback that returns it, a `pub type` alias, or a public struct/enum field holding one.
//! `pub(crate)`/`pub(super)` items and `#[cfg(test)]` modules are not API and are skipped.

use std::path::Path;

mod source;
use source::{is_cfg_test, is_pub};

use syn::visit::Visit;

/// Whether `ty` mentions `Result<_, String>` anywhere (nested generics, `dyn Fn` returns, ...).
fn mentions_string_error(visit: impl FnOnce(&mut Finder)) -> bool {
    let mut f = Finder { found: false };
    visit(&mut f);
    f.found
}

struct Finder {
    found: bool,
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        if seg.ident == "Result" {
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                let types: Vec<&syn::Type> = args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                if types.len() == 2 && is_string(types[1]) {
                    self.found = true;
                }
            }
        }
        syn::visit::visit_path_segment(self, seg);
    }
}

fn is_string(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "String")
        }
        _ => false,
    }
}

fn check_sig(sig: &syn::Signature, what: String, out: &mut Vec<String>) {
    if mentions_string_error(|f| f.visit_signature(sig)) {
        out.push(what);
    }
}

fn check_fields(fields: &syn::Fields, all_public: bool, what: &str, out: &mut Vec<String>) {
    for (i, field) in fields.iter().enumerate() {
        if (all_public || is_pub(&field.vis)) && mentions_string_error(|f| f.visit_type(&field.ty))
        {
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| i.to_string(), |n| n.to_string());
            out.push(format!("field {what}.{name}"));
        }
    }
}

fn check_items(items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                check_sig(&f.sig, format!("fn {}", f.sig.ident), out)
            }
            syn::Item::Impl(i) if i.trait_.is_none() && !is_cfg_test(&i.attrs) => {
                for it in &i.items {
                    if let syn::ImplItem::Fn(m) = it {
                        if is_pub(&m.vis) {
                            check_sig(&m.sig, format!("method {}", m.sig.ident), out);
                        }
                    }
                }
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(m) = it {
                        check_sig(
                            &m.sig,
                            format!("trait method {}::{}", t.ident, m.sig.ident),
                            out,
                        );
                    }
                }
            }
            syn::Item::Type(t)
                if is_pub(&t.vis) && mentions_string_error(|f| f.visit_type(&t.ty)) =>
            {
                out.push(format!("type {}", t.ident));
            }
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                check_fields(&s.fields, false, &s.ident.to_string(), out)
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                for v in &e.variants {
                    check_fields(&v.fields, true, &format!("{}::{}", e.ident, v.ident), out);
                }
            }
            syn::Item::Mod(m) if !is_cfg_test(&m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    check_items(inner, out);
                }
            }
            _ => {}
        }
    }
}

fn violations(file: &Path) -> Vec<String> {
    let parsed = source::parse(file);
    let mut out = Vec::new();
    check_items(&parsed.items, &mut out);
    out
}

#[test]
fn no_public_signature_returns_a_string_error() {
    let (_, files) = source::library_files();
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            violations(f)
                .into_iter()
                .map(move |v| format!("{}: {v}", f.display()))
        })
        .collect();
    assert!(
        found.is_empty(),
        "public signatures with `Result<_, String>` (use a thiserror type):\n{}",
        found.join("\n")
    );
}

/// The checker itself finds each kind of public item it is meant to find, and nothing private.
#[test]
fn the_checker_finds_each_public_form() {
    let src = r#"
        pub fn a() -> Result<(), String> { Ok(()) }
        pub fn b(cb: &mut dyn FnMut(&[u8]) -> std::result::Result<(), String>) {}
        pub type C = Box<dyn Fn() -> Result<u8, String>>;
        pub struct D { pub token: Result<u8, String>, private: Result<u8, String> }
        pub trait E { fn e(&self) -> Result<u8, String>; }
        pub enum F { G(Result<u8, String>) }
        impl D { pub fn h(&self) -> Option<Result<u8, String>> { None } fn private(&self) -> Result<u8, String> { Ok(1) } }
        pub mod m { pub fn i() -> Result<(), String> { Ok(()) } }
        pub(crate) fn j() -> Result<(), String> { Ok(()) }
        fn k() -> Result<(), String> { Ok(()) }
        pub fn l() -> std::io::Result<String> { Ok(String::new()) }
        pub fn n() -> Result<String, Error> { todo!() }
        #[cfg(test)] mod tests { pub fn o() -> Result<(), String> { Ok(()) } }
    "#;
    let parsed = syn::parse_file(src).expect("sample parses");
    let mut out = Vec::new();
    check_items(&parsed.items, &mut out);
    assert_eq!(
        out,
        [
            "fn a",
            "fn b",
            "type C",
            "field D.token",
            "trait method E::e",
            "field F::G.0",
            "method h",
            "fn i",
        ]
    );
}
