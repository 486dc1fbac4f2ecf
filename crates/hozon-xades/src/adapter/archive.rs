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
        if ts.element.namespace() != Some(XADES141) {
            return Some(ExpectedImprint::NotValidated(format!(
                "{label} is an ArchiveTimeStamp of the XAdES 1.3.2 namespace (TS 101 903 v1.3.2), whose input hozon does not compute; it proves nothing here"
            )));
        }
        match archive_input(
            self.file.doc,
            &self.resolver(),
            sig,
            props,
            Some(ts.element),
            &ts.c14n,
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
