//! One `ds:Signature` as a [`SignedObject`]: XML-DSig core validation
//! (references, SignedInfo, the signature value), the XAdES form of EN 319
//! 132-1 §6.3 (the signed SignedProperties reference and its Type,
//! DataObjectFormat), the signed properties the engine uses
//! (SigningCertificate(V2), SigningTime) and the time stamps with what each
//! imprint covers.

use std::cell::OnceCell;

use hozon_cms::signing_certificate::CertReference;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};
use hozon_verify::format::{
    Algorithms, DataObjects, ExpectedImprint, SignedObject, SignedProperties,
    SigningCertificateRef, TimeStamp,
};
use hozon_verify::{Code, Findings, SignatureFormat, SubIndication as S, TimestampKind};

use super::{Parsed, XadesFile};
use crate::c14n::{canonicalize, NodeSet};
use crate::core::{
    check_references, check_signature_value, ReferenceResult, SignatureValueProblem,
};
use crate::dsig::{signature_from_uri, Signature};
use crate::properties::{QualifyingProperties, SIGNED_PROPERTIES_TYPE, XADES, XADES141};
use crate::reference::{describe, ProblemKind, Resolver, Target};
use crate::xml::Element;

/// One top-level signature of a [`XadesFile`].
pub(crate) struct XadesSignature<'f, 'd> {
    pub(super) file: &'f XadesFile<'d>,
    element: Element<'d>,
    parsed: &'f Parsed<'d>,
    index: usize,
    /// Reference validation, done once (format checking needs it to find
    /// the SignedProperties reference; the data-object check reports it).
    references: OnceCell<Vec<ReferenceResult<'d>>>,
}

/// Where a time stamp of [`XadesSignature::time_stamps`] came from.
#[derive(Clone, Copy)]
enum StampSource {
    /// `props.signature_time_stamps[property]`.
    Signature { property: usize },
    /// `props.archive_time_stamps[property]`.
    Archive { property: usize },
}

impl<'f, 'd> XadesSignature<'f, 'd> {
    pub(super) fn new(
        file: &'f XadesFile<'d>,
        element: Element<'d>,
        parsed: &'f Parsed<'d>,
        index: usize,
    ) -> Self {
        XadesSignature {
            file,
            element,
            parsed,
            index,
            references: OnceCell::new(),
        }
    }

    pub(super) fn parts(&self) -> Option<(&'f Signature<'d>, &'f QualifyingProperties<'d>)> {
        self.parsed.as_ref().ok().map(|(s, p)| (s, p))
    }

    pub(super) fn resolver(&self) -> Resolver<'f, 'd> {
        Resolver {
            doc: self.file.doc,
            signature: self.element,
            base_dir: self.file.base_dir,
        }
    }

    fn references(&self, sig: &Signature<'d>) -> &Vec<ReferenceResult<'d>> {
        self.references
            .get_or_init(|| check_references(sig, &self.resolver()))
    }

    fn is_xades(&self) -> bool {
        self.parts().is_some_and(|(_, p)| p.element.is_some())
    }

    /// The stamps in the order [`SignedObject::time_stamps`] lists them,
    /// each with where it came from.
    fn stamp_sources(&self) -> Vec<(StampSource, Vec<u8>)> {
        let Some((_, props)) = self.parts() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (property, p) in props.archive_time_stamps.iter().enumerate() {
            for t in &p.tokens {
                out.push((StampSource::Archive { property }, t.clone()));
            }
        }
        for (property, p) in props.signature_time_stamps.iter().enumerate() {
            for t in &p.tokens {
                out.push((StampSource::Signature { property }, t.clone()));
            }
        }
        out
    }

    /// EN 319 132-1 §6.3 (B-B): SignedProperties is signed by exactly one
    /// reference, which resolves to this signature's SignedProperties and
    /// carries the Type `http://uri.etsi.org/01903#SignedProperties`.
    fn check_signed_properties_reference(
        &self,
        props: &QualifyingProperties<'d>,
        results: &[ReferenceResult<'d>],
        f: &mut Findings,
    ) {
        let Some(sp) = props.signed_properties else {
            form(f, "QualifyingProperties has no SignedProperties");
            return;
        };
        if sp.namespace() != Some(XADES) {
            form(f, "SignedProperties is not in the XAdES 1.3.2 namespace");
        }
        let signing: Vec<&ReferenceResult<'d>> = results
            .iter()
            .filter(|r| matches!(&r.outcome, Ok(Target::Element(e)) if *e == sp))
            .collect();
        // A reference that failed cannot be told apart here; it is reported.
        let failed = results.iter().any(|r| r.outcome.is_err());
        match signing.len() {
            0 if failed => {}
            0 => form(
                f,
                "no reference signs this signature's SignedProperties: the qualifying properties are not signed",
            ),
            1 => {
                if signing[0].type_.as_deref() != Some(SIGNED_PROPERTIES_TYPE) {
                    form(
                        f,
                        format!(
                            "the reference to SignedProperties has Type {} instead of {SIGNED_PROPERTIES_TYPE} (EN 319 132-1 6.3)",
                            signing[0].type_.as_deref().map_or("(none)".to_owned(), |t| format!("\"{t}\""))
                        ),
                    );
                }
            }
            n => form(
                f,
                format!("{n} references sign SignedProperties; exactly one may"),
            ),
        }
    }

    /// DataObjectFormat's ObjectReference names a Reference of SignedInfo
    /// (EN 319 132-1 §5.2.4).
    fn check_data_object_formats(
        sig: &Signature<'d>,
        props: &QualifyingProperties<'d>,
        f: &mut Findings,
    ) {
        for (r, _) in &props.data_object_formats {
            let ok = r.strip_prefix('#').is_some_and(|id| {
                sig.signed_info
                    .references
                    .iter()
                    .any(|x| x.id.as_deref() == Some(id))
            });
            if !ok {
                form(
                    f,
                    format!(
                        "DataObjectFormat ObjectReference \"{r}\" names no Reference of SignedInfo"
                    ),
                );
            }
        }
    }

    /// Properties present and not validated, each with a warning.
    fn note_unvalidated(props: &QualifyingProperties<'d>, f: &mut Findings) {
        let not_validated = Code::UnsignedAttributeNotValidated;
        if !props.sig_and_refs_time_stamps.is_empty() {
            f.warn(
                not_validated,
                "SigAndRefsTimeStamp (XAdES-X) is present and not validated",
            );
        }
        if props.complete_certificate_refs || props.complete_revocation_refs {
            f.warn(
                not_validated,
                "CompleteCertificateRefs/CompleteRevocationRefs (XAdES-C) are present; the references are not checked",
            );
        }
        if !props.counter_signatures.is_empty() {
            f.warn(
                not_validated,
                format!(
                    "{} counter-signature(s) present, not validated",
                    props.counter_signatures.len()
                ),
            );
        }
        if let Some(p) = &props.policy {
            f.warn(
                Code::XadesFinding,
                format!("signature policy {p} (EPES): the policy document itself is not checked"),
            );
        }
        for c in &props.commitment_types {
            f.warn(
                Code::XadesFinding,
                format!("commitment type {c} (CommitmentTypeIndication, signed)"),
            );
        }
    }

    /// The signing-certificate reference as the engine checks it. A
    /// SigningCertificate (v1) names the issuer as an RFC 4514 string,
    /// checked by [`Self::identifies`]; the digest binds.
    fn signing_certificate_ref(props: &QualifyingProperties<'d>) -> Option<SigningCertificateRef> {
        let r = props.signing_certificate.as_ref()?;
        Some(SigningCertificateRef {
            property: if r.v2 {
                "SigningCertificateV2"
            } else {
                "SigningCertificate"
            }
            .to_owned(),
            reference: CertReference {
                digest: r.digest,
                cert_hash: r.cert_hash.clone(),
                issuer_serial: r.issuer_serial_v2.clone(),
                v2: r.v2,
            },
        })
    }

    /// The canonical `ds:SignatureValue` element: what a SignatureTimeStamp
    /// covers (EN 319 132-1 §5.3.2), with the property's canonicalisation.
    fn signature_time_stamp_input(
        &self,
        property: usize,
        label: &str,
        f: &mut Findings,
    ) -> Option<ExpectedImprint> {
        let (sig, props) = self.parts()?;
        let ts = props.signature_time_stamps.get(property)?;
        let set = NodeSet::subtree(sig.signature_value_element);
        match canonicalize(self.file.doc, &set, &ts.c14n) {
            Ok(octets) => Some(ExpectedImprint::Bytes(octets)),
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::TimestampInputUnavailable,
                    format!("{label}: the ds:SignatureValue cannot be canonicalised: {e}"),
                );
                None
            }
        }
    }
}

/// Records a XAdES / XML-DSig structural problem.
fn form(f: &mut Findings, message: impl Into<String>) {
    f.fail(S::FormatFailure, Code::StructureInvalid, message);
}

/// The weakest digest among the references (what the algorithm policy
/// judges), or `None` without references.
fn weakest_reference_digest(sig: &Signature<'_>) -> Option<DigestAlgorithm> {
    sig.signed_info
        .references
        .iter()
        .map(|r| r.digest_method)
        .min_by_key(|d| d.output_len())
}

impl SignedObject for XadesSignature<'_, '_> {
    fn index(&self) -> usize {
        self.index
    }

    fn format(&self) -> SignatureFormat {
        if self.parsed.is_err() || self.is_xades() {
            SignatureFormat::Xades
        } else {
            SignatureFormat::XmlDsig
        }
    }

    fn check_format(&self, f: &mut Findings) -> Option<Algorithms> {
        let (sig, props) = match self.parsed {
            Ok((sig, props)) => (sig, props),
            Err(e) => {
                f.fail(S::FormatFailure, Code::SignatureUnreadable, e.clone());
                return None;
            }
        };
        let results = self.references(sig);
        if props.element.is_some() {
            self.check_signed_properties_reference(props, results, f);
            Self::check_data_object_formats(sig, props, f);
        }
        let uri = &sig.signed_info.signature_method;
        let Some(signature) = signature_from_uri(uri) else {
            f.fail(
                S::CryptoConstraintsFailure,
                Code::UnsupportedSignatureAlgorithm,
                format!("unsupported SignatureMethod {uri}"),
            );
            return None;
        };
        let digest = weakest_reference_digest(sig)
            .or(signature.digest())
            .unwrap_or(DigestAlgorithm::Sha256);
        Some(Algorithms {
            digest,
            signature: vec![signature],
        })
    }

    fn signed_properties(&self, f: &mut Findings) -> SignedProperties {
        let mut properties = SignedProperties::default();
        let Some((_, props)) = self.parts() else {
            return properties;
        };
        properties.claimed_signing_time = props.signing_time;
        if props.element.is_some() && props.signing_time.is_none() {
            f.warn(
                Code::SigningTimeMissing,
                "no SigningTime (XAdES B-B requires one)",
            );
        }
        if props.element.is_none() {
            f.warn(
                Code::XadesFinding,
                "a plain XML-DSig signature: no signed property binds the signer's certificate (not XAdES)",
            );
        }
        properties
            .signing_certificate_refs
            .extend(Self::signing_certificate_ref(props));
        Self::note_unvalidated(props, f);
        properties
    }

    fn identifies(&self, cert: &Cert) -> bool {
        let Some((sig, props)) = self.parts() else {
            return false;
        };
        match &props.signing_certificate {
            Some(r) => r.matches(cert).unwrap_or(false),
            // Without a signed reference, the signer is the first
            // certificate of KeyInfo (XML-DSig names no other way).
            None => sig.certificates.first() == Some(cert),
        }
    }

    fn describe_signer(&self) -> String {
        match self.parts() {
            Some((_, props)) => match &props.signing_certificate {
                Some(r) => format!(
                    "the certificate its {} references (certificate substitution?)",
                    if r.v2 {
                        "SigningCertificateV2"
                    } else {
                        "SigningCertificate"
                    }
                ),
                None => "the first X509Certificate of KeyInfo; KeyInfo carries none".to_owned(),
            },
            None => "unreadable".to_owned(),
        }
    }

    fn check_data_objects(&self, _algorithms: &Algorithms, f: &mut Findings) -> DataObjects {
        let Some((sig, _)) = self.parts() else {
            return DataObjects::Failed;
        };
        let mut intact = true;
        for r in self.references(sig) {
            let label = r
                .uri
                .as_deref()
                .map_or("(no URI)".to_owned(), |u| format!("\"{u}\""));
            match &r.outcome {
                Ok(target) => f.warn(
                    Code::XadesFinding,
                    format!("reference {label} signs {}", describe(target)),
                ),
                Err(p) => {
                    intact = false;
                    let (sub, code) = match p.kind {
                        ProblemKind::DigestMismatch => {
                            (S::HashFailure, Code::MessageDigestMismatch)
                        }
                        ProblemKind::NotFound => (S::SignedDataNotFound, Code::SignedDataNotFound),
                        ProblemKind::Ambiguous | ProblemKind::Refused | ProblemKind::Malformed => {
                            (S::FormatFailure, Code::StructureInvalid)
                        }
                    };
                    f.fail(sub, code, format!("reference {label}: {p}"));
                }
            }
        }
        if intact {
            DataObjects::Intact
        } else {
            DataObjects::Failed
        }
    }

    fn verify_signature_value(
        &self,
        cert: &Cert,
        _algorithms: &Algorithms,
        keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm> {
        let (sig, _) = self.parts()?;
        match check_signature_value(self.file.doc, sig, cert, keys) {
            Ok(alg) => Some(alg),
            Err(SignatureValueProblem::UnsupportedAlgorithm(a)) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    Code::UnsupportedSignatureAlgorithm,
                    format!("unsupported SignatureMethod {a}"),
                );
                None
            }
            Err(p) => {
                f.fail(
                    S::SigCryptoFailure,
                    Code::SignatureValueInvalid,
                    p.to_string(),
                );
                None
            }
        }
    }

    fn time_stamps(&self, _f: &mut Findings) -> Vec<TimeStamp> {
        let sources = self.stamp_sources();
        let count = |archive: bool| {
            sources
                .iter()
                .filter(|(s, _)| matches!(s, StampSource::Archive { .. }) == archive)
                .count()
        };
        let (archives, signatures) = (count(true), count(false));
        let mut numbers = (0, 0);
        sources
            .into_iter()
            .enumerate()
            .map(|(handle, (source, der))| {
                let (kind, name, n, total, attribute) = match source {
                    StampSource::Archive { property } => {
                        numbers.0 += 1;
                        let ns = self
                            .parts()
                            .and_then(|(_, p)| p.archive_time_stamps.get(property))
                            .and_then(|p| p.element.namespace());
                        let attribute = if ns == Some(XADES141) {
                            "xadesv141:ArchiveTimeStamp"
                        } else {
                            "xades:ArchiveTimeStamp (XAdES 1.3.2)"
                        };
                        (
                            TimestampKind::Archive,
                            "archive time stamp",
                            numbers.0,
                            archives,
                            Some(attribute.to_owned()),
                        )
                    }
                    StampSource::Signature { .. } => {
                        numbers.1 += 1;
                        (
                            TimestampKind::Signature,
                            "signature time stamp",
                            numbers.1,
                            signatures,
                            None,
                        )
                    }
                };
                let label = if total > 1 {
                    format!("{name} {n}")
                } else {
                    name.to_owned()
                };
                let token = hozon_tsp::Token::parse(&der, &label);
                TimeStamp {
                    kind,
                    label,
                    attribute,
                    der,
                    token,
                    // A later ArchiveTimeStamp covers the earlier ones.
                    coverage: n,
                    handle,
                }
            })
            .collect()
    }

    fn expected_imprint(&self, stamp: &TimeStamp, f: &mut Findings) -> Option<ExpectedImprint> {
        let (source, _) = self.stamp_sources().into_iter().nth(stamp.handle)?;
        match source {
            StampSource::Signature { property } => {
                self.signature_time_stamp_input(property, &stamp.label, f)
            }
            StampSource::Archive { property } => self.archive_imprint(property, stamp, f),
        }
    }
}
