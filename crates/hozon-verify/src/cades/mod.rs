//! The CAdES (and plain CMS) adapter of the validation engine: a CMS
//! SignedData is a [`SignatureContainer`], each SignerInfo a
//! [`crate::format::SignedObject`]. Everything CMS-specific lives here:
//! SignerInfo versions and identifiers, signed attributes (their DER
//! re-sorting, CMSAlgorithmProtection, ESS signing-certificate(-v2)),
//! archive-time-stamp v2/v3 inputs and the ats-hash-index, ES-XL
//! references in CMS form, counter-signatures.

mod archive;
pub(crate) mod countersignature;
mod entry;
pub(crate) mod es_xl;
mod signature;
pub(crate) mod signature_value;
mod unsigned;

use std::cell::RefCell;
use std::path::Path;

use hozon_cms::{Cert, SignatureFile};
use hozon_pki::UnixTime;

use crate::codes::Code;
use crate::content::{same_content, DetachedContent, DigestCache, Source, ValidationData};
use crate::evidence::Evidence;
use crate::findings::Findings;
use crate::format::{EmbeddedValidationData, SignatureContainer, SignedObject};
use crate::report::{SignatureReport, SubIndication};
use crate::Verifier;

use es_xl::EsXl;
use signature::CadesSignature;

/// What to verify: a CMS signature file and its content.
pub(crate) struct Request<'a> {
    /// The signature file's name in reports.
    pub(crate) label: &'a str,
    /// Its bytes.
    pub(crate) bytes: &'a [u8],
    /// The detached content (a file or byte ranges of one).
    pub(crate) detached: Option<DetachedContent<'a>>,
    /// Validation data from outside the signature (a PDF's DSS).
    pub(crate) external: &'a ValidationData,
}

/// Verifies a CMS/CAdES signature file through the engine.
pub(crate) fn verify(
    verifier: &Verifier,
    request: Request<'_>,
    poe: Option<UnixTime>,
    evidence: &mut Evidence,
) -> Vec<SignatureReport> {
    let Request {
        label,
        bytes,
        detached,
        external,
    } = request;
    let (path, ranges) = match detached {
        Some(DetachedContent::File(p)) => (Some(p), None),
        Some(DetachedContent::ByteRanges { path, ranges }) => (Some(path), Some(ranges)),
        None => (None, None),
    };
    let detached_name = path.map(|p| p.display().to_string());
    let file = match SignatureFile::parse(bytes) {
        Ok(f) => f,
        Err(e) => {
            return vec![Verifier::format_failure(
                label,
                detached_name,
                &format!("not a readable CMS signature: {e}"),
            )]
        }
    };
    let econtent = match file.econtent() {
        Ok(c) => c,
        Err(e) => {
            return vec![Verifier::format_failure(
                label,
                detached_name,
                &e.to_string(),
            )]
        }
    };
    let mut findings = Findings::default();
    let (source, content_name) =
        content_source(label, econtent, path, ranges, detached_name, &mut findings);
    if file.signer_infos().is_empty() {
        return vec![Verifier::format_failure(
            label,
            content_name,
            "the SignedData has no SignerInfo",
        )];
    }
    let container = CadesFile::new(label, &file, &source, content_name, findings, external);
    verifier.verify_container(&container, poe, evidence)
}

/// Where the signed content is: embedded, a detached file, byte ranges of
/// one, or absent (with why). Records a problem when embedded content
/// differs from the file given as the content.
fn content_source<'a>(
    label: &str,
    econtent: Option<&'a [u8]>,
    path: Option<&'a Path>,
    ranges: Option<&'a [(u64, u64)]>,
    detached_name: Option<String>,
    f: &mut Findings,
) -> (Source<'a>, Option<String>) {
    match (econtent, path) {
        (Some(c), Some(p)) if p.exists() => {
            match same_content(p, c) {
                Ok(true) => {}
                Ok(false) => f.fail(
                    SubIndication::HashFailure,
                    Code::EmbeddedContentMismatch,
                    format!(
                        "the signature embeds its own content, which differs from {}: it does not sign that file",
                        p.display()
                    ),
                ),
                Err(e) => f.fail(
                    SubIndication::SignedDataNotFound,
                    Code::SignedDataNotFound,
                    format!("cannot compare the embedded content with {}: {e}", p.display()),
                ),
            }
            (Source::Embedded(c), detached_name)
        }
        (Some(c), _) => (Source::Embedded(c), Some(label.to_owned())),
        (None, Some(p)) if p.is_file() => match ranges {
            Some(ranges) => (Source::Ranges(p, ranges), detached_name),
            None => (Source::File(p), detached_name),
        },
        (None, Some(p)) => (
            Source::Absent(format!(
                "the detached content {} does not exist",
                p.display()
            )),
            detached_name,
        ),
        (None, None) => (
            Source::Absent(
                "the signature is detached and no content was given (use --content FILE)".into(),
            ),
            None,
        ),
    }
}

/// All the validation data of one file, as the ES-XL references are
/// checked against it.
pub(crate) struct Available {
    pub(crate) certs: Vec<Cert>,
    pub(crate) crls: Vec<Vec<u8>>,
    pub(crate) ocsp: Vec<Vec<u8>>,
}

/// One CMS SignedData and what its SignerInfos share.
pub(crate) struct CadesFile<'a> {
    label: &'a str,
    file: &'a SignatureFile,
    content_name: Option<String>,
    findings: Findings,
    /// The content's digests, computed once per algorithm.
    digests: RefCell<DigestCache<'a>>,
    /// Each SignerInfo's ES-XL attributes.
    es_xl: Vec<Result<EsXl, String>>,
    data: EmbeddedValidationData,
    available: Available,
}

impl<'a> CadesFile<'a> {
    fn new(
        label: &'a str,
        file: &'a SignatureFile,
        source: &'a Source<'a>,
        content_name: Option<String>,
        findings: Findings,
        external: &ValidationData,
    ) -> CadesFile<'a> {
        let mut certs: Vec<Cert> = file.certificates();
        let mut crls: Vec<(String, Vec<u8>)> = file
            .crls()
            .into_iter()
            .enumerate()
            .map(|(i, der)| (format!("{label} (embedded CRL {i})"), der))
            .collect();
        for c in &external.certs {
            if !certs.contains(c) {
                certs.push(c.clone());
            }
        }
        for (i, der) in external.crls.iter().enumerate() {
            crls.push((format!("{label} (external CRL {i})"), der.clone()));
        }
        // ES-XL (JIS X 5092): certificate-values and revocation-values are
        // embedded validation data too, for every SignerInfo's validation.
        let es_xl: Vec<Result<EsXl, String>> = file
            .signer_infos()
            .iter()
            .map(|si| EsXl::read(si.unsigned_attrs.as_ref()))
            .collect();
        let mut ocsp_ders: Vec<Vec<u8>> = external.ocsp_responses.clone();
        for (index, xl) in es_xl.iter().enumerate() {
            let Ok(xl) = xl else { continue };
            for c in &xl.certs {
                if !certs.contains(c) {
                    certs.push(c.clone());
                }
            }
            for (i, der) in xl.crls.iter().enumerate() {
                crls.push((
                    format!("{label} (revocation-values of SignerInfo {index}, CRL {i})"),
                    der.clone(),
                ));
            }
            ocsp_ders.extend(xl.ocsp.iter().cloned());
        }
        // OCSP responses: in SignedData crls (id-ri-ocsp-response, whole
        // OCSPResponses) and in ES-XL revocation-values (BasicOCSPResponses).
        let ocsp: Vec<(String, Vec<u8>)> = file
            .ocsp_responses()
            .into_iter()
            .enumerate()
            .map(|(i, der)| (format!("{label} (embedded OCSP response {i})"), der))
            .chain(ocsp_ders.iter().enumerate().map(|(i, der)| {
                (
                    format!("{label} (revocation-values, OCSP response {i})"),
                    der.clone(),
                )
            }))
            .collect();
        let available = Available {
            certs: certs.clone(),
            crls: crls.iter().map(|(_, d)| d.clone()).collect(),
            ocsp: ocsp_ders,
        };
        CadesFile {
            label,
            file,
            content_name,
            findings,
            digests: RefCell::new(DigestCache::new(source)),
            es_xl,
            data: EmbeddedValidationData { certs, crls, ocsp },
            available,
        }
    }
}

impl SignatureContainer for CadesFile<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn content_name(&self) -> Option<String> {
        self.content_name.clone()
    }

    fn findings(&self) -> Findings {
        self.findings.clone()
    }

    fn validation_data(&self) -> EmbeddedValidationData {
        self.data.clone()
    }

    fn signatures(&self) -> Vec<Box<dyn SignedObject + '_>> {
        self.file
            .signer_infos()
            .iter()
            .enumerate()
            .map(|(index, si)| {
                Box::new(CadesSignature::new(self, si, index)) as Box<dyn SignedObject + '_>
            })
            .collect()
    }
}
