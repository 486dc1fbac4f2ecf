//! XAdES through hozon's format-independent validation engine: an XML
//! document is a [`SignatureContainer`], each top-level `ds:Signature` a
//! [`hozon_verify::format::SignedObject`]. Everything XML-specific lives
//! here and in the modules it calls — reference processing and
//! canonicalisation, SignedInfo and the signature value, the qualifying
//! properties, what each time stamp's imprint covers (SignatureTimeStamp:
//! the canonical `ds:SignatureValue`; ArchiveTimeStamp: EN 319 132-1
//! §5.5.2) and the validation data a signature carries
//! (CertificateValues, RevocationValues, TimeStampValidationData). The
//! engine ([`Verifier::verify_container`]) does the rest exactly as for
//! CAdES: X.509 validation, revocation, time stamps, proof of existence,
//! algorithm policy, levels and the report.

pub(crate) mod archive;
mod signature;

use std::path::Path;

use hozon_cms::Cert;
use hozon_pki::UnixTime;
use hozon_verify::format::{EmbeddedValidationData, SignatureContainer, SignedObject};
use hozon_verify::{Evidence, Findings, SignatureFormat, SignatureReport, Verifier};

use crate::dsig::{find_signatures, Signature, DS};
use crate::properties::QualifyingProperties;
use crate::xml::{Document, Element};

pub(crate) use signature::XadesSignature;

/// Whether `bytes` look like an XML document with an XML-DSig signature
/// carrying XAdES qualifying properties (by content, cheaply: both namespace
/// names appear). [`verify`] decides for real.
pub fn looks_like_xades(bytes: &[u8]) -> bool {
    let head = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0xEF | 0xBB | 0xBF))
        .map(|i| &bytes[i..]);
    let is_xml = head.is_some_and(|h| h.starts_with(b"<"));
    if !is_xml {
        return false;
    }
    // Both names are ASCII, so a lossy view finds them in any
    // ASCII-compatible encoding; `str::contains` is the standard library's
    // two-way search (a byte-window scan was most of a batch's time).
    let text = String::from_utf8_lossy(bytes);
    text.contains(DS) && text.contains("http://uri.etsi.org/01903/v1.")
}

/// The top-level signatures of `doc` (those not nested in another
/// signature, as counter-signatures are), in document order.
pub(crate) fn top_level_signatures(doc: &Document) -> Vec<Element<'_>> {
    let Some(root) = doc.root() else {
        return Vec::new();
    };
    let all = find_signatures(root);
    all.iter()
        .copied()
        .filter(|s| !all.iter().any(|o| o != s && s.is_within(o)))
        .collect()
}

/// One signature read: its XML-DSig structure and qualifying properties,
/// or why they cannot be read (a FORMAT_FAILURE of that signature).
pub(crate) type Parsed<'d> = Result<(Signature<'d>, QualifyingProperties<'d>), String>;

/// Reads the signature element `e`.
pub(crate) fn parse_signature(e: Element<'_>) -> Parsed<'_> {
    let sig = Signature::read(e).map_err(|err| err.to_string())?;
    let props =
        QualifyingProperties::read(&sig).map_err(|err| format!("XAdES properties: {err}"))?;
    Ok((sig, props))
}

/// An XML document with its signatures, as the engine sees it.
pub(crate) struct XadesFile<'d> {
    label: &'d str,
    pub(crate) doc: &'d Document,
    /// The directory detached references resolve in (`None` refuses them).
    pub(crate) base_dir: Option<&'d Path>,
    signatures: Vec<(Element<'d>, Parsed<'d>)>,
    data: EmbeddedValidationData,
}

impl<'d> XadesFile<'d> {
    fn new(label: &'d str, doc: &'d Document, base_dir: Option<&'d Path>) -> XadesFile<'d> {
        let signatures: Vec<(Element<'d>, Parsed<'d>)> = top_level_signatures(doc)
            .into_iter()
            .map(|e| (e, parse_signature(e)))
            .collect();
        let mut data = EmbeddedValidationData::default();
        let mut add = |c: &Cert| {
            if !data.certs.contains(c) {
                data.certs.push(c.clone());
            }
        };
        for (_, parsed) in &signatures {
            let Ok((sig, props)) = parsed else { continue };
            sig.certificates.iter().for_each(&mut add);
            props.values.certs.iter().for_each(&mut add);
        }
        for (index, (_, parsed)) in signatures.iter().enumerate() {
            let Ok((_, props)) = parsed else { continue };
            for (i, der) in props.values.crls.iter().enumerate() {
                data.crls.push((
                    format!("{label} (signature {index}, embedded CRL {i})"),
                    der.clone(),
                ));
            }
            for (i, der) in props.values.ocsp.iter().enumerate() {
                data.ocsp.push((
                    format!("{label} (signature {index}, embedded OCSP response {i})"),
                    der.clone(),
                ));
            }
        }
        XadesFile {
            label,
            doc,
            base_dir,
            signatures,
            data,
        }
    }
}

impl SignatureContainer for XadesFile<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn content_name(&self) -> Option<String> {
        Some(self.label.to_owned())
    }

    fn findings(&self) -> Findings {
        Findings::default()
    }

    fn validation_data(&self) -> EmbeddedValidationData {
        self.data.clone()
    }

    fn signatures(&self) -> Vec<Box<dyn SignedObject + '_>> {
        self.signatures
            .iter()
            .enumerate()
            .map(|(index, (element, parsed))| {
                Box::new(XadesSignature::new(self, *element, parsed, index))
                    as Box<dyn SignedObject + '_>
            })
            .collect()
    }
}

/// What to verify: an XML file and where its detached references resolve.
#[derive(Clone, Copy)]
pub struct XmlInput<'a> {
    /// The file's name in reports.
    pub label: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// The directory detached references resolve in (the file's own);
    /// `None` refuses every detached reference.
    pub base_dir: Option<&'a Path>,
}

/// Verifies every top-level signature of the XML document through the
/// engine: one report each. A document that is not a readable XML
/// signature gives one FORMAT_FAILURE report.
pub fn verify(verifier: &Verifier, input: XmlInput<'_>) -> Vec<SignatureReport> {
    verify_with_evidence(verifier, input, None).0
}

/// As [`verify`], with an external proof of existence `poe` (an evidence
/// record's proven time, as [`Verifier::verify_with_poe`] takes it), also
/// returning the certificates and revocation data the validation relied on
/// (what B-LT embeds).
pub fn verify_with_evidence(
    verifier: &Verifier,
    input: XmlInput<'_>,
    poe: Option<UnixTime>,
) -> (Vec<SignatureReport>, Evidence) {
    let label = input.label;
    let failure = |message: String| {
        let mut r = Verifier::format_failure(label, Some(label.to_owned()), &message);
        r.format = SignatureFormat::Xades;
        (vec![r], Evidence::default())
    };
    let doc = match Document::parse(input.bytes) {
        Ok(d) => d,
        Err(e) => return failure(e.to_string()),
    };
    let file = XadesFile::new(label, &doc, input.base_dir);
    if file.signatures.is_empty() {
        return failure(crate::DsigError::NoSignature.to_string());
    }
    let mut evidence = Evidence::default();
    let reports = verifier.verify_container(&file, poe, &mut evidence);
    (reports, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xades_is_told_by_both_namespace_names_in_any_ascii_compatible_encoding() {
        let sig = |head: &[u8], ns: &str| {
            let mut b = head.to_vec();
            b.extend_from_slice(
                format!(
                    "<r><ds:Signature xmlns:ds=\"{DS}\"><x xmlns=\"{ns}\"/></ds:Signature></r>"
                )
                .as_bytes(),
            );
            b
        };
        let etsi = "http://uri.etsi.org/01903/v1.3.2#";
        assert!(looks_like_xades(&sig(b"", etsi)));
        // Shift_JIS text (not UTF-8) before the names.
        assert!(looks_like_xades(&sig(
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><!-- \x8f\x88\x95\xfb -->",
            etsi
        )));
        // XML-DSig without XAdES, and not XML at all.
        assert!(!looks_like_xades(&sig(b"", "urn:other")));
        assert!(!looks_like_xades(&sig(b"%PDF-1.7 ", etsi)));
    }
}
