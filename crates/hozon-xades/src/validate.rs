//! XAdES signature validation up to what needs no trust decisions: format
//! checking, XML-DSig core validation, the binding of the signing
//! certificate by SigningCertificate(V2), and the inputs of the time stamps.
//! X.509 path validation, revocation and the time stamps' own validation are
//! the validation engine's ([`crate::report`]).
//!
//! Each check is named after the EN 319 132-1 / EN 319 102-1 step it
//! implements; each problem carries its ETSI sub-indication.

use std::path::Path;

use hozon_cms::{Cert, KeyCache, SignatureAlgorithm};
use hozon_pki::UnixTime;
use hozon_verify::SubIndication;

use crate::c14n::{canonicalize, NodeSet};
use crate::core::{check_references, check_signature_value};
use crate::dsig::{find_signatures, Signature, DS};
use crate::error::DsigError;
use crate::properties::{QualifyingProperties, ValidationValues, SIGNED_PROPERTIES_TYPE, XADES};
use crate::reference::{describe, ProblemKind, Resolver, Target};
use crate::xml::{Document, Element};

/// The form of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// XAdES: qualifying properties with SignedProperties.
    Xades,
    /// Plain XML-DSig (no qualifying properties).
    XmlDsig,
}

/// A time stamp to validate: the token and the data its imprint covers.
#[derive(Clone, Debug)]
pub struct StampInput {
    /// What it stamps (signature or archive time stamp).
    pub kind: hozon_verify::TimestampKind,
    /// The DER token.
    pub token: Vec<u8>,
    /// The octets the message imprint must be the digest of (`None` when
    /// hozon does not compute this stamp's input).
    pub covered: Option<Vec<u8>>,
}

/// The outcome of one reference, owned.
#[derive(Clone, Debug)]
pub struct ReferenceOutcome {
    /// The URI.
    pub uri: Option<String>,
    /// The Type.
    pub type_: Option<String>,
    /// What it covers when it passed, or why not.
    pub result: Result<String, String>,
}

/// What the XAdES-specific checks of one signature found.
#[derive(Clone, Debug)]
pub struct SignatureCheck {
    /// The signature's Id.
    pub id: Option<String>,
    /// XAdES or plain XML-DSig.
    pub form: Form,
    /// Every reference.
    pub references: Vec<ReferenceOutcome>,
    /// The signing certificate, when identified.
    pub signer: Option<Cert>,
    /// The certificates the signature carries (KeyInfo, CertificateValues,
    /// TimeStampValidationData).
    pub certificates: Vec<Cert>,
    /// CRLs and OCSP responses it carries.
    pub values: ValidationValues,
    /// Whether CertificateValues/RevocationValues are present (B-LT).
    pub has_validation_values: bool,
    /// The algorithm the SignatureValue verified with.
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// Whether SigningCertificate(V2) bound the signer.
    pub bound: bool,
    /// Whether every reference passed and the value verified.
    pub core_valid: bool,
    /// SigningTime (a claim).
    pub signing_time: Option<UnixTime>,
    /// SignaturePolicyIdentifier (EPES).
    pub policy: Option<String>,
    /// Time stamps, with their inputs.
    pub stamps: Vec<StampInput>,
    /// Counter-signatures present (not validated here).
    pub counter_signatures: usize,
    /// Problems, each with its sub-indication.
    pub problems: Vec<(SubIndication, String)>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// What a document's signatures are verified with.
pub struct Inputs<'a> {
    /// The directory detached references are resolved in (the signature
    /// file's directory); `None` refuses detached references.
    pub base_dir: Option<&'a Path>,
    /// Certificates from outside the signature (trust anchors, `--certs`):
    /// candidates for the signing certificate.
    pub extra_certs: &'a [Cert],
    /// The key cache.
    pub keys: &'a KeyCache,
}

/// Whether `bytes` look like an XML document with an XML-DSig signature
/// carrying XAdES qualifying properties (by content, cheaply: both namespace
/// names appear). [`verify_document`] decides for real.
pub fn looks_like_xades(bytes: &[u8]) -> bool {
    let head = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0xEF | 0xBB | 0xBF))
        .map(|i| &bytes[i..]);
    let is_xml = head.is_some_and(|h| h.starts_with(b"<"));
    let find = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
    is_xml && find(DS.as_bytes()) && find(b"http://uri.etsi.org/01903/v1.")
}

/// Verifies every top-level signature of the XML document `bytes` (those
/// not nested in another signature's properties).
pub fn verify_document(
    bytes: &[u8],
    inputs: &Inputs<'_>,
) -> Result<Vec<SignatureCheck>, DsigError> {
    let doc = Document::parse(bytes)?;
    let root = doc.root().ok_or(DsigError::NoSignature)?;
    let all = find_signatures(root);
    let top: Vec<Element<'_>> = all
        .iter()
        .copied()
        .filter(|s| !all.iter().any(|o| o != s && s.is_within(o)))
        .collect();
    if top.is_empty() {
        return Err(DsigError::NoSignature);
    }
    Ok(top
        .into_iter()
        .map(|e| verify_signature(&doc, e, inputs))
        .collect())
}

fn blank(id: Option<String>) -> SignatureCheck {
    SignatureCheck {
        id,
        form: Form::XmlDsig,
        references: Vec::new(),
        signer: None,
        certificates: Vec::new(),
        values: ValidationValues::default(),
        has_validation_values: false,
        signature_algorithm: None,
        bound: false,
        core_valid: false,
        signing_time: None,
        policy: None,
        stamps: Vec::new(),
        counter_signatures: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Validates one `ds:Signature` element of `doc`.
pub fn verify_signature(doc: &Document, e: Element<'_>, inputs: &Inputs<'_>) -> SignatureCheck {
    use SubIndication as S;
    let mut out = blank(e.attribute("Id"));
    // --- Format checking (EN 319 102-1 5.2.2) -------------------------------
    let sig = match Signature::read(e) {
        Ok(s) => s,
        Err(err) => {
            out.problems.push((S::FormatFailure, err.to_string()));
            return out;
        }
    };
    let props = match QualifyingProperties::read(&sig) {
        Ok(p) => p,
        Err(err) => {
            out.problems
                .push((S::FormatFailure, format!("XAdES properties: {err}")));
            return out;
        }
    };
    out.form = if props.element.is_some() {
        Form::Xades
    } else {
        Form::XmlDsig
    };
    out.signing_time = props.signing_time;
    out.policy = props.policy.clone();
    out.counter_signatures = props.counter_signatures.len();
    out.has_validation_values = props.has_values;
    out.values = props.values.clone();
    out.certificates = sig.certificates.clone();
    for c in &props.values.certs {
        if !out.certificates.contains(c) {
            out.certificates.push(c.clone());
        }
    }

    // --- Reference validation (XML-DSig core, part 1) -------------------------
    let resolver = Resolver {
        doc,
        signature: e,
        base_dir: inputs.base_dir,
    };
    let results = check_references(&sig, &resolver);
    let mut refs_ok = true;
    for r in &results {
        let label = r
            .uri
            .as_deref()
            .map_or("(no URI)".to_owned(), |u| format!("\"{u}\""));
        if let Err(p) = &r.outcome {
            refs_ok = false;
            let sub = match p.kind {
                ProblemKind::DigestMismatch => S::HashFailure,
                ProblemKind::NotFound => S::SignedDataNotFound,
                ProblemKind::Ambiguous | ProblemKind::Refused | ProblemKind::Malformed => {
                    S::FormatFailure
                }
            };
            out.problems.push((sub, format!("reference {label}: {p}")));
        }
        out.references.push(ReferenceOutcome {
            uri: r.uri.clone(),
            type_: r.type_.clone(),
            result: r
                .outcome
                .as_ref()
                .map(describe)
                .map_err(ToString::to_string),
        });
    }

    if out.form == Form::Xades {
        check_signed_properties_reference(&props, &results, &mut out);
        check_data_object_formats(&sig, &props, &mut out);
    }

    // --- Identification of the signing certificate (5.2.3) -------------------
    let candidates: Vec<Cert> = out
        .certificates
        .iter()
        .chain(inputs.extra_certs)
        .cloned()
        .collect();
    match &props.signing_certificate {
        Some(reference) => {
            let mut errors = Vec::new();
            out.signer = candidates
                .iter()
                .find(|c| match reference.matches(c) {
                    Ok(m) => m,
                    Err(e) => {
                        errors.push(e);
                        false
                    }
                })
                .cloned();
            match &out.signer {
                Some(_) => out.bound = true,
                None => out.problems.push((
                    S::NoSigningCertificateFound,
                    format!(
                        "no certificate in the signature or supplied matches its {} (certificate substitution?){}",
                        if reference.v2 { "SigningCertificateV2" } else { "SigningCertificate" },
                        errors.first().map(|e| format!(": {e}")).unwrap_or_default()
                    ),
                )),
            }
        }
        None => {
            out.signer = sig.certificates.first().cloned();
            out.problems.push((
                S::NoSigningCertificateFound,
                if out.form == Form::Xades {
                    "no SigningCertificate or SigningCertificateV2 binds the signer's certificate (XAdES B-B requires one)"
                } else {
                    "a plain XML-DSig signature: no signed property binds the signer's certificate (not XAdES)"
                }
                .to_owned(),
            ));
        }
    }

    // --- Cryptographic verification (5.2.7): the signature value -------------
    let mut value_ok = false;
    match &out.signer {
        Some(cert) => match check_signature_value(doc, &sig, cert, inputs.keys) {
            Ok(alg) => {
                value_ok = true;
                out.signature_algorithm = Some(alg);
            }
            Err(crate::core::SignatureValueProblem::UnsupportedAlgorithm(a)) => {
                out.problems.push((
                    S::CryptoConstraintsFailure,
                    format!("unsupported SignatureMethod {a}"),
                ))
            }
            Err(p) => out.problems.push((S::SigCryptoFailure, p.to_string())),
        },
        None => {
            if sig.certificates.is_empty() {
                out.problems.push((
                    S::NoSigningCertificateFound,
                    "KeyInfo carries no X509Certificate and none was supplied".to_owned(),
                ));
            }
        }
    }
    out.core_valid = refs_ok && value_ok;

    // --- Time stamps: their inputs ------------------------------------------------
    for ts in &props.signature_time_stamps {
        let set = NodeSet::subtree(sig.signature_value_element);
        let covered = match canonicalize(doc, &set, &ts.c14n) {
            Ok(c) => Some(c),
            Err(err) => {
                out.problems
                    .push((S::FormatFailure, format!("SignatureTimeStamp: {err}")));
                None
            }
        };
        for token in &ts.tokens {
            out.stamps.push(StampInput {
                kind: hozon_verify::TimestampKind::Signature,
                token: token.clone(),
                covered: covered.clone(),
            });
        }
    }
    for ts in &props.archive_time_stamps {
        for token in &ts.tokens {
            out.stamps.push(StampInput {
                kind: hozon_verify::TimestampKind::Archive,
                token: token.clone(),
                covered: None,
            });
        }
    }
    if !props.sig_and_refs_time_stamps.is_empty() {
        out.warnings
            .push("SigAndRefsTimeStamp (XAdES-X) is present and not validated".to_owned());
    }
    if props.complete_certificate_refs || props.complete_revocation_refs {
        out.warnings.push(
            "CompleteCertificateRefs/CompleteRevocationRefs (XAdES-C) are present; the references are not checked"
                .to_owned(),
        );
    }
    if let Some(p) = &props.policy {
        out.warnings.push(format!(
            "signature policy {p} (EPES): the policy document itself is not checked"
        ));
    }
    if !props.counter_signatures.is_empty() {
        out.warnings.push(format!(
            "{} counter-signature(s) present, not validated",
            props.counter_signatures.len()
        ));
    }
    out
}

/// EN 319 132-1 5.2 / 6.3 (B-B): SignedProperties is signed by exactly one
/// reference, which resolves to this signature's SignedProperties element
/// and carries the Type `http://uri.etsi.org/01903#SignedProperties`.
fn check_signed_properties_reference(
    props: &QualifyingProperties<'_>,
    results: &[crate::core::ReferenceResult<'_>],
    out: &mut SignatureCheck,
) {
    use SubIndication as S;
    let Some(sp) = props.signed_properties else {
        out.problems.push((
            S::FormatFailure,
            "QualifyingProperties has no SignedProperties".to_owned(),
        ));
        return;
    };
    if sp.namespace() != Some(XADES) {
        out.problems.push((
            S::FormatFailure,
            "SignedProperties is not in the XAdES 1.3.2 namespace".to_owned(),
        ));
    }
    let signing: Vec<&crate::core::ReferenceResult<'_>> = results
        .iter()
        .filter(|r| matches!(&r.outcome, Ok(Target::Element(e)) if *e == sp))
        .collect();
    // A reference that failed cannot be told apart here; it is reported.
    let failed = results.iter().any(|r| r.outcome.is_err());
    match signing.len() {
        0 if failed => {}
        0 => out.problems.push((
            S::FormatFailure,
            "no reference signs this signature's SignedProperties: the qualifying properties are not signed".to_owned(),
        )),
        1 => {
            if signing[0].type_.as_deref() != Some(SIGNED_PROPERTIES_TYPE) {
                out.problems.push((
                    S::FormatFailure,
                    format!(
                        "the reference to SignedProperties has Type {} instead of {SIGNED_PROPERTIES_TYPE} (EN 319 132-1 6.3)",
                        signing[0].type_.as_deref().map_or("(none)".to_owned(), |t| format!("\"{t}\""))
                    ),
                ));
            }
        }
        n => out.problems.push((
            S::FormatFailure,
            format!("{n} references sign SignedProperties; exactly one may"),
        )),
    }
}

/// DataObjectFormat's ObjectReference names a Reference of SignedInfo
/// (EN 319 132-1 5.2.4).
fn check_data_object_formats(
    sig: &Signature<'_>,
    props: &QualifyingProperties<'_>,
    out: &mut SignatureCheck,
) {
    for (r, _) in &props.data_object_formats {
        let ok = r.strip_prefix('#').is_some_and(|id| {
            sig.signed_info
                .references
                .iter()
                .any(|x| x.id.as_deref() == Some(id))
        });
        if !ok {
            out.problems.push((
                SubIndication::FormatFailure,
                format!(
                    "DataObjectFormat ObjectReference \"{r}\" names no Reference of SignedInfo"
                ),
            ));
        }
    }
}
