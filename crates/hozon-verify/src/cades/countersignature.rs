//! Counter-signatures (RFC 5652 §11.4, id-countersignature): SignerInfos
//! over the signature value of the SignerInfo they are attached to, and
//! counter-signatures of those in turn. Each is validated like a signature —
//! format, signing certificate, message digest over the parent's signature
//! value, signature value, certificate path at the validation time — and
//! reported under its parent with its own indication. The parent's verdict
//! does not depend on them: anyone can append one.

use hozon_cms::asn1::cms::signed_data::SignerInfo;
use hozon_cms::asn1::der::asn1::OctetString;
use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::attributes::{all_values, decode_unique};
use hozon_cms::oid::rfc5652::ID_COUNTERSIGNATURE;
use hozon_cms::oid::{ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST};
use hozon_cms::signing_certificate::SigningCertificateV2;
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use super::signature::find_signer;
use super::signature_value::{verify_signed_attrs, verify_value};
use crate::codes::Code;
use crate::findings::Findings;
use crate::format::ValidationPool;
use crate::report::{CounterSignatureReport, SignerReport, SubIndication as S};
use crate::verdict::{blank_report, conclude};
use crate::Verifier;

/// Counter-signatures nested deeper than this are reported as not validated.
const MAX_DEPTH: usize = 8;

impl Verifier {
    /// The counter-signatures of `parent`, validated, recursively.
    pub(crate) fn counter_signatures(
        &self,
        parent: &SignerInfo,
        ctx: ValidationPool<'_>,
        depth: usize,
    ) -> Vec<CounterSignatureReport> {
        all_values(parent.unsigned_attrs.as_ref(), ID_COUNTERSIGNATURE)
            .map(|value| {
                let signer_info = value
                    .to_der()
                    .ok()
                    .and_then(|der| SignerInfo::from_der(&der).ok());
                match signer_info {
                    Some(cs) => self.counter_signature(&cs, parent, ctx, depth),
                    None => broken("the counter-signature is not a readable SignerInfo"),
                }
            })
            .collect()
    }

    fn counter_signature(
        &self,
        cs: &SignerInfo,
        parent: &SignerInfo,
        ctx: ValidationPool<'_>,
        depth: usize,
    ) -> CounterSignatureReport {
        let mut f = Findings::default();
        let mut report = blank_report("", None);
        let mut checks = [
            (false, "format"),
            (false, "message digest"),
            (false, "signature value"),
            (false, "certificate path"),
        ];
        let digest_alg = match DigestAlgorithm::from_identifier(&cs.digest_alg) {
            Ok(d) => d,
            Err(e) => return broken(&format!("digestAlgorithm: {e}")),
        };
        let sig_alg = match SignatureAlgorithm::from_identifier(&cs.signature_algorithm, digest_alg)
        {
            Ok(a) => a,
            Err(e) => return broken(&format!("signatureAlgorithm: {e}")),
        };
        let sig_algs = super::signature_value::algorithm_candidates(digest_alg, sig_alg, &mut f);
        let mut sig_alg = sig_algs[0];
        let attrs = cs.signed_attrs.as_ref();
        // RFC 5652 §11.4: message-digest present, content-type absent.
        if attrs.is_some_and(|a| a.iter().any(|x| x.oid == ID_CONTENT_TYPE)) {
            f.fail(
                S::FormatFailure,
                Code::StructureInvalid,
                "a counter-signature must not carry a content-type attribute (RFC 5652 11.4)",
            );
        }
        let expected = attrs.and_then(|a| {
            decode_unique::<OctetString>(Some(a), ID_MESSAGE_DIGEST)
                .map_err(|e| {
                    f.fail(
                        S::FormatFailure,
                        Code::SignedAttributeMalformed,
                        e.to_string(),
                    )
                })
                .ok()
                .flatten()
        });
        checks[0].0 = f.problems.is_empty();
        let countersigned = parent.signature.as_bytes();
        match (attrs, expected) {
            (Some(_), None) => f.fail(
                S::FormatFailure,
                Code::SignedAttributeMissing,
                "the message-digest attribute is missing",
            ),
            (Some(_), Some(md)) => match digest_alg.digest(countersigned) {
                Ok(d) if d == md.as_bytes() => checks[1].0 = true,
                Ok(_) => f.fail(
                    S::HashFailure,
                    Code::MessageDigestMismatch,
                    "its message-digest is not the digest of the signature value it counter-signs",
                ),
                Err(e) => f.fail(
                    S::FormatFailure,
                    Code::AlgorithmIdentifierMalformed,
                    e.to_string(),
                ),
            },
            (None, _) => checks[1].0 = true,
        }
        let signer = find_signer(&cs.sid, ctx.certs).or_else(|| {
            let outside: Vec<Cert> = self
                .config
                .extra_certs
                .iter()
                .chain(self.chains.anchors().certs())
                .cloned()
                .collect();
            find_signer(&cs.sid, &outside)
        });
        let Some(cert) = signer else {
            f.fail(
                S::NoSigningCertificateFound,
                Code::SigningCertificateNotFound,
                "the counter-signer's certificate is not available",
            );
            return finish(
                report,
                f,
                &checks,
                self.counter_signatures(cs, ctx, depth + 1),
            );
        };
        report.signer = Some(SignerReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            serial: cert.serial_hex(),
            hc_role: crate::hc_role::hc_role(&cert),
        });
        checks[2].0 = match attrs {
            Some(a) => {
                match verify_signed_attrs(
                    &self.keys,
                    &cert,
                    &sig_algs,
                    a,
                    cs.signature.as_bytes(),
                    &mut f,
                ) {
                    Some(matched) => {
                        sig_alg = matched;
                        true
                    }
                    None => false,
                }
            }
            None => match verify_value(
                &self.keys,
                &cert,
                sig_alg,
                countersigned,
                cs.signature.as_bytes(),
            ) {
                Ok(()) => true,
                Err(why) => {
                    f.fail(S::SigCryptoFailure, Code::SignatureValueInvalid, why);
                    false
                }
            },
        };
        if let Ok(Some(sc)) =
            decode_unique::<SigningCertificateV2>(attrs, ID_AA_SIGNING_CERTIFICATE_V_2)
        {
            if let Ok(Some(r)) = sc.signer_reference() {
                if !r.matches(&cert).unwrap_or(false) {
                    f.fail(
                        S::NoSigningCertificateFound,
                        Code::SigningCertificateDigestMismatch,
                        "its signing-certificate-v2 attribute does not reference the counter-signer's certificate",
                    );
                }
            }
        }
        let at = self.config.validation_time;
        let intermediates: Vec<Cert> = ctx
            .certs
            .iter()
            .chain(&self.config.extra_certs)
            .filter(|c| **c != cert)
            .cloned()
            .collect();
        let outcome = self.validate_certificate(&cert, &intermediates, ctx.crls, at, None, &mut f);
        checks[3].0 = outcome.path.is_some();
        if let Some(path) = &outcome.path {
            let _ = self.algorithm_problems(digest_alg, Some(sig_alg), path, at, &mut f);
        }
        let nested = if depth + 1 >= MAX_DEPTH {
            Vec::new()
        } else {
            self.counter_signatures(cs, ctx, depth + 1)
        };
        finish(report, f, &checks, nested)
    }
}

fn finish(
    mut report: crate::report::SignatureReport,
    f: Findings,
    checks: &[(bool, &str)],
    counter_signatures: Vec<CounterSignatureReport>,
) -> CounterSignatureReport {
    conclude(&mut report, f, checks);
    CounterSignatureReport {
        signer: report.signer,
        indication: report.indication,
        sub_indication: report.sub_indication,
        errors: report.errors,
        warnings: report.warnings,
        findings: report.findings,
        counter_signatures,
    }
}

/// A counter-signature that cannot be validated at all (TOTAL_FAILED,
/// FORMAT_FAILURE), named as such.
fn broken(why: &str) -> CounterSignatureReport {
    let mut f = Findings::default();
    f.fail(
        S::FormatFailure,
        Code::CounterSignatureUnreadable,
        format!("broken counter-signature: {why}"),
    );
    finish(blank_report("", None), f, &[], Vec::new())
}
