//! The input of a XAdES archive time stamp (`xadesv141:ArchiveTimeStamp`,
//! ETSI EN 319 132-1 §5.5.2.2 and TS 101 903 v1.4.1 §8.2.1, the case
//! without `xadesv141:ArchiveTimeStamp`-distributed references): the
//! concatenation, in this order, of
//!
//! 1. the data each `ds:Reference` of `ds:SignedInfo` covers, dereferenced
//!    and transformed as reference validation does;
//! 2. `ds:SignedInfo`, `ds:SignatureValue` and `ds:KeyInfo` (when present),
//!    each canonicalised;
//! 3. every unsigned signature property that appears before the archive
//!    time stamp, in order, each canonicalised;
//! 4. every `ds:Object` of the signature except the one holding the
//!    `QualifyingProperties`, each canonicalised;
//!
//! with the time stamp's `ds:CanonicalizationMethod` (Canonical XML 1.0
//! when absent). The one function serves validation and
//! [`crate::augment`], which makes the stamp.
//!
//! The `xades:ArchiveTimeStamp` of the 1.3.2 namespace (TS 101 903 v1.3.2
//! §7.7.1) is computed the same way except for step 4: there, only the
//! `ds:Object` elements that no `ds:Reference` of `ds:SignedInfo`
//! references are taken (a referenced one is in the input already, through
//! step 1) — [`ArchiveForm::V132`]. The unsigned properties are taken in
//! their order of appearance before the stamp, as DSS and the producers of
//! that form do (v1.3.2 lists them by kind, and they appear in that order in
//! a signature extended step by step).

use hozon_verify::format::{ExpectedImprint, TimeStamp};
use hozon_verify::{Code, Findings, SubIndication as S};

use super::XadesSignature;
use crate::c14n::{canonicalize, C14nMethod, NodeSet};
use crate::dsig::{Signature, DS};
use crate::properties::{QualifyingProperties, XADES141};
use crate::reference::Resolver;
use crate::xml::{Document, Element};

/// The `xades:UnsignedSignatureProperties` element of `props`, if any.
pub(crate) fn unsigned_signature_properties<'d>(
    props: &QualifyingProperties<'d>,
) -> Option<Element<'d>> {
    let qp = props.element?;
    let up = qp
        .children()
        .into_iter()
        .find(|c| c.local_name() == "UnsignedProperties")?;
    up.children()
        .into_iter()
        .find(|c| c.local_name() == "UnsignedSignatureProperties")
}

/// The form of an archive time stamp, by its namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArchiveForm {
    /// `xadesv141:ArchiveTimeStamp` (TS 101 903 v1.4.1 §8.2.1, EN 319
    /// 132-1 §5.5.2): every `ds:Object` but the QualifyingProperties' one.
    V141,
    /// `xades:ArchiveTimeStamp` (TS 101 903 v1.3.2 §7.7.1): only the
    /// `ds:Object` elements no reference of `ds:SignedInfo` names.
    V132,
}

impl ArchiveForm {
    /// The form of the archive time stamp element `e`.
    pub(crate) fn of(e: Element<'_>) -> ArchiveForm {
        if e.namespace() == Some(XADES141) {
            ArchiveForm::V141
        } else {
            ArchiveForm::V132
        }
    }
}

/// Whether a reference of `sig`'s `ds:SignedInfo` names `object` by its
/// `Id` (`URI="#id"` or `URI="#xpointer(id('id'))"`).
pub(crate) fn is_referenced(sig: &Signature<'_>, object: Element<'_>) -> bool {
    let Some(id) = object.attribute("Id") else {
        return false;
    };
    sig.signed_info.references.iter().any(|r| {
        r.uri.as_deref().is_some_and(|u| {
            u.strip_prefix('#').is_some_and(|f| {
                f == id
                    || f.strip_prefix("xpointer(id(")
                        .and_then(|x| x.strip_suffix("))"))
                        .is_some_and(|q| {
                            q.len() >= 2
                                && (q.starts_with('\'') && q.ends_with('\'')
                                    || q.starts_with('"') && q.ends_with('"'))
                                && q[1..q.len() - 1] == id
                        })
            })
        })
    })
}

/// The octets an archive time stamp over `sig` covers; `before` is the
/// stamp's own element (the unsigned properties before it are covered), or
/// `None` for a stamp about to be appended (all of them are).
pub(crate) fn archive_input<'d>(
    doc: &'d Document,
    resolver: &Resolver<'_, 'd>,
    sig: &Signature<'d>,
    props: &QualifyingProperties<'d>,
    before: Option<Element<'d>>,
    c14n: &C14nMethod,
    form: ArchiveForm,
) -> Result<Vec<u8>, String> {
    let c14n_of = |e: Element<'d>| {
        canonicalize(doc, &NodeSet::subtree(e), c14n)
            .map_err(|err| format!("{}: {err}", e.local_name()))
    };
    let mut out = Vec::new();
    for r in &sig.signed_info.references {
        let (octets, _) = resolver.octets(r).map_err(|e| {
            format!(
                "reference {}: {e}",
                r.uri
                    .as_deref()
                    .map_or("(no URI)".to_owned(), |u| format!("\"{u}\""))
            )
        })?;
        out.extend(octets);
    }
    out.extend(c14n_of(sig.signed_info.element)?);
    out.extend(c14n_of(sig.signature_value_element)?);
    if let Some(ki) = sig.key_info {
        out.extend(c14n_of(ki)?);
    }
    if let Some(usp) = unsigned_signature_properties(props) {
        for p in usp.children() {
            if Some(p) == before {
                break;
            }
            out.extend(c14n_of(p)?);
        }
    }
    let qp = props.element;
    for object in sig.element.children_named(DS, "Object") {
        if qp.is_some_and(|q| q.is_within(&object)) {
            continue;
        }
        if form == ArchiveForm::V132 && is_referenced(sig, object) {
            continue;
        }
        out.extend(c14n_of(object)?);
    }
    Ok(out)
}

impl XadesSignature<'_, '_> {
    /// What the archive time stamp `stamp` (in
    /// `props.archive_time_stamps[property]`) must cover.
    pub(super) fn archive_imprint(
        &self,
        property: usize,
        stamp: &TimeStamp,
        f: &mut Findings,
    ) -> Option<ExpectedImprint> {
        let (sig, props) = self.parts()?;
        let ts = props.archive_time_stamps.get(property)?;
        let label = &stamp.label;
        match archive_input(
            self.file.doc,
            &self.resolver(),
            sig,
            props,
            Some(ts.element),
            &ts.c14n,
            ArchiveForm::of(ts.element),
        ) {
            Ok(octets) => Some(ExpectedImprint::Bytes(octets)),
            Err(e) => {
                f.fail(
                    S::SignedDataNotFound,
                    Code::TimestampInputUnavailable,
                    format!("{label}: {e}"),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signature with three objects: one referenced by `#id`, one by
    /// `#xpointer(id('id'))`, one not referenced.
    const SIGNATURE: &str = concat!(
        r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>"#,
        r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>"#,
        r##"<ds:Reference URI="#a"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA==</ds:DigestValue></ds:Reference>"##,
        r##"<ds:Reference URI="#xpointer(id('b'))"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA==</ds:DigestValue></ds:Reference>"##,
        r#"</ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue>"#,
        r#"<ds:Object Id="a">x</ds:Object><ds:Object Id="b">y</ds:Object><ds:Object Id="c">z</ds:Object>"#,
        r#"<ds:Object>w</ds:Object></ds:Signature>"#
    );

    #[test]
    fn a_1_3_2_archive_stamp_skips_only_the_referenced_objects() {
        let doc = Document::parse(SIGNATURE.as_bytes()).unwrap();
        let root = doc.root().unwrap();
        let sig = Signature::read(root).unwrap();
        let referenced: Vec<bool> = root
            .children_named(DS, "Object")
            .into_iter()
            .map(|o| is_referenced(&sig, o))
            .collect();
        assert_eq!(referenced, [true, true, false, false]);
    }

    #[test]
    fn the_form_is_told_by_the_namespace() {
        let doc = Document::parse(
            br#"<r xmlns:a="http://uri.etsi.org/01903/v1.4.1#" xmlns:b="http://uri.etsi.org/01903/v1.3.2#"><a:ArchiveTimeStamp/><b:ArchiveTimeStamp/></r>"#,
        )
        .unwrap();
        let forms: Vec<ArchiveForm> = doc
            .root()
            .unwrap()
            .children()
            .into_iter()
            .map(ArchiveForm::of)
            .collect();
        assert_eq!(forms, [ArchiveForm::V141, ArchiveForm::V132]);
    }
}
