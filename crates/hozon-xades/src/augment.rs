//! XAdES B-T, B-LT and B-LTA (ETSI EN 319 132-1 §5.3–5.5, the unsigned
//! signature properties) through hozon-ltv's augmentation pipeline: an XML
//! document with its signatures is an [`Augmentable`], and
//! [`hozon_ltv::Augmenter::augment`] raises it exactly as it raises CAdES.
//!
//! Each step appends unsigned properties as text to each top-level
//! signature's `xades:UnsignedSignatureProperties` (creating it, and
//! `xades:UnsignedProperties`, when absent); nothing already in the
//! document changes, so every signed byte and every earlier archive time
//! stamp's input stays as it was:
//!
//! - B-T: a `xades:SignatureTimeStamp` over the `ds:SignatureValue`
//!   element canonicalised with Exclusive C14N;
//! - B-LT: the certificates and revocation data the validation relied on
//!   and the signature lacks, in `xades:CertificateValues` and
//!   `xades:RevocationValues` — or, once the signature has either of them
//!   or an archive time stamp (whose input they would have to be part of),
//!   in a `xadesv141:TimeStampValidationData` after it: the validation data
//!   of the time stamps added since;
//! - B-LTA: a `xadesv141:ArchiveTimeStamp` (Exclusive C14N) over the
//!   input of EN 319 132-1 §5.5.2 (the one validation checks);
//!   repeatable, each new one covering the earlier ones and the validation
//!   data added before it.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use hozon_cms::Cert;
use hozon_ltv::{Augmentable, Error, Profile};
use hozon_tsp::{Stamp, TsaClient};
use hozon_verify::{Evidence, SignatureReport, Verifier};

use crate::adapter::archive::{archive_input, unsigned_signature_properties, ArchiveForm};
use crate::adapter::{parse_signature, top_level_signatures, XmlInput};
use crate::c14n::{canonicalize, C14nMethod, NodeSet, EXC_C14N};
use crate::dsig::{Signature, DS};
use crate::properties::{QualifyingProperties, XADES, XADES141};
use crate::reference::Resolver;
use crate::spans::span_of;
use crate::xml::{Document, Element};

const FORMAT: &str = "XAdES";

fn format_error(reason: impl Into<String>) -> Error {
    Error::Format {
        format: FORMAT,
        reason: reason.into(),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An XML document with XAdES signatures being augmented (in memory).
#[derive(Clone, Debug)]
pub struct XadesDocument {
    label: String,
    bytes: Vec<u8>,
    base_dir: Option<PathBuf>,
}

/// One text insertion: `text` goes at byte `at`.
struct Insertion {
    at: usize,
    text: String,
}

impl XadesDocument {
    /// The document `bytes` (named `label` in messages); detached references
    /// resolve under `base_dir` (the document's directory; `None` refuses
    /// them).
    pub fn new(label: &str, bytes: Vec<u8>, base_dir: Option<&Path>) -> XadesDocument {
        XadesDocument {
            label: label.to_owned(),
            bytes,
            base_dir: base_dir.map(Path::to_path_buf),
        }
    }

    /// The document as it is now.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The document, consuming the value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Runs `f` over each top-level signature of the document as it is now
    /// and applies the insertions it returns.
    fn edit<F>(&mut self, mut f: F) -> Result<(), Error>
    where
        F: for<'d> FnMut(
            usize,
            &'d Document,
            &Resolver<'_, 'd>,
            &Signature<'d>,
            &QualifyingProperties<'d>,
        ) -> Result<Option<String>, Error>,
    {
        let mut insertions = Vec::new();
        {
            let doc = Document::parse(&self.bytes).map_err(|e| format_error(e.to_string()))?;
            let signatures = self.signatures(&doc)?;
            for (index, (sig, props)) in signatures.iter().enumerate() {
                let resolver = Resolver {
                    doc: &doc,
                    signature: sig.element,
                    base_dir: self.base_dir.as_deref(),
                };
                if let Some(fragment) = f(index, &doc, &resolver, sig, props)? {
                    insertions.push(self.place(&doc, props, &fragment)?);
                }
            }
        }
        insertions.sort_by_key(|i| std::cmp::Reverse(i.at));
        for i in insertions {
            self.bytes.splice(i.at..i.at, i.text.into_bytes());
        }
        Ok(())
    }

    /// The top-level XAdES signatures of `doc`.
    fn signatures<'d>(
        &self,
        doc: &'d Document,
    ) -> Result<Vec<(Signature<'d>, QualifyingProperties<'d>)>, Error> {
        let elements = top_level_signatures(doc);
        if elements.is_empty() {
            return Err(format_error(format!(
                "{} holds no ds:Signature",
                self.label
            )));
        }
        elements
            .into_iter()
            .map(|e| {
                let (sig, props) = parse_signature(e).map_err(format_error)?;
                if props.element.is_none() || props.signed_properties.is_none() {
                    return Err(format_error(
                        "a plain XML-DSig signature (no XAdES SignedProperties) cannot be raised to a XAdES level",
                    ));
                }
                Ok((sig, props))
            })
            .collect()
    }

    /// Where the unsigned signature property `fragment` goes: at the end of
    /// `UnsignedSignatureProperties`, creating it (and
    /// `UnsignedProperties`) when absent.
    fn place(
        &self,
        doc: &Document,
        props: &QualifyingProperties<'_>,
        fragment: &str,
    ) -> Result<Insertion, Error> {
        let span = |e: Element<'_>| {
            span_of(doc, &self.bytes, e).map_err(|err| format_error(err.to_string()))
        };
        let qp = props
            .element
            .ok_or_else(|| format_error("the signature has no QualifyingProperties"))?;
        if let Some(usp) = unsigned_signature_properties(props) {
            let s = span(usp)?;
            if s.empty {
                return Err(format_error(
                    "an empty-element UnsignedSignatureProperties tag is not extended",
                ));
            }
            return Ok(Insertion {
                at: s.content_end,
                text: fragment.to_owned(),
            });
        }
        let usp = format!(
            "<xades:UnsignedSignatureProperties xmlns:xades=\"{XADES}\">{fragment}</xades:UnsignedSignatureProperties>"
        );
        let up = qp
            .children()
            .into_iter()
            .find(|c| c.local_name() == "UnsignedProperties");
        match up {
            // UnsignedSignatureProperties comes first in UnsignedProperties.
            Some(up) => {
                let s = span(up)?;
                if s.empty {
                    return Err(format_error(
                        "an empty-element UnsignedProperties tag is not extended",
                    ));
                }
                Ok(Insertion {
                    at: s.content_start,
                    text: usp,
                })
            }
            None => {
                let s = span(qp)?;
                if s.empty {
                    return Err(format_error(
                        "an empty QualifyingProperties is not extended",
                    ));
                }
                Ok(Insertion {
                    at: s.content_end,
                    text: format!(
                        "<xades:UnsignedProperties xmlns:xades=\"{XADES}\">{usp}</xades:UnsignedProperties>"
                    ),
                })
            }
        }
    }

    /// What a SignatureTimeStamp over `sig` covers: its `ds:SignatureValue`
    /// canonicalised with Exclusive C14N (the method the property declares).
    fn signature_value_octets(doc: &Document, sig: &Signature<'_>) -> Result<Vec<u8>, Error> {
        let set = NodeSet::subtree(sig.signature_value_element);
        canonicalize(doc, &set, &C14nMethod::exclusive()).map_err(|e| format_error(e.to_string()))
    }
}

/// A time stamp property element (`xades:SignatureTimeStamp`,
/// `xadesv141:ArchiveTimeStamp`) holding `token`, with Exclusive C14N.
fn time_stamp_property(qualified_name: &str, token: &[u8]) -> String {
    format!(
        concat!(
            "<{name} xmlns:xades=\"{xades}\" xmlns:xadesv141=\"{xades141}\" xmlns:ds=\"{ds}\">",
            "<ds:CanonicalizationMethod Algorithm=\"{exc}\"/>",
            "<xades:EncapsulatedTimeStamp>{token}</xades:EncapsulatedTimeStamp></{name}>"
        ),
        name = qualified_name,
        xades = XADES,
        xades141 = XADES141,
        ds = DS,
        exc = EXC_C14N,
        token = b64(token),
    )
}

/// `xades:CertificateValues` and `xades:RevocationValues` holding `certs`,
/// `crls` and `ocsp` (each omitted when it would be empty).
fn values_elements(certs: &[Cert], crls: &[Vec<u8>], ocsp: &[Vec<u8>]) -> String {
    let mut out = String::new();
    if !certs.is_empty() {
        out.push_str("<xades:CertificateValues>");
        for c in certs {
            out.push_str(&format!(
                "<xades:EncapsulatedX509Certificate>{}</xades:EncapsulatedX509Certificate>",
                b64(c.der())
            ));
        }
        out.push_str("</xades:CertificateValues>");
    }
    if !crls.is_empty() || !ocsp.is_empty() {
        out.push_str("<xades:RevocationValues>");
        if !crls.is_empty() {
            out.push_str("<xades:CRLValues>");
            for c in crls {
                out.push_str(&format!(
                    "<xades:EncapsulatedCRLValue>{}</xades:EncapsulatedCRLValue>",
                    b64(c)
                ));
            }
            out.push_str("</xades:CRLValues>");
        }
        if !ocsp.is_empty() {
            out.push_str("<xades:OCSPValues>");
            for o in ocsp {
                out.push_str(&format!(
                    "<xades:EncapsulatedOCSPValue>{}</xades:EncapsulatedOCSPValue>",
                    b64(o)
                ));
            }
            out.push_str("</xades:OCSPValues>");
        }
        out.push_str("</xades:RevocationValues>");
    }
    out
}

/// The validation data of `evidence` that `sig` does not carry yet, as the
/// unsigned properties to append (`None` when nothing is missing).
fn missing_validation_data(
    evidence: &Evidence,
    sig: &Signature<'_>,
    props: &QualifyingProperties<'_>,
) -> Option<String> {
    let have = &props.values;
    let certs: Vec<Cert> = evidence
        .certs
        .iter()
        .filter(|c| !sig.certificates.contains(c) && !have.certs.contains(c))
        .cloned()
        .collect();
    let crls: Vec<Vec<u8>> = evidence
        .crls
        .iter()
        .map(|c| c.der().to_vec())
        .filter(|d| !have.crls.contains(d))
        .collect();
    let ocsp: Vec<Vec<u8>> = evidence
        .ocsp
        .iter()
        .map(|o| o.der().to_vec())
        .filter(|d| !have.ocsp.contains(d))
        .collect();
    if certs.is_empty() && crls.is_empty() && ocsp.is_empty() {
        return None;
    }
    let values = values_elements(&certs, &crls, &ocsp);
    let first_values = !props.has_values && props.archive_time_stamps.is_empty();
    Some(if first_values {
        // The signature's own long-term validation data (B-LT).
        values
            .replace(
                "<xades:CertificateValues>",
                &format!("<xades:CertificateValues xmlns:xades=\"{XADES}\">"),
            )
            .replace(
                "<xades:RevocationValues>",
                &format!("<xades:RevocationValues xmlns:xades=\"{XADES}\">"),
            )
    } else {
        // Data for what was added since (time stamps): after it, in its own
        // property, so that nothing an archive time stamp covers changes.
        format!(
            "<xadesv141:TimeStampValidationData xmlns:xadesv141=\"{XADES141}\" xmlns:xades=\"{XADES}\">{values}</xadesv141:TimeStampValidationData>"
        )
    })
}

impl Augmentable for XadesDocument {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn signature_timestamp_inputs(&self) -> Result<Vec<Option<Vec<u8>>>, Error> {
        let doc = Document::parse(&self.bytes).map_err(|e| format_error(e.to_string()))?;
        self.signatures(&doc)?
            .iter()
            .map(|(sig, props)| {
                if props.signature_time_stamps.is_empty() {
                    XadesDocument::signature_value_octets(&doc, sig).map(Some)
                } else {
                    Ok(None)
                }
            })
            .collect()
    }

    fn add_signature_timestamps(&mut self, stamps: &[Option<&Stamp>]) -> Result<(), Error> {
        self.edit(|index, _, _, _, _| {
            Ok(stamps
                .get(index)
                .copied()
                .flatten()
                .map(|s| time_stamp_property("xades:SignatureTimeStamp", s.token.der())))
        })
    }

    fn validate(&self, verifier: &Verifier, label: &str) -> (Vec<SignatureReport>, Evidence) {
        let input = XmlInput {
            label,
            bytes: &self.bytes,
            base_dir: self.base_dir.as_deref(),
        };
        crate::verify_with_evidence(verifier, input, None)
    }

    fn add_validation_data(
        &mut self,
        evidence: &Evidence,
        _profile: Profile,
    ) -> Result<bool, Error> {
        let before = self.bytes.len();
        self.edit(|_, _, _, sig, props| Ok(missing_validation_data(evidence, sig, props)))?;
        Ok(self.bytes.len() != before)
    }

    fn validation_data_sealed(&self) -> Result<bool, Error> {
        // A XAdES archive time stamp covers the unsigned properties before
        // it; validation data is only ever appended after it.
        Ok(false)
    }

    fn add_archive_timestamp(&mut self, tsa: &TsaClient) -> Result<Vec<Stamp>, Error> {
        let mut stamps = Vec::new();
        self.edit(|_, doc, resolver, sig, props| {
            let input = archive_input(
                doc,
                resolver,
                sig,
                props,
                None,
                &C14nMethod::exclusive(),
                ArchiveForm::V141,
            )
            .map_err(format_error)?;
            let stamp = tsa.stamp_data(&input)?;
            let property = time_stamp_property("xadesv141:ArchiveTimeStamp", stamp.token.der());
            stamps.push(stamp);
            Ok(Some(property))
        })?;
        Ok(stamps)
    }

    fn encode(&self) -> Result<Vec<u8>, Error> {
        Ok(self.bytes.clone())
    }
}

/// The oldest, across the document's top-level signatures, of each one's
/// newest `ArchiveTimeStamp` genTime; `None` when a signature has none (or
/// the document cannot be read: the augmentation will say why). `extend
/// --restamp-after` leaves a document alone when this is recent.
pub fn newest_archive_stamp(document: &[u8]) -> Option<hozon_pki::UnixTime> {
    let doc = Document::parse(document).ok()?;
    let mut oldest: Option<hozon_pki::UnixTime> = None;
    for e in top_level_signatures(&doc) {
        let (_, props) = parse_signature(e).ok()?;
        let newest = props
            .archive_time_stamps
            .iter()
            .flat_map(|p| &p.tokens)
            .filter_map(|der| hozon_tsp::Token::parse(der, "archive time stamp").ok())
            .map(|t| t.gen_time())
            .max()?;
        oldest = Some(oldest.map_or(newest, |o| o.min(newest)));
    }
    oldest
}
