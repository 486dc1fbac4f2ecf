//! The validation engine: one CMS file in, one report per SignerInfo out.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use hozon_cms::algorithm_protection::CmsAlgorithmProtection;
use hozon_cms::asn1::cms::content_info::CmsVersion;
use hozon_cms::asn1::cms::signed_data::{SignerIdentifier, SignerInfo};
use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER;
use hozon_cms::asn1::der::asn1::{ObjectIdentifier, OctetString};
use hozon_cms::asn1::der::Decode;
use hozon_cms::asn1::x509_cert::ext::pkix::SubjectKeyIdentifier;
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::decode_unique;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNING_TIME,
};
use hozon_cms::signing_certificate::{CertReference, SigningCertificate, SigningCertificateV2};
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm, SignatureFile};
use hozon_pki::{ChainValidator, Crl, CrlSet, OcspResponse, UnixTime};

use crate::chain::curable_with_poe;
use crate::content::{same_content, DetachedContent, DigestCache, Source, ValidationData};
use crate::es_xl::{check_references, EsXl};
use crate::findings::{Evidence, Findings, Passed};
use crate::hc_role::hc_role;
use crate::report::{Indication, SignatureReport, SignerReport, SubIndication};
use crate::AlgorithmPolicy;
use hozon_cms::KeyCache;

/// Allowed difference between a claimed time and the validation time before
/// we warn that a claim lies in the future.
const CLOCK_SKEW_SECS: i64 = 300;

/// What the verifier is configured with besides trust.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// The validation time (`--at`, default now).
    pub validation_time: UnixTime,
    /// Acceptable algorithms.
    pub algorithms: AlgorithmPolicy,
    /// Accept a signature time stamp whose TSA certificate has expired since
    /// (when its path was valid at genTime) even without a later archive
    /// time stamp. Off by default.
    pub accept_expired_tsa: bool,
    /// Certificates to use besides those in the signatures and tokens
    /// (intermediates, or a TSA certificate a token does not carry).
    pub extra_certs: Vec<Cert>,
}

/// The validation data of one file, as the ES-XL references are checked
/// against it.
struct Available<'a> {
    certs: &'a [Cert],
    crls: Vec<&'a [u8]>,
    ocsp: Vec<Vec<u8>>,
}

/// What [`Verifier::verify_inner`] verifies against.
struct Input<'a> {
    detached: Option<DetachedContent<'a>>,
    external: &'a ValidationData,
}

/// No validation data from outside the signature.
static NO_EXTERNAL_DATA: std::sync::LazyLock<ValidationData> =
    std::sync::LazyLock::new(ValidationData::default);

impl<'a> Input<'a> {
    /// A detached content file, if any, and nothing else.
    fn path(detached: Option<&'a Path>) -> Input<'a> {
        Input {
            detached: detached.map(DetachedContent::File),
            external: &NO_EXTERNAL_DATA,
        }
    }
}

/// Adds validation data from outside the signature to what it embeds.
fn add_external(
    external: &ValidationData,
    label: &str,
    certs: &mut Vec<Cert>,
    crl_ders: &mut Vec<(String, Vec<u8>)>,
) {
    for c in &external.certs {
        if !certs.contains(c) {
            certs.push(c.clone());
        }
    }
    for (i, der) in external.crls.iter().enumerate() {
        crl_ders.push((format!("{label} (external CRL {i})"), der.clone()));
    }
}

/// Validates signatures; share one across a batch (it caches chain results).
pub struct Verifier {
    pub(crate) chains: ChainValidator,
    pub(crate) config: VerifierConfig,
    pub(crate) keys: KeyCache,
    /// Embedded CRLs decoded once per run: a batch of signatures made by
    /// one CA carries the same few CRLs thousands of times, and a shared
    /// [`Crl`] verifies its signature once (per issuer) for all of them.
    embedded_crls: Mutex<HashMap<[u8; 32], Arc<Crl>>>,
}

/// Embedded CRLs remembered before the memory is emptied.
const EMBEDDED_CRL_LIMIT: usize = 1_000;

impl Verifier {
    /// A verifier over `chains` (anchors, CRLs, revocation policy).
    pub fn new(chains: ChainValidator, config: VerifierConfig) -> Verifier {
        Verifier {
            chains,
            config,
            keys: KeyCache::default(),
            embedded_crls: Mutex::new(HashMap::new()),
        }
    }

    /// The verifier with another algorithm policy.
    pub fn with_algorithms(mut self, algorithms: AlgorithmPolicy) -> Verifier {
        self.config.algorithms = algorithms;
        self
    }

    /// The validation time.
    pub fn validation_time(&self) -> UnixTime {
        self.config.validation_time
    }

    /// A report for a file that is not a usable signature at all
    /// (TOTAL_FAILED, FORMAT_FAILURE).
    pub fn format_failure(label: &str, content: Option<String>, message: &str) -> SignatureReport {
        let mut r = blank_report(label, content);
        r.errors
            .push(format!("{message} [{}]", SubIndication::FormatFailure));
        r
    }

    /// Verifies the signature `bytes` (read from the file named `label`).
    /// `detached` is the content file: required for a detached signature;
    /// for a signature that embeds its content it must, if it exists, be
    /// identical to the embedded content (otherwise the signature would
    /// appear to vouch for a file it does not cover).
    pub fn verify(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> Vec<SignatureReport> {
        self.verify_with_evidence(label, bytes, detached).0
    }

    /// As [`Verifier::verify`], also returning the certificates and CRLs the
    /// validation relied on (what `extend --level lt` embeds).
    pub fn verify_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let reports = self.verify_inner(label, bytes, Input::path(detached), None, &mut evidence);
        (reports, evidence)
    }

    /// As [`Verifier::verify`], with an external proof that the signature
    /// file `bytes` existed at `poe` — the proven time of an RFC 4998
    /// evidence record over it ([`Verifier::verify_evidence_record`]; only
    /// pass a time from a record that PASSED). The proof counts like a
    /// signature time stamp: the signer's certificate, its path and
    /// revocation are judged at `poe` when they fail now for reasons time
    /// cures (expiry, later revocation, missing current revocation data),
    /// the algorithms as of `poe`, and signature time stamps must be
    /// trustworthy only until `poe`. An archived B-B signature whose signer
    /// certificate has expired since thus stays valid.
    pub fn verify_with_poe(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
        poe: UnixTime,
    ) -> Vec<SignatureReport> {
        let mut evidence = Evidence::default();
        self.verify_inner(
            label,
            bytes,
            Input::path(detached),
            Some(poe),
            &mut evidence,
        )
    }

    /// As [`Verifier::verify`] (or [`Verifier::verify_with_poe`] when
    /// `poe` is given) over detached `content` that may be byte ranges of a
    /// file (a PDF signature's `/ByteRange`), with validation data found
    /// outside the signature (`external`: a PDF's Document Security Store)
    /// used like the data embedded in it.
    pub fn verify_detached(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> Vec<SignatureReport> {
        self.verify_detached_with_evidence(label, bytes, content, external, poe)
            .0
    }

    /// As [`Verifier::verify_detached`], also returning the certificates
    /// and revocation data the validation relied on (what a PDF's Document
    /// Security Store receives at B-LT).
    pub fn verify_detached_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let input = Input {
            detached: Some(content),
            external,
        };
        let reports = self.verify_inner(label, bytes, input, poe, &mut evidence);
        (reports, evidence)
    }

    fn verify_inner(
        &self,
        label: &str,
        bytes: &[u8],
        input: Input<'_>,
        external_poe: Option<UnixTime>,
        evidence: &mut Evidence,
    ) -> Vec<SignatureReport> {
        let detached = input.detached.map(|d| match d {
            DetachedContent::File(p) | DetachedContent::ByteRanges { path: p, .. } => p,
        });
        let ranges = match input.detached {
            Some(DetachedContent::ByteRanges { ranges, .. }) => Some(ranges),
            _ => None,
        };
        let detached_name = detached.map(|p| p.display().to_string());
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
        let mut file_warnings = Vec::new();
        let mut file_problems = Vec::new();
        let (source, content_name) = match (econtent, detached) {
            (Some(c), Some(p)) if p.exists() => {
                match same_content(p, c) {
                    Ok(true) => {}
                    Ok(false) => file_problems.push((
                        SubIndication::HashFailure,
                        format!(
                            "the signature embeds its own content, which differs from {}: it does not sign that file",
                            p.display()
                        ),
                    )),
                    Err(e) => file_problems.push((
                        SubIndication::SignedDataNotFound,
                        format!("cannot compare the embedded content with {}: {e}", p.display()),
                    )),
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
                    "the signature is detached and no content was given (use --content FILE)"
                        .into(),
                ),
                None,
            ),
        };
        if file.signer_infos().is_empty() {
            return vec![Verifier::format_failure(
                label,
                content_name,
                "the SignedData has no SignerInfo",
            )];
        }
        let mut certs: Vec<Cert> = file.certificates();
        let mut crl_ders: Vec<(String, Vec<u8>)> = file
            .crls()
            .into_iter()
            .enumerate()
            .map(|(i, der)| (format!("{label} (embedded CRL {i})"), der))
            .collect();
        add_external(input.external, label, &mut certs, &mut crl_ders);
        // ES-XL (JIS X 5092): certificate-values and revocation-values are
        // embedded validation data too, for every SignerInfo's validation.
        let es_xl: Vec<Result<EsXl, String>> = file
            .signer_infos()
            .iter()
            .map(|si| EsXl::read(si.unsigned_attrs.as_ref()))
            .collect();
        let mut ocsp_ders: Vec<Vec<u8>> = input.external.ocsp_responses.clone();
        for (index, xl) in es_xl.iter().enumerate() {
            let Ok(xl) = xl else { continue };
            for c in &xl.certs {
                if !certs.contains(c) {
                    certs.push(c.clone());
                }
            }
            for (i, der) in xl.crls.iter().enumerate() {
                crl_ders.push((
                    format!("{label} (revocation-values of SignerInfo {index}, CRL {i})"),
                    der.clone(),
                ));
            }
            ocsp_ders.extend(xl.ocsp.iter().cloned());
        }
        let mut crls = CrlSet::new();
        for (origin, der) in &crl_ders {
            match self.embedded_crl(der) {
                Ok(crl) => crls.add(crl),
                Err(e) => file_warnings.push(format!("{origin}: {e}")),
            }
        }
        // OCSP responses: in SignedData crls (id-ri-ocsp-response, whole
        // OCSPResponses) and in ES-XL revocation-values (BasicOCSPResponses).
        let embedded_ocsp = file
            .ocsp_responses()
            .into_iter()
            .enumerate()
            .map(|(i, der)| (format!("{label} (embedded OCSP response {i})"), der))
            .chain(ocsp_ders.iter().enumerate().map(|(i, der)| {
                (
                    format!("{label} (revocation-values, OCSP response {i})"),
                    der.clone(),
                )
            }));
        for (origin, der) in embedded_ocsp {
            match OcspResponse::from_der(&der, &origin) {
                Ok(resp) => crls.add_ocsp(Arc::new(resp.embedded())),
                Err(e) => file_warnings.push(e.to_string()),
            }
        }
        let available = Available {
            certs: &certs,
            crls: crl_ders.iter().map(|(_, d)| d.as_slice()).collect(),
            ocsp: ocsp_ders,
        };
        let mut digests = DigestCache::new(&source);
        file.signer_infos()
            .iter()
            .enumerate()
            .map(|(index, si)| {
                let mut report = blank_report(label, content_name.clone());
                report.signer_info = index;
                report.warnings.extend(file_warnings.iter().cloned());
                let mut f = Findings::default();
                f.problems.extend(file_problems.iter().cloned());
                let xl = es_xl.get(index);
                let used = self.verify_signer_info(
                    &file,
                    si,
                    &certs,
                    &crls,
                    (xl, &available),
                    &mut digests,
                    &mut report,
                    f,
                    external_poe,
                );
                evidence.merge(used);
                report
            })
            .collect()
    }

    /// The embedded CRL `der`, decoded on first sight and shared after that.
    fn embedded_crl(&self, der: &[u8]) -> Result<Arc<Crl>, hozon_pki::Error> {
        let key = openssl::sha::sha256(der);
        let lock = || self.embedded_crls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(crl) = lock().get(&key) {
            return Ok(crl.clone());
        }
        let crl = Arc::new(Crl::from_der(der, "embedded in the signature")?.embedded());
        let mut memo = lock();
        if memo.len() >= EMBEDDED_CRL_LIMIT {
            memo.clear();
        }
        Ok(memo.entry(key).or_insert(crl).clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn verify_signer_info(
        &self,
        file: &SignatureFile,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        (es_xl, available): (Option<&Result<EsXl, String>>, &Available<'_>),
        digests: &mut DigestCache<'_>,
        report: &mut SignatureReport,
        mut f: Findings,
        external_poe: Option<UnixTime>,
    ) -> Evidence {
        let mut ok = Passed::default();
        let at = self.config.validation_time;
        report.best_signature_time = Some(at.rfc3339());
        self.check(
            file,
            si,
            certs,
            crls,
            digests,
            report,
            &mut f,
            &mut ok,
            external_poe,
        );
        let evidence = std::mem::take(&mut f.evidence);
        match es_xl {
            Some(Err(e)) => crate::unsigned::unreadable(&mut f, "ES-XL validation data", e),
            Some(Ok(xl)) => check_references(
                xl,
                available.certs,
                &available.crls,
                &available.ocsp,
                &evidence,
                &mut f,
            ),
            None => {}
        }
        // B-LT: a time-stamped CAdES signature that carries every
        // certificate and CRL its validation relied on.
        if report.level.as_deref() == Some("B-T") && ok.chain && ok.revocation {
            let complete = evidence.certs.iter().all(|c| certs.contains(c))
                && evidence.revocation_all_embedded();
            if complete {
                let archived = report
                    .timestamps
                    .iter()
                    .any(|t| t.kind == "archive" && t.indication == "PASSED");
                report.level = Some(if archived { "B-LTA" } else { "B-LT" }.to_owned());
            }
        }

        report.counter_signatures = self.counter_signatures(
            si,
            &crate::countersignature::CounterContext { certs, crls },
            0,
        );
        conclude(
            report,
            f,
            &[
                (ok.format, "format"),
                (ok.digest, "message digest"),
                (ok.signature, "signature value"),
                (ok.binding, "signing certificate binding"),
                (ok.chain, "certificate path"),
                (ok.revocation, "revocation"),
                (ok.algorithms, "algorithm policy"),
            ],
        );
        evidence
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        file: &SignatureFile,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        digests: &mut DigestCache<'_>,
        report: &mut SignatureReport,
        f: &mut Findings,
        ok: &mut Passed,
        external_poe: Option<UnixTime>,
    ) {
        use SubIndication as S;
        let at = self.config.validation_time;
        // An external proof of existence in the future of the validation
        // time proves nothing about it.
        let external_poe = external_poe.filter(|p| *p <= at);

        // --- Format checking (EN 319 102-1 §5.2.2) ---------------------------
        // RFC 5652 §5.3: the version MUST be 1 with issuerAndSerialNumber and
        // 3 with subjectKeyIdentifier. It is not covered by the signature, so
        // a mismatch means the SignerInfo was edited or mis-made.
        let expected_version = match si.sid {
            SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
            SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
        };
        if si.version != expected_version {
            f.fail(
                S::FormatFailure,
                format!(
                    "SignerInfo version {} does not match its signer identifier (RFC 5652 5.3 requires {})",
                    si.version as u8, expected_version as u8
                ),
            );
        }
        let digest_alg = match DigestAlgorithm::from_identifier(&si.digest_alg) {
            Ok(d) => d,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    format!("unsupported digest algorithm {oid}"),
                );
                return;
            }
            Err(e) => {
                f.fail(S::FormatFailure, e.to_string());
                return;
            }
        };
        let sig_alg = match SignatureAlgorithm::from_identifier(&si.signature_algorithm, digest_alg)
        {
            Ok(a) => a,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    format!("unsupported signature algorithm {oid}"),
                );
                return;
            }
            Err(e) => {
                f.fail(S::FormatFailure, e.to_string());
                return;
            }
        };
        let sig_algs = crate::signature_value::algorithm_candidates(digest_alg, sig_alg, f);
        // The algorithm the value verified with (the first candidate until then).
        let mut sig_alg = sig_algs[0];
        let attrs = si.signed_attrs.as_ref();
        let econtent_type = file.signed_data.encap_content_info.econtent_type;
        let mut message_digest = None;
        let mut ess: Option<CertReference> = None;
        let mut ess_v1: Option<CertReference> = None;
        if attrs.is_some() {
            match signed_attr::<ObjectIdentifier>(attrs, ID_CONTENT_TYPE, f) {
                Ok(Some(ct)) if ct != econtent_type => f.fail(
                    S::FormatFailure,
                    format!(
                        "content-type attribute {ct} differs from eContentType {econtent_type}"
                    ),
                ),
                Ok(Some(_)) | Err(Reported) => {}
                Ok(None) => missing(f, "content-type"),
            }
            match signed_attr::<OctetString>(attrs, ID_MESSAGE_DIGEST, f) {
                Ok(Some(md)) => message_digest = Some(md.as_bytes().to_vec()),
                Ok(None) => missing(f, "message-digest"),
                Err(Reported) => {}
            }
            match signed_attr::<Time>(attrs, ID_SIGNING_TIME, f) {
                Ok(Some(t)) => {
                    let claimed = UnixTime::from_x509(&t);
                    report.claimed_signing_time = Some(claimed.rfc3339());
                    if claimed.0 > at.0 + CLOCK_SKEW_SECS {
                        f.warn(format!(
                            "the claimed signing time {claimed} is after the validation time {at}"
                        ));
                    }
                }
                Ok(None) => f.warn("no signing-time attribute (CAdES B-B requires one)"),
                Err(Reported) => {}
            }
            if let Ok(Some(sc)) =
                signed_attr::<SigningCertificateV2>(attrs, ID_AA_SIGNING_CERTIFICATE_V_2, f)
            {
                match sc.signer_reference() {
                    Ok(r) => ess = r,
                    Err(e) => f.fail(S::FormatFailure, format!("signing-certificate-v2: {e}")),
                }
            }
            if let Ok(Some(sc)) =
                signed_attr::<SigningCertificate>(attrs, ID_AA_SIGNING_CERTIFICATE, f)
            {
                ess_v1 = sc.signer_reference();
            }
            if let Ok(Some(p)) = signed_attr::<CmsAlgorithmProtection>(
                attrs,
                hozon_cms::algorithm_protection::ID_AA_CMS_ALGORITHM_PROTECT,
                f,
            ) {
                crate::signature_value::check_algorithm_protection(&p, si, f);
            }
        } else {
            f.warn(
                "the SignerInfo has no signed attributes: a plain PKCS#7/CMS signature, not CAdES",
            );
        }
        ok.format = !f.problems.iter().any(|(s, _)| *s == S::FormatFailure);
        let has_binding = ess.is_some() || ess_v1.is_some();
        report.format = if has_binding { "CAdES" } else { "CMS" }.to_owned();
        // ETSI levels apply to CAdES only; a plain CMS signature has none.
        report.level = has_binding.then(|| "B-B".to_owned());
        crate::unsigned::note_unvalidated(si, f);

        // --- Identification of the signing certificate (§5.2.3) ---------------
        let signer = match find_signer(&si.sid, certs) {
            Some(c) => Some(c),
            None => {
                // EN 319 102-1 §5.2.3: the signing certificate may come
                // from outside the signature (--certs, the trust anchors).
                let outside: Vec<Cert> = self
                    .config
                    .extra_certs
                    .iter()
                    .chain(self.chains.anchors().certs())
                    .cloned()
                    .collect();
                let found = find_signer(&si.sid, &outside);
                if let Some(c) = &found {
                    f.warn(format!(
                        "the signature carries no certificate of its signer; {} was supplied from outside it (--certs or a trust anchor)",
                        c.subject()
                    ));
                }
                found
            }
        };
        let signer = match signer {
            Some(c) => {
                report.signer = Some(SignerReport {
                    subject: c.subject(),
                    issuer: c.issuer(),
                    serial: c.serial_hex(),
                    hc_role: hc_role(&c),
                });
                warn_signing_time_outside_validity(&c, report, f);
                Some(c)
            }
            None => {
                f.fail(
                    S::NoSigningCertificateFound,
                    format!(
                        "the signer's certificate ({}) is neither in the signature nor among the certificates supplied",
                        describe_sid(&si.sid)
                    ),
                );
                None
            }
        };
        if let Some(cert) = &signer {
            let mut bound = true;
            if !has_binding {
                bound = false;
                f.fail(
                    S::NoSigningCertificateFound,
                    "no signing-certificate(-v2) attribute binds the signer's certificate to the signature",
                );
            }
            for (r, name) in [
                (&ess, "signing-certificate-v2"),
                (&ess_v1, "signing-certificate"),
            ] {
                let Some(r) = r else { continue };
                match r.matches(cert) {
                    Ok(true) => {}
                    Ok(false) => {
                        bound = false;
                        f.fail(
                            S::NoSigningCertificateFound,
                            format!(
                                "the {name} attribute does not reference the certificate {} (certificate substitution?)",
                                cert.subject()
                            ),
                        );
                    }
                    Err(e) => {
                        bound = false;
                        f.fail(S::NoSigningCertificateFound, format!("{name}: {e}"));
                    }
                }
            }
            ok.binding = bound;
        }

        // --- Cryptographic verification (§5.2.7) -------------------------------
        match (&message_digest, attrs.is_some()) {
            (Some(expected), _) => match digests.get(digest_alg) {
                Ok(actual) if actual == expected.as_slice() => ok.digest = true,
                Ok(_) => f.fail(
                    S::HashFailure,
                    format!("the content's {digest_alg} digest differs from the signed message-digest: the content was altered"),
                ),
                Err(e) => f.fail(S::SignedDataNotFound, e.message()),
            },
            (None, true) => {} // already a format failure
            (None, false) => {
                // Without signed attributes the signature covers the content:
                // verify it over the content's digest.
                if let Some(cert) = &signer {
                    match sig_alg.digest() {
                        None => f.fail(
                            S::FormatFailure,
                            "an Ed25519 signature without signed attributes is not supported",
                        ),
                        Some(d) => match digests.get(d) {
                            Err(e) => f.fail(S::SignedDataNotFound, e.message()),
                            Ok(hash) => match self
                                .keys
                                .get(cert)
                                .and_then(|k| k.verify_digest(sig_alg, &hash, si.signature.as_bytes()))
                            {
                                Ok(true) => {
                                    ok.digest = true;
                                    ok.signature = true;
                                }
                                Ok(false) => f.fail(
                                    S::SigCryptoFailure,
                                    "the signature value does not verify over the content (altered content or signature)",
                                ),
                                Err(why) => f.fail(S::SigCryptoFailure, why),
                            },
                        },
                    }
                }
            }
        }
        if let (Some(cert), Some(attrs)) = (&signer, attrs) {
            let matched =
                self.verify_signed_attrs(cert, &sig_algs, attrs, si.signature.as_bytes(), f);
            ok.signature = matched.is_some();
            sig_alg = matched.unwrap_or(sig_alg);
        }

        // --- Signature time stamps: proof of existence (§5.4) ------------------
        let claimed = report
            .claimed_signing_time
            .as_deref()
            .and_then(|t| UnixTime::parse_rfc3339(t).ok());
        // Archive time stamps first: each one is proof of existence for
        // everything it covers, the signature time stamps included.
        let archived = self.archive_timestamps(file, si, certs, crls, digests, report, f);
        let archive_entries = report.timestamps.len();
        let trust_until = match (archived, external_poe) {
            (Some(a), Some(e)) => a.min(e),
            (a, e) => a.or(e).unwrap_or(at),
        };
        let content_stamped = self.content_timestamps(
            si,
            &mut crate::content_timestamp::ContentStampContext {
                certs,
                crls,
                digests: &mut *digests,
                trust_until,
            },
            report,
            f,
        );
        let stamped = self.signature_timestamps(si, certs, crls, claimed, trust_until, report, f);
        if let (Some(content), Some(signature)) = (content_stamped, stamped) {
            if content > signature {
                f.fail(
                    S::TimestampOrderFailure,
                    format!(
                        "the content time stamp {content} is later than the signature time stamp {signature}"
                    ),
                );
            }
        }
        let poe = match (stamped, external_poe) {
            (Some(s), Some(e)) => Some(s.min(e)),
            (s, e) => s.or(e),
        };
        if let Some(e) = external_poe {
            f.warn(format!(
                "proof of existence at {e} from an evidence record over the signature file is used"
            ));
            if let Some(claimed) =
                claimed.filter(|c| c.0 > e.0 + crate::timestamp::SIGNING_TIME_TOLERANCE_SECS)
            {
                f.fail(
                    S::TimestampOrderFailure,
                    format!(
                        "the claimed signing time {claimed} is later than the proof of existence {e}: a signature cannot be signed after it provably existed"
                    ),
                );
            }
        }
        // Signature time stamps first in the report, then archive ones.
        report.timestamps.rotate_left(archive_entries);
        if report.timestamps.iter().any(|t| t.kind == "signature") && report.format == "CAdES" {
            report.level = Some("B-T".to_owned());
        }
        if let Some(poe) = poe {
            report.best_signature_time = Some(poe.rfc3339());
        }

        // --- X.509 certificate validation (§5.2.6), past signature
        //     validation with the proof of existence (§5.6.2) --------------------
        let Some(cert) = signer else { return };
        self.check_key_usage(&cert, f);
        let intermediates: Vec<Cert> = certs
            .iter()
            .chain(&self.config.extra_certs)
            .filter(|c| **c != cert)
            .cloned()
            .collect();
        let mut now = Findings::default();
        let mut outcome =
            self.validate_certificate(&cert, &intermediates, crls, at, claimed, &mut now);
        match poe {
            Some(poe)
                if poe < at
                    && !now.problems.is_empty()
                    && now.problems.iter().all(|(s, _)| curable_with_poe(*s)) =>
            {
                // The certificate has expired or been revoked since, or
                // current revocation data is missing: what matters is
                // whether it was valid when the signature provably existed.
                let mut then = Findings::default();
                outcome =
                    self.validate_certificate(&cert, &intermediates, crls, poe, claimed, &mut then);
                if then.problems.is_empty() {
                    for (_, m) in now.problems {
                        // The "no proof" half of the message is answered by the stamp.
                        let fact = m.split(", and there is no proof").next().unwrap_or(&m);
                        f.warn(format!(
                            "at the validation time: {fact}; the signature is proven by its time stamp to exist at {poe}, when the certificate was valid"
                        ));
                    }
                    f.warnings.extend(then.warnings);
                    f.evidence.merge(then.evidence);
                } else {
                    f.absorb(then, &format!("at the proven signing time {poe}: "));
                }
            }
            _ => f.absorb(now, ""),
        }
        ok.chain = outcome.path.is_some();
        ok.revocation = outcome.revocation_ok;
        if let Some(path) = &outcome.path {
            // --- Signature acceptance: algorithms, as of the proof of
            //     existence when there is one (§5.2.8) ---------------------------
            ok.algorithms =
                self.algorithm_problems(digest_alg, Some(sig_alg), path, poe.unwrap_or(at), f);
        }
    }

    /// Verifies a signature value over `message` with the key of `cert`.
    pub(crate) fn verify_value(
        &self,
        cert: &Cert,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        match self.keys.get(cert)?.verify(alg, message, signature)? {
            true => Ok(()),
            false => Err(format!(
                "{alg} with the key of {} rejects it",
                cert.subject()
            )),
        }
    }
}

/// Sets the verdict from the findings: TOTAL_PASSED only when there is no
/// problem **and** every check in `checks` positively succeeded; otherwise
/// the most serious problem decides. All problems become `errors`, each
/// ending with its sub-indication.
pub(crate) fn conclude(report: &mut SignatureReport, mut f: Findings, checks: &[(bool, &str)]) {
    if f.problems.is_empty() {
        let missing: Vec<&str> = checks
            .iter()
            .filter(|(done, _)| !done)
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            f.fail(
                SubIndication::SigConstraintsFailure,
                format!("internal: checks not completed: {}", missing.join(", ")),
            );
        }
    }
    f.problems
        .sort_by_key(|(sub, _)| std::cmp::Reverse(sub.rank()));
    match f.problems.first() {
        None => {
            report.indication = Indication::TotalPassed;
            report.sub_indication = None;
        }
        Some((sub, _)) => {
            report.indication = sub.indication();
            report.sub_indication = Some(*sub);
        }
    }
    report.errors = f
        .problems
        .into_iter()
        .map(|(sub, msg)| format!("{msg} [{sub}]"))
        .collect();
    report.warnings.extend(f.warnings);
}

/// The signing-time attribute is a claim, not evidence, so a claim outside
/// the certificate's validity does not decide the verdict; it is worth a
/// reader's attention all the same.
fn warn_signing_time_outside_validity(cert: &Cert, report: &SignatureReport, f: &mut Findings) {
    let Some(claimed) = report
        .claimed_signing_time
        .as_deref()
        .and_then(|t| UnixTime::parse_rfc3339(t).ok())
    else {
        return;
    };
    let (not_before, not_after) = cert.validity_unix();
    let as_time = |s: u64| UnixTime(i64::try_from(s).unwrap_or(i64::MAX));
    if claimed < as_time(not_before) {
        f.warn(format!(
            "the claimed signing time {claimed} is before the signer's certificate became valid ({})",
            as_time(not_before)
        ));
    } else if claimed > as_time(not_after) {
        f.warn(format!(
            "the claimed signing time {claimed} is after the signer's certificate expired ({})",
            as_time(not_after)
        ));
    }
}

/// A problem already recorded in the findings.
struct Reported;

/// The signed attribute `oid` decoded as `T` (`None` when absent). A
/// malformed or duplicated attribute is recorded as a format failure.
fn signed_attr<T: for<'a> Decode<'a>>(
    attrs: Option<&hozon_cms::asn1::x509_cert::attr::Attributes>,
    oid: ObjectIdentifier,
    f: &mut Findings,
) -> Result<Option<T>, Reported> {
    decode_unique::<T>(attrs, oid).map_err(|e| {
        f.fail(SubIndication::FormatFailure, e.to_string());
        Reported
    })
}

/// Records that a mandatory signed attribute is missing.
fn missing(f: &mut Findings, name: &str) {
    f.fail(
        SubIndication::FormatFailure,
        format!("the {name} signed attribute is missing"),
    );
}

pub(crate) fn blank_report(label: &str, content: Option<String>) -> SignatureReport {
    SignatureReport {
        file: label.to_owned(),
        content,
        signer_info: 0,
        format: "CMS".to_owned(),
        level: None,
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        errors: Vec::new(),
        warnings: Vec::new(),
        signer: None,
        claimed_signing_time: None,
        best_signature_time: None,
        timestamps: Vec::new(),
        renew_by: None,
        renew_by_reason: None,
        evidence_records: Vec::new(),
        revision: None,
        covers_whole_document: None,
        modifications: Vec::new(),
        permitted_changes: Vec::new(),
        counter_signatures: Vec::new(),
    }
}

pub(crate) fn find_signer(sid: &SignerIdentifier, certs: &[Cert]) -> Option<Cert> {
    certs
        .iter()
        .find(|c| match sid {
            SignerIdentifier::IssuerAndSerialNumber(is) => {
                let tbs = &c.parsed().tbs_certificate;
                tbs.serial_number == is.serial_number
                    && hozon_cms::names::names_match(&tbs.issuer, &is.issuer)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .parsed()
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .filter(|e| e.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
                .any(|e| {
                    SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).is_ok_and(|k| k == *ski)
                }),
        })
        .cloned()
}

fn describe_sid(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            let serial: String = is
                .serial_number
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            format!("issuer {}, serial {serial}", is.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            let id: String = ski
                .0
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            format!("subject key identifier {id}")
        }
    }
}
