//! Fixed vocabularies are enums (issue 14: "every report field that has a fixed vocabulary is an
//! enum in code").
//!
//! Parses every library crate's source and fails when a `pub` field of a `pub` struct named
//! `format`, `level`, `kind`, `state`, `role`, `mode` or `status` is a `String` or
//! `Option<String>`: such a field holds one of a few names, and a typo in one of them (or a
//! comparison with a misspelt literal) should not compile. `#[cfg(test)]` modules are skipped.

use std::path::Path;

mod source;
use source::{is_cfg_test, is_pub};

/// The field names whose values come from a fixed vocabulary.
const NAMES: [&str; 7] = ["format", "level", "kind", "state", "role", "mode", "status"];

/// Fields with one of those names whose vocabulary is genuinely open, as
/// `crate/src/path.rs: Struct.field`.
const ALLOWED: [&str; 3] = [
    // A search filter as the user typed it (`--state`, the web form): `Query::validate` turns a
    // name outside archived/accepted-failed into `QueryError::State`, a usage error that quotes
    // it; the hits carry the typed `record::State`.
    "hozon-archive/src/search/mod.rs: Query.state",
    // The signer's hcRole (ISO 17090 / HPKI): text from the certificate, any role a CA issues.
    "hozon-report/src/model.rs: Signer.role",
    // A PKCS#11 key type as the token reports it: `RSA`, `EC`, … or `CKK_0x…` for any other
    // (vendor-defined) CKA_KEY_TYPE.
    "hozon-sign/src/pkcs11/list.rs: ObjectListing.kind",
];

/// The last path segment of `ty` and its single generic type argument, if any.
fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

/// `String` or `Option<String>`.
fn is_string_or_optional_string(ty: &syn::Type) -> bool {
    let Some(seg) = last_segment(ty) else {
        return false;
    };
    if seg.ident == "String" {
        return true;
    }
    if seg.ident != "Option" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return false;
    };
    matches!(
        args.args.first(),
        Some(syn::GenericArgument::Type(t)) if last_segment(t).is_some_and(|s| s.ident == "String")
    )
}

fn check_items(items: &[syn::Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                for field in &s.fields {
                    let Some(name) = &field.ident else { continue };
                    if is_pub(&field.vis)
                        && NAMES.iter().any(|n| name == n)
                        && is_string_or_optional_string(&field.ty)
                    {
                        out.push(format!("{}.{name}", s.ident));
                    }
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
fn fixed_vocabulary_fields_are_enums() {
    let (crates, files) = source::library_files();
    let mut found = Vec::new();
    let mut allowed_seen = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&crates)
            .unwrap_or(file)
            .display()
            .to_string();
        for v in violations(file) {
            let entry = format!("{rel}: {v}");
            if ALLOWED.contains(&entry.as_str()) {
                allowed_seen.push(entry);
            } else {
                found.push(entry);
            }
        }
    }
    assert!(
        found.is_empty(),
        "public fields with a fixed vocabulary held as a String (make them an enum, or justify \
         an entry in ALLOWED):\n{}",
        found.join("\n")
    );
    // A stale allow-list entry would silently allow a future field of that name.
    for a in ALLOWED {
        assert!(
            allowed_seen.iter().any(|s| s == a),
            "ALLOWED names {a}, which no longer exists: remove it"
        );
    }
}

/// The checker finds each form it is meant to find, and nothing else.
#[test]
fn the_checker_finds_string_fields_with_vocabulary_names() {
    let src = r#"
        pub struct A { pub kind: String, pub level: Option<String>, pub state: std::string::String }
        pub struct B { pub format: Format, pub mode: Option<Mode>, pub role: Vec<String> }
        pub struct C { kind: String, pub(crate) state: String, pub name: String }
        struct D { pub status: String }
        pub mod m { pub struct E { pub status: Option<String> } }
        #[cfg(test)] mod tests { pub struct F { pub kind: String } }
        pub enum G { H { kind: String } }
    "#;
    let parsed = syn::parse_file(src).expect("sample parses");
    let mut out = Vec::new();
    check_items(&parsed.items, &mut out);
    assert_eq!(out, ["A.kind", "A.level", "A.state", "E.status"]);
}
