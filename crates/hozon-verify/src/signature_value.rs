//! Cryptographic verification (EN 319 102-1 §5.2.7): the signature value
//! over the encoding of the signed attributes ([`hozon_cms::signed_attrs`]).

use hozon_cms::asn1::x509_cert::attr::Attributes;
use hozon_cms::signed_attrs::signed_attrs_encodings;
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::findings::Findings;
use crate::report::SubIndication;
use crate::Verifier;

impl Verifier {
    /// Verifies `signature` by `cert` over the signed attributes `attrs`.
    /// In DER order their encoding is what was signed. Out of DER order the
    /// value is checked over the attributes as received (re-tagged as SET,
    /// as OpenSSL, Bouncy Castle and DSS verify: the signer's key signed
    /// exactly those bytes), then over their DER-sorted form (RFC 5652
    /// §5.4), with a warning naming the one that matched.
    /// Records a failure; returns whether it verified.
    pub(crate) fn verify_signed_attrs(
        &self,
        cert: &Cert,
        alg: SignatureAlgorithm,
        attrs: &Attributes,
        signature: &[u8],
        f: &mut Findings,
    ) -> bool {
        let encodings = match signed_attrs_encodings(attrs) {
            Ok(e) => e,
            Err(e) => {
                f.fail(
                    SubIndication::FormatFailure,
                    format!("signed attributes cannot be re-encoded: {e}"),
                );
                return false;
            }
        };
        let received = self.verify_value(cert, alg, &encodings.received, signature);
        let Some(sorted) = encodings.der_sorted else {
            return match received {
                Ok(()) => true,
                Err(why) => {
                    f.fail(
                        SubIndication::SigCryptoFailure,
                        format!("the signature value does not verify: {why}"),
                    );
                    false
                }
            };
        };
        if received.is_ok() {
            f.warn(
                "the signed attributes are not in DER order; the signature value verifies over them as received (as OpenSSL, Bouncy Castle and DSS check it), not over their DER encoding (RFC 5652 5.4)",
            );
            return true;
        }
        match self.verify_value(cert, alg, &sorted, signature) {
            Ok(()) => {
                f.warn(
                    "the signed attributes are not in DER order; the signature value verifies over their DER encoding (RFC 5652 5.4), which sorts them",
                );
                true
            }
            Err(why) => {
                f.fail(
                    SubIndication::SigCryptoFailure,
                    format!(
                        "the signature value does not verify, neither over the signed attributes as received (not in DER order) nor over their DER encoding: {why}"
                    ),
                );
                false
            }
        }
    }
}

/// Warns when the signature algorithm names another hash than the
/// SignerInfo's digestAlgorithm (e.g. sha512WithRSAEncryption over a SHA-256
/// message digest). The message-digest attribute is checked with
/// digestAlgorithm; the signature value with the hash its
/// signatureAlgorithm names — the identifier says what the value is.
/// OpenSSL and DSS verify such a value with digestAlgorithm's hash instead
/// (see docs/interoperability.md).
pub(crate) fn warn_digest_mismatch(
    digest_alg: DigestAlgorithm,
    sig_alg: SignatureAlgorithm,
    f: &mut Findings,
) {
    if let Some(d) = sig_alg.digest() {
        if d != digest_alg {
            f.warn(format!(
                "the signatureAlgorithm ({sig_alg}) names another hash than the digestAlgorithm ({digest_alg}): the message digest is checked with {digest_alg}, the signature value with {d}"
            ));
        }
    }
}
